"""Pipeline settings without the Django admin: rename pipelines and stages, reorder stages, relabel and remove
stage rules; services, API and the settings page, refusals included."""

import json

import pytest
from django.urls import reverse

from tandem.core.errors import AccessDenied, BusinessRuleError, ConflictError
from tandem.core.models import AuditEntry
from tandem.crm.models import Deal, Pipeline, Stage, StageRule
from tandem.crm.services import deals as services
from tandem.parties.tests.factories import ClientFactory

URL = "/api/v1/crm"


def order(pipeline) -> list[tuple[int, str]]:
    return list(pipeline.stages.order_by("position").values_list("position", "name"))


def checklist_rule(stages, stage="Needs analysis") -> StageRule:
    return stages[stage].rules.get(kind=StageRule.Kind.CHECKLIST)


def send(http, method, url, data=None):
    return getattr(http, method)(url, json.dumps(data or {}), content_type="application/json")


# --- Services -----------------------------------------------------------------------------------------

def test_rename_pipeline_refuses_empty_and_duplicate_names(sales, sales_manager, sales_rep):
    other = services.create_pipeline(by=sales_manager, name="Projects")
    renamed = services.rename_pipeline(sales, by=sales_manager, name="  Retail  ")
    assert renamed.name == "Retail"
    assert AuditEntry.objects.filter(action="crm.pipeline.changed", changes__name=["Sales", "Retail"]).exists()
    with pytest.raises(BusinessRuleError) as empty:
        services.rename_pipeline(sales, by=sales_manager, name="  ")
    assert empty.value.status_code == 400 and empty.value.field == "name"
    with pytest.raises(ConflictError) as duplicate:
        services.rename_pipeline(sales, by=sales_manager, name="PROJECTS")
    assert duplicate.value.code == "duplicate" and duplicate.value.field == "name"
    assert services.rename_pipeline(other, by=sales_manager, name="projects").name == "projects"  # its own, new case
    with pytest.raises(AccessDenied):
        services.rename_pipeline(sales, by=sales_rep, name="Mine")
    assert Pipeline.objects.get(pk=sales.pk).name == "Retail"


def test_rename_stage_refuses_empty_and_a_name_of_the_same_pipeline(sales, stages, sales_manager):
    stage = stages["Proposal"]
    assert services.rename_stage(stage, by=sales_manager, name="Offer").name == "Offer"
    entry = AuditEntry.objects.get(action="crm.stage.updated")
    assert entry.changes == {"name": ["Proposal", "Offer"]}
    with pytest.raises(BusinessRuleError) as empty:
        services.rename_stage(stage, by=sales_manager, name="")
    assert empty.value.field == "name"
    with pytest.raises(ConflictError) as duplicate:
        services.rename_stage(stage, by=sales_manager, name="closing")
    assert duplicate.value.code == "duplicate"
    other = services.create_pipeline(by=sales_manager, name="Projects", stages=[{"name": "Offer"}])
    assert other.stages.get().name == "Offer"  # another pipeline's stage may have the name
    assert Stage.objects.get(pk=stage.pk).name == "Offer"


def test_move_stage_renumbers_and_keeps_deals_and_rule_semantics(sales, stages, sales_manager, sales_rep):
    deal = services.create_deal(by=sales_rep, client=ClientFactory(owner=sales_rep), title="Pumps",
                                stage=stages["Negotiation"])
    won = services.create_deal(by=sales_rep, client=ClientFactory(owner=sales_rep), title="Won",
                               stage=stages["Closing"])
    services.win_deal(won, by=sales_rep)
    moved = services.move_stage(stages["Closing"], by=sales_manager, position=2)
    assert moved.position == 2
    assert order(sales) == [(1, "Qualification"), (2, "Closing"), (3, "Needs analysis"), (4, "Proposal"),
                            (5, "Negotiation")]
    assert AuditEntry.objects.filter(action="crm.stage.moved", changes={"position": [5, 2]}).exists()
    # Deals stay where they were; the won one is still won in its stage.
    assert Deal.objects.get(pk=deal.pk).stage == stages["Negotiation"]
    won.refresh_from_db()
    assert won.status == Deal.Status.WON and won.stage == stages["Closing"]
    # "Closing" is now before "Negotiation": a move there is backward, allowed without rules.
    services.move_deal_to_stage(deal, stages["Closing"], by=sales_rep)
    # Back down to the end, and a move forward from "Closing" checks the stages it passes (in the new order).
    services.move_stage(stages["Closing"], by=sales_manager, position=5)
    assert [name for _pos, name in order(sales)][-1] == "Closing"
    with pytest.raises(BusinessRuleError) as invalid:
        services.move_stage(stages["Closing"], by=sales_manager, position=6)
    assert invalid.value.field == "position" and invalid.value.status_code == 400
    with pytest.raises(BusinessRuleError):
        services.move_stage(stages["Closing"], by=sales_manager, position=0)
    with pytest.raises(ConflictError) as stale:
        services.move_stage(stages["Closing"], by=sales_manager, position=1, expected_position=4)
    assert stale.value.code == "stale" and stale.value.extra["current_position"] == 5
    assert [p for p, _name in order(sales)] == [1, 2, 3, 4, 5]


def test_relabel_checklist_item_keeps_ticks(sales, stages, sales_manager, sales_rep):
    rule = checklist_rule(stages)
    deal = services.create_deal(by=sales_rep, client=ClientFactory(owner=sales_rep), title="Pumps",
                                stage=stages["Needs analysis"])
    services.set_checklist_item(deal, rule, True, by=sales_rep)
    services.add_stage_rule(stages["Needs analysis"], by=sales_manager, kind="checklist", label="Budget known")
    relabelled = services.relabel_stage_rule(rule, by=sales_manager, label="Needs written down")
    assert relabelled.label == "Needs written down"
    assert AuditEntry.objects.filter(action="crm.pipeline.rule_renamed").exists()
    with pytest.raises(BusinessRuleError) as empty:
        services.relabel_stage_rule(rule, by=sales_manager, label=" ")
    assert empty.value.field == "label"
    with pytest.raises(ConflictError) as duplicate:
        services.relabel_stage_rule(rule, by=sales_manager, label="budget KNOWN")
    assert duplicate.value.code == "duplicate" and duplicate.value.field == "label"
    required = stages["Proposal"].rules.get(kind=StageRule.Kind.REQUIRED_FIELD)
    with pytest.raises(BusinessRuleError) as not_checklist:
        services.relabel_stage_rule(required, by=sales_manager, label="Price")
    assert not_checklist.value.code == "not_a_checklist_item"
    with pytest.raises(AccessDenied):
        services.relabel_stage_rule(rule, by=sales_rep, label="Mine")
    assert services.missing_for_stage(deal, stages["Needs analysis"]) == ["Budget known"]  # the tick stays


def test_remove_rule_deletes_an_unticked_one_and_archives_a_ticked_one(sales, stages, sales_manager, sales_rep):
    rule = checklist_rule(stages)
    unticked = services.add_stage_rule(stages["Needs analysis"], by=sales_manager, kind="checklist", label="Spare")
    assert services.remove_stage_rule(unticked, by=sales_manager) is None
    assert not StageRule.objects.filter(pk=unticked.pk).exists()
    deal = services.create_deal(by=sales_rep, client=ClientFactory(owner=sales_rep), title="Pumps",
                                stage=stages["Needs analysis"])
    services.set_checklist_item(deal, rule, True, by=sales_rep)
    with pytest.raises(ConflictError) as referenced:
        services.delete_stage_rule(rule, by=sales_manager)
    assert referenced.value.code == "referenced"
    kept = services.remove_stage_rule(rule, by=sales_manager)
    assert kept.is_archived and StageRule.objects.filter(pk=rule.pk).exists()
    assert AuditEntry.objects.filter(action="crm.stagerule.archived").exists()
    # An archived rule holds nothing back and leaves checklists; restoring brings it back.
    other = services.create_deal(by=sales_rep, client=ClientFactory(owner=sales_rep), title="Valves",
                                 stage=stages["Needs analysis"])
    assert services.missing_for_stage(other, stages["Needs analysis"]) == []
    services.move_deal_to_stage(other, stages["Proposal"], by=sales_rep)
    with pytest.raises(BusinessRuleError) as archived:
        services.set_checklist_item(other, rule, True, by=sales_rep)
    assert archived.value.code == "archived"
    services.restore_stage_rule(rule, by=sales_manager)
    assert services.missing_for_stage(other, stages["Needs analysis"]) == ["Needs identified"]
    with pytest.raises(AccessDenied):
        services.remove_stage_rule(rule, by=sales_rep)


# --- API ----------------------------------------------------------------------------------------------

def test_api_pipelines_create_rename_and_refusals(api, sales, sales_manager, sales_rep):
    http = api(sales_manager)
    created = send(http, "post", f"{URL}/pipelines", {"name": "Projects", "stages": [{"name": "Brief"}]})
    assert created.status_code == 201
    response = send(http, "patch", f"{URL}/pipelines/{sales.pk}", {"name": "Retail"})
    assert response.status_code == 200 and response.json()["name"] == "Retail"
    response = send(http, "patch", f"{URL}/pipelines/{sales.pk}", {"name": "projects", "win_rules": "current"})
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate" and response.json()["field"] == "name"
    assert Pipeline.objects.get(pk=sales.pk).win_rules == "remaining"  # all or nothing
    response = send(http, "patch", f"{URL}/pipelines/{sales.pk}", {"name": " "})
    assert response.status_code == 400 and response.json()["field"] == "name"
    response = send(http, "patch", f"{URL}/pipelines/{sales.pk}", {"win_rules": "current"})
    assert response.status_code == 200 and response.json()["win_rules"] == "current"
    assert send(api(sales_rep), "patch", f"{URL}/pipelines/{sales.pk}", {"name": "X"}).status_code == 403
    assert send(api(sales_rep), "patch", f"{URL}/pipelines/{sales.pk}", {}).status_code == 403


def test_api_stage_rename_and_move(api, sales, stages, sales_manager, sales_rep):
    http = api(sales_manager)
    stage = stages["Negotiation"]
    response = send(http, "patch", f"{URL}/stages/{stage.pk}", {"name": "Haggling", "position": 1})
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Haggling" and response.json()["position"] == 1
    assert order(sales)[0] == (1, "Haggling")
    response = send(http, "patch", f"{URL}/stages/{stage.pk}", {"name": "Closing"})
    assert response.status_code == 409 and response.json()["code"] == "duplicate"
    response = send(http, "patch", f"{URL}/stages/{stage.pk}", {"name": ""})
    assert response.status_code == 400 and response.json()["field"] == "name"
    response = send(http, "patch", f"{URL}/stages/{stage.pk}", {"position": 9})
    assert response.status_code == 400 and response.json()["field"] == "position"
    response = send(http, "patch", f"{URL}/stages/{stage.pk}", {"name": "Talks", "position": 0})
    assert response.status_code == 400 and Stage.objects.get(pk=stage.pk).name == "Haggling"  # all or nothing
    assert send(api(sales_rep), "patch", f"{URL}/stages/{stage.pk}", {"name": "X"}).status_code == 403
    assert send(api(sales_rep), "patch", f"{URL}/stages/{stage.pk}", {}).status_code == 403


def test_api_stage_rule_label_archive_restore_delete(api, sales, stages, sales_manager, sales_rep):
    http = api(sales_manager)
    rule = checklist_rule(stages)
    response = send(http, "patch", f"{URL}/stage-rules/{rule.pk}", {"label": "Needs written down"})
    assert response.status_code == 200 and response.json()["label"] == "Needs written down"
    response = send(http, "patch", f"{URL}/stage-rules/{rule.pk}", {"label": ""})
    assert response.status_code == 400 and response.json()["field"] == "label"
    spare = services.add_stage_rule(stages["Needs analysis"], by=sales_manager, kind="checklist", label="Spare")
    response = send(http, "patch", f"{URL}/stage-rules/{rule.pk}", {"label": "SPARE"})
    assert response.status_code == 409 and response.json()["code"] == "duplicate"
    response = send(http, "post", f"{URL}/stage-rules/{rule.pk}/archive")
    assert response.status_code == 200 and response.json()["is_archived"] is True
    stage_rules = [r["id"] for s in http.get(f"{URL}/pipelines").json()[0]["stages"] for r in s["rules"]]
    assert rule.pk not in stage_rules and spare.pk in stage_rules
    assert send(http, "post", f"{URL}/stage-rules/{rule.pk}/restore").json()["is_archived"] is False
    assert send(api(sales_rep), "post", f"{URL}/stage-rules/{rule.pk}/archive").status_code == 403
    assert send(api(sales_rep), "patch", f"{URL}/stage-rules/{rule.pk}", {}).status_code == 403
    deal = services.create_deal(by=sales_rep, client=ClientFactory(owner=sales_rep), title="Pumps",
                                stage=stages["Needs analysis"])
    services.set_checklist_item(deal, rule, True, by=sales_rep)
    response = http.delete(f"{URL}/stage-rules/{rule.pk}")
    assert response.status_code == 409 and response.json()["code"] == "referenced"
    assert http.delete(f"{URL}/stage-rules/{spare.pk}").status_code == 204
    assert not StageRule.objects.filter(pk=spare.pk).exists()


# --- The settings page ----------------------------------------------------------------------------------

def post_page(client, data):
    return client.post(reverse("crm:pipeline-list"), data)


def test_page_renames_moves_relabels_and_removes(client, sales, stages, sales_manager):
    client.force_login(sales_manager)
    html = client.get(reverse("crm:pipeline-list")).content.decode()
    assert 'class="setup-row-form stage-name-form"' in html and "rule-label-form" in html
    assert post_page(client, {"action": "pipeline_name", "pipeline": sales.pk, "name": "Retail"}).status_code == 302
    stage = stages["Proposal"]
    response = post_page(client, {"action": "stage_name", "stage": stage.pk, "name": "Offer"})
    assert response.status_code == 302 and response.url.endswith(f"#stage-{stage.pk}")
    response = post_page(client, {"action": "stage_move", "stage": stage.pk, "position": 2, "from_position": 3})
    assert response.status_code == 302
    assert order(sales)[:3] == [(1, "Qualification"), (2, "Offer"), (3, "Needs analysis")]
    rule = checklist_rule(stages)
    assert post_page(client, {"action": "rule_label", "rule": rule.pk, "label": "Needs listed"}).status_code == 302
    html = client.get(reverse("crm:pipeline-list")).content.decode()
    assert 'value="Retail"' in html and 'value="Offer"' in html and 'value="Needs listed"' in html
    assert post_page(client, {"action": "rule_remove", "rule": rule.pk}).status_code == 302
    assert not StageRule.objects.filter(pk=rule.pk).exists()
    assert post_page(client, {"action": "pipeline", "pipeline-name": "Projects"}).status_code == 302
    assert Pipeline.objects.filter(name="Projects").exists()


def test_page_shows_refusals_in_the_row(client, sales, stages, sales_manager):
    client.force_login(sales_manager)
    stage = stages["Proposal"]
    response = post_page(client, {"action": "stage_name", "stage": stage.pk, "name": " "})
    assert response.status_code == 400
    assert 'role="alert"><li>Enter a name.</li>' in response.content.decode()
    response = post_page(client, {"action": "stage_name", "stage": stage.pk, "name": "closing"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "has a stage “closing” already" in html and 'value="closing"' in html
    response = post_page(client, {"action": "pipeline_name", "pipeline": sales.pk, "name": ""})
    assert response.status_code == 400
    response = post_page(client, {"action": "stage_move", "stage": stage.pk, "position": 1, "from_position": 5})
    assert response.status_code == 409 and "Someone moved stage" in response.content.decode()
    response = post_page(client, {"action": "rule_label", "rule": checklist_rule(stages).pk, "label": ""})
    assert response.status_code == 400 and "A checklist item needs a label." in response.content.decode()
    assert Stage.objects.get(pk=stage.pk).name == "Proposal" and stage.position == 3


def test_representative_sees_no_setup_forms_and_may_not_post(client, sales_rep, sales, stages):
    rep = client
    rep.force_login(sales_rep)
    html = rep.get(reverse("crm:pipeline-list")).content.decode()
    assert "stage-name-form" not in html and "rule-remove-form" not in html and "pipeline-name-form" not in html
    assert post_page(rep, {"action": "stage_name", "stage": stages["Proposal"].pk, "name": "X"}).status_code == 403
    rule = checklist_rule(stages)
    assert post_page(rep, {"action": "rule_remove", "rule": rule.pk}).status_code == 403
