"""Rules hold to the end: winning a deal checks the rules of its stage and of every later stage (or only its
stage, when the pipeline says so); a checklist item may name the role that alone ticks it."""

import json

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tandem.core import roles
from tandem.core.errors import AccessDenied, ConflictError
from tandem.core.models import AuditEntry
from tandem.crm.models import Deal, Pipeline, StageRule
from tandem.crm.services import deals as services
from tandem.parties.tests.factories import ClientFactory

URL = "/api/v1/crm"
APPROVAL = "Quote approved by the sales manager"


def post(http, url, data=None):
    return http.post(url, json.dumps(data or {}), content_type="application/json")


@pytest.fixture
def negotiation_deal(sales, stages, sales_rep):
    """A deal led to Negotiation with every rule it left behind met; its close date is not known yet."""
    deal = services.create_deal(by=sales_rep, client=ClientFactory(owner=sales_rep), title="Pumps", amount="900")
    for stage in ("Needs analysis", "Proposal"):
        for rule in stages[stage].rules.filter(kind=StageRule.Kind.CHECKLIST):
            services.set_checklist_item(deal, rule, True, by=sales_rep)
    return services.move_deal_to_stage(deal, stages["Negotiation"], by=sales_rep)


@pytest.fixture
def approval(stages, sales_manager):
    """The last stage asks for the sales manager's approval of the quote."""
    return services.add_stage_rule(stages["Closing"], by=sales_manager, kind=StageRule.Kind.CHECKLIST,
                                   label=APPROVAL, required_role=Group.objects.get(name=roles.SALES_MANAGER))


# --- Winning --------------------------------------------------------------------------------------------

def test_winning_checks_the_current_and_every_later_stage(negotiation_deal, approval, sales_rep, sales_manager):
    with pytest.raises(ConflictError) as exc:
        services.win_deal(negotiation_deal, by=sales_rep)
    assert exc.value.code == "stage_rule_unmet"
    assert exc.value.extra["missing"] == ["Expected close date", APPROVAL]
    deal = Deal.objects.get(pk=negotiation_deal.pk)
    assert deal.status == "open" and not AuditEntry.objects.filter(action="crm.deal.won").exists()

    services.update_deal(deal, by=sales_rep, expected_close_date="2030-01-31")
    with pytest.raises(ConflictError) as exc:
        services.win_deal(deal, by=sales_rep)
    assert exc.value.extra["missing"] == [APPROVAL]

    services.set_checklist_item(deal, approval, True, by=sales_manager)
    assert services.win_deal(deal, by=sales_rep).status == "won"


def test_a_pipeline_may_relax_winning_to_the_current_stage(negotiation_deal, approval, sales, sales_manager, sales_rep):
    services.set_win_rules(sales, by=sales_manager, win_rules=Pipeline.WinRules.CURRENT)
    assert AuditEntry.objects.filter(action="crm.pipeline.changed").exists()
    with pytest.raises(ConflictError) as exc:
        services.win_deal(negotiation_deal, by=sales_rep)
    assert exc.value.extra["missing"] == ["Expected close date"]  # the later stage's approval is not asked
    services.update_deal(negotiation_deal, by=sales_rep, expected_close_date="2030-01-31")
    assert services.win_deal(negotiation_deal, by=sales_rep).status == "won"


def test_api_win_answers_409_with_the_missing_list(api, negotiation_deal, approval, sales_rep):
    response = post(api(sales_rep), f"{URL}/deals/{negotiation_deal.pk}/win")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stage_rule_unmet" and body["field"] == "stage"
    assert body["missing"] == ["Expected close date", APPROVAL]
    assert "Expected close date" in body["message"]


def test_api_pipeline_setting(api, sales, sales_manager, sales_rep):
    response = api(sales_manager).patch(f"{URL}/pipelines/{sales.pk}", json.dumps({"win_rules": "current"}),
                                        content_type="application/json")
    assert response.status_code == 200 and response.json()["win_rules"] == "current"
    response = api(sales_manager).patch(f"{URL}/pipelines/{sales.pk}", json.dumps({"win_rules": "never"}),
                                        content_type="application/json")
    assert response.status_code in (400, 422)
    response = api(sales_rep).patch(f"{URL}/pipelines/{sales.pk}", json.dumps({"win_rules": "remaining"}),
                                    content_type="application/json")
    assert response.status_code == 403
    assert Pipeline.objects.get(pk=sales.pk).win_rules == "current"


def test_won_button_shows_what_is_missing_as_a_form_error(client, negotiation_deal, approval, sales_rep):
    client.force_login(sales_rep)
    response = client.post(reverse("crm:deal-win", args=[negotiation_deal.pk]))
    assert response.status_code == 409
    page = response.content.decode()
    assert 'id="win-error"' in page and "<li>Expected close date</li>" in page and f"<li>{APPROVAL}</li>" in page
    assert Deal.objects.get(pk=negotiation_deal.pk).status == "open"


# --- A checklist item for one role ----------------------------------------------------------------------

def test_only_the_role_ticks_the_item_and_who_ticked_it_is_kept(negotiation_deal, approval, sales_rep, sales_manager):
    with pytest.raises(AccessDenied) as exc:
        services.set_checklist_item(negotiation_deal, approval, True, by=sales_rep)
    assert "Sales manager" in exc.value.message
    item = services.set_checklist_item(negotiation_deal, approval, True, by=sales_manager)
    assert item.done_by == sales_manager and item.done_at is not None
    with pytest.raises(AccessDenied):  # nor may the representative untick it
        services.set_checklist_item(negotiation_deal, approval, False, by=sales_rep)


def test_api_role_item_403_and_who_ticked(api, negotiation_deal, approval, sales_rep, sales_manager):
    url = f"{URL}/deals/{negotiation_deal.pk}/checklist/{approval.pk}"
    response = post(api(sales_rep), url, {"done": True})
    assert response.status_code == 403
    assert response.json()["message"] == f"Only a Sales manager may tick “{APPROVAL}”."

    items = api(sales_rep).get(f"{URL}/deals/{negotiation_deal.pk}/checklist?to_win=true").json()
    row = next(i for i in items if i["rule_id"] == approval.pk)
    assert row["required_role"]["name"] == roles.SALES_MANAGER and row["stage"]["name"] == "Closing"
    assert row["can_tick"] is False and "Sales manager" in row["reason"] and row["done_by"] is None

    response = post(api(sales_manager), url, {"done": True})
    assert response.status_code == 200
    items = api(sales_rep).get(f"{URL}/deals/{negotiation_deal.pk}/checklist?to_win=true").json()
    row = next(i for i in items if i["rule_id"] == approval.pk)
    assert row["done"] is True and row["done_by"]["id"] == sales_manager.pk and row["done_at"]

    pipelines = api(sales_rep).get(f"{URL}/pipelines").json()
    rules = [r for p in pipelines for s in p["stages"] for r in s["rules"] if r["id"] == approval.pk]
    assert rules[0]["required_role"]["name"] == roles.SALES_MANAGER


def test_api_sets_the_role_of_a_rule(api, stages, sales_manager, sales_rep):
    rule = stages["Needs analysis"].rules.get()
    group = Group.objects.get(name=roles.SALES_MANAGER)
    response = api(sales_rep).patch(f"{URL}/stage-rules/{rule.pk}", json.dumps({"required_role_id": group.pk}),
                                    content_type="application/json")
    assert response.status_code == 403
    response = api(sales_manager).patch(f"{URL}/stage-rules/{rule.pk}", json.dumps({"required_role_id": group.pk}),
                                        content_type="application/json")
    assert response.status_code == 200 and response.json()["required_role"]["id"] == group.pk
    assert AuditEntry.objects.filter(action="crm.pipeline.rule_changed").exists()
    amount = stages["Proposal"].rules.get(kind=StageRule.Kind.REQUIRED_FIELD)
    response = api(sales_manager).patch(f"{URL}/stage-rules/{amount.pk}", json.dumps({"required_role_id": group.pk}),
                                        content_type="application/json")
    assert response.status_code == 400 and response.json()["field"] == "required_role"


def test_deal_page_disables_the_item_with_the_reason(client, negotiation_deal, approval, sales_rep, sales_manager):
    client.force_login(sales_rep)
    page = client.get(reverse("crm:deal-detail", args=[negotiation_deal.pk])).content.decode()
    assert "Before the deal can be won" in page
    assert f"Only a Sales manager may tick “{APPROVAL}”." in page
    response = client.post(reverse("crm:deal-checklist", args=[negotiation_deal.pk]),
                           {"rule_id": approval.pk, "done": "on"}, headers={"HX-Request": "true"})
    assert response.status_code == 403
    client.force_login(sales_manager)
    response = client.post(reverse("crm:deal-checklist", args=[negotiation_deal.pk]),
                           {"rule_id": approval.pk, "done": "on"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and f"Ticked by {sales_manager.display_name}" in response.content.decode()


def test_pipeline_settings_change_the_role_of_an_existing_checklist_item(client, stages, approval, sales_manager,
                                                                        sales_rep):
    manager_role = Group.objects.get(name=roles.SALES_MANAGER)
    client.force_login(sales_manager)
    page = client.get(reverse("crm:pipeline-list")).content.decode()
    assert f'data-rule="{approval.pk}"' in page
    assert f'<option value="{manager_role.pk}" selected>' in page
    # Amount (a required field) has no role to choose.
    amount = stages["Proposal"].rules.get(kind=StageRule.Kind.REQUIRED_FIELD)
    assert f'class="rule-role-form" data-rule="{amount.pk}"' not in page
    assert f'class="rule-role-form" data-rule="{approval.pk}"' in page
    response = client.post(reverse("crm:pipeline-list"),
                           {"action": "rule_role", "rule": approval.pk, "required_role": ""}, follow=True)
    assert response.status_code == 200 and "saved" in response.content.decode()
    approval.refresh_from_db()
    assert approval.required_role is None
    assert AuditEntry.objects.filter(action="crm.pipeline.rule_changed").exists()
    client.post(reverse("crm:pipeline-list"),
                {"action": "rule_role", "rule": approval.pk, "required_role": manager_role.pk})
    approval.refresh_from_db()
    assert approval.required_role == manager_role
    # A role on a required field is refused on the page; nothing changes.
    response = client.post(reverse("crm:pipeline-list"),
                           {"action": "rule_role", "rule": amount.pk, "required_role": manager_role.pk}, follow=True)
    assert "Only a checklist item can require a role." in response.content.decode()
    amount.refresh_from_db()
    assert amount.required_role is None
    # A representative reads the rules but gets no form and may not post one.
    client.force_login(sales_rep)
    assert f'data-rule="{approval.pk}"' not in client.get(reverse("crm:pipeline-list")).content.decode()
    response = client.post(reverse("crm:pipeline-list"),
                           {"action": "rule_role", "rule": approval.pk, "required_role": ""})
    assert response.status_code == 403
    approval.refresh_from_db()
    assert approval.required_role == manager_role


def test_pipeline_page_sets_when_a_deal_is_won(client, sales, sales_manager, sales_rep):
    """The "When a deal is won" form of the pipelines page changes the pipeline's setting; a value that is not
    one of the choices is a form error and changes nothing."""
    client.force_login(sales_manager)
    page = client.get(reverse("crm:pipeline-list")).content.decode()
    assert "When a deal is won" in page and 'name="win_rules-win_rules"' in page
    assert sales.win_rules == Pipeline.WinRules.REMAINING

    response = client.post(reverse("crm:pipeline-list"), {"action": "win_rules", "win_rules-pipeline": sales.pk,
                                                          "win_rules-win_rules": "current"}, follow=True)
    assert response.status_code == 200 and "Saved." in response.content.decode()
    sales.refresh_from_db()
    assert sales.win_rules == Pipeline.WinRules.CURRENT
    assert "Winning a deal checks the rules of: its current stage only" in response.content.decode()
    entry = AuditEntry.objects.get(action="crm.pipeline.changed")
    assert entry.changes == {"win_rules": ["remaining", "current"]}

    response = client.post(reverse("crm:pipeline-list"), {"action": "win_rules", "win_rules-pipeline": sales.pk,
                                                          "win_rules-win_rules": "never"})
    assert response.status_code == 200
    form = response.context["forms"]["win_rules"]
    assert list(form.errors) == ["win_rules"]
    assert 'id="id_win_rules-win_rules_error"' in response.content.decode()
    assert "Select a valid choice. never is not one of the available choices." in response.content.decode()
    # A pipeline that does not exist is a form error too.
    response = client.post(reverse("crm:pipeline-list"), {"action": "win_rules", "win_rules-pipeline": 999999,
                                                          "win_rules-win_rules": "remaining"})
    assert response.status_code == 200 and list(response.context["forms"]["win_rules"].errors) == ["pipeline"]
    sales.refresh_from_db()
    assert sales.win_rules == Pipeline.WinRules.CURRENT

    # A representative may not change it.
    client.force_login(sales_rep)
    response = client.post(reverse("crm:pipeline-list"), {"action": "win_rules", "win_rules-pipeline": sales.pk,
                                                          "win_rules-win_rules": "remaining"})
    assert response.status_code == 403
    sales.refresh_from_db()
    assert sales.win_rules == Pipeline.WinRules.CURRENT
