"""Two people edit one deal: the second save, based on the version they opened, is refused (409 "stale",
"changed by someone else since you opened it") and nothing is written. A board that no longer shows where a
deal is cannot move it (a stale board used to move deals backward silently)."""

import json

import pytest
from django.urls import reverse

from tandem.core.errors import ConflictError
from tandem.core.models import AuditEntry
from tandem.crm.models import Deal, DealStageVisit, Pipeline
from tandem.crm.services import deals as services

URL = "/api/v1/crm"
STALE = "changed by someone else since you opened it"


def patch(http, url, data, **headers):
    return http.patch(url, json.dumps(data), content_type="application/json", headers=headers)


# --- Services -------------------------------------------------------------------------------------------

def test_every_change_counts_one_version(deal, stages, sales_rep):
    Pipeline.objects.update(win_rules=Pipeline.WinRules.CURRENT)  # winning checks the deal's stage only
    assert deal.version == 1
    deal = services.update_deal(deal, by=sales_rep, title="Pumps, two")
    assert deal.version == 2
    deal = services.update_deal(deal, by=sales_rep, title="Pumps, two")  # nothing changed: same version
    assert deal.version == 2
    deal = services.move_deal_to_stage(deal, stages["Qualification"], by=sales_rep)  # already there
    assert deal.version == 2
    services.set_checklist_item(deal, stages["Needs analysis"].rules.get(), True, by=sales_rep)
    deal = services.move_deal_to_stage(deal, stages["Needs analysis"], by=sales_rep)
    assert deal.version == 3
    deal = services.win_deal(deal, by=sales_rep)
    assert Deal.objects.get(pk=deal.pk).version == 4
    deal = services.reopen_deal(deal, by=sales_rep)
    assert Deal.objects.get(pk=deal.pk).version == 5


def test_an_edit_based_on_an_old_version_is_refused_and_writes_nothing(deal, sales_rep):
    opened = deal.version
    services.update_deal(deal, by=sales_rep, title="Saved first", expected_version=opened)
    audit_before = AuditEntry.objects.count()
    with pytest.raises(ConflictError) as refusal:
        services.update_deal(deal, by=sales_rep, title="Saved second", expected_version=opened)
    assert refusal.value.code == "stale" and STALE in refusal.value.message
    assert refusal.value.status_code == 409
    deal.refresh_from_db()
    assert deal.title == "Saved first" and deal.version == opened + 1
    assert AuditEntry.objects.count() == audit_before


def test_without_a_version_the_edit_applies_to_the_current_one(deal, sales_rep):
    services.update_deal(deal, by=sales_rep, title="One")
    assert services.update_deal(deal, by=sales_rep, title="Two").title == "Two"


def test_a_move_from_a_stage_the_deal_has_left_is_refused(deal, stages, sales_rep):
    services.set_checklist_item(deal, stages["Needs analysis"].rules.get(), True, by=sales_rep)
    services.move_deal_to_stage(deal, stages["Needs analysis"], by=sales_rep)
    # A board opened before that move still shows the deal in "Qualification"; dragging it "back" there
    # from that stale column would silently undo the move.
    with pytest.raises(ConflictError) as refusal:
        services.move_deal_to_stage(deal, stages["Qualification"], by=sales_rep, from_stage=stages["Qualification"])
    assert refusal.value.code == "stale"
    assert Deal.objects.get(pk=deal.pk).stage == stages["Needs analysis"]
    assert DealStageVisit.objects.filter(deal=deal).count() == 2
    # Seen in the right stage, the same move goes through.
    moved = services.move_deal_to_stage(deal, stages["Qualification"], by=sales_rep,
                                        from_stage=stages["Needs analysis"])
    assert moved.stage == stages["Qualification"]


# --- API ------------------------------------------------------------------------------------------------

def test_get_returns_the_version_and_its_etag(api, deal, sales_rep):
    response = api(sales_rep).get(f"{URL}/deals/{deal.pk}")
    assert response.status_code == 200
    assert response.json()["version"] == 1 and response.headers["ETag"] == '"1"'


def test_patch_with_a_current_if_match_applies_and_returns_the_new_etag(api, deal, sales_rep):
    response = patch(api(sales_rep), f"{URL}/deals/{deal.pk}", {"title": "New"}, **{"If-Match": '"1"'})
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2 and response.headers["ETag"] == '"2"'


@pytest.mark.parametrize("precondition", [{"headers": {"If-Match": '"1"'}}, {"body": {"version": 1}}],
                         ids=["if-match", "version-in-body"])
def test_patch_based_on_an_old_version_is_refused_with_409_stale(api, deal, sales_rep, precondition):
    services.update_deal(deal, by=sales_rep, title="Someone else's")
    body = {"title": "Mine", **precondition.get("body", {})}
    response = patch(api(sales_rep), f"{URL}/deals/{deal.pk}", body, **precondition.get("headers", {}))
    assert response.status_code == 409
    error = response.json()
    assert error["code"] == "stale" and STALE in error["message"] and error["current_version"] == 2
    assert error["errors"] == [{"field": None, "message": error["message"]}]
    assert Deal.objects.get(pk=deal.pk).title == "Someone else's"


def test_patch_without_a_precondition_still_works(api, deal, sales_rep):
    services.update_deal(deal, by=sales_rep, title="Someone else's")
    response = patch(api(sales_rep), f"{URL}/deals/{deal.pk}", {"title": "Mine"})
    assert response.status_code == 200 and response.json()["title"] == "Mine"


def test_if_match_that_is_no_version_is_refused(api, deal, sales_rep):
    response = patch(api(sales_rep), f"{URL}/deals/{deal.pk}", {"title": "Mine"}, **{"If-Match": "yesterday"})
    assert response.status_code == 409 and response.json()["code"] == "stale"


def test_api_move_from_a_stale_stage_is_refused(api, deal, stages, sales_rep):
    services.set_checklist_item(deal, stages["Needs analysis"].rules.get(), True, by=sales_rep)
    services.move_deal_to_stage(deal, stages["Needs analysis"], by=sales_rep)
    response = api(sales_rep).post(f"{URL}/deals/{deal.pk}/move", json.dumps(
        {"stage_id": stages["Qualification"].pk, "from_stage_id": stages["Qualification"].pk}),
        content_type="application/json")
    assert response.status_code == 409 and response.json()["code"] == "stale"
    assert response.json()["current_stage_id"] == stages["Needs analysis"].pk
    assert Deal.objects.get(pk=deal.pk).stage == stages["Needs analysis"]


# --- Pages ----------------------------------------------------------------------------------------------

def test_edit_form_carries_the_version_and_refuses_a_stale_save(client, deal, sales_rep):
    client.force_login(sales_rep)
    page = client.get(reverse("crm:deal-edit", args=[deal.pk])).content.decode()
    assert 'type="hidden" name="version" value="1"' in page
    services.update_deal(deal, by=sales_rep, title="Someone else's")
    response = client.post(reverse("crm:deal-edit", args=[deal.pk]),
                           {"title": "Mine", "client": deal.client_id, "version": "1"})
    assert response.status_code == 200
    assert STALE in response.content.decode()
    assert Deal.objects.get(pk=deal.pk).title == "Someone else's"
    # Reopened, the form carries the current version and the save goes through.
    response = client.post(reverse("crm:deal-edit", args=[deal.pk]),
                           {"title": "Mine", "client": deal.client_id, "version": "2"})
    assert response.status_code == 302 and Deal.objects.get(pk=deal.pk).title == "Mine"


def test_board_cards_and_stage_buttons_carry_the_stage_seen(client, deal, sales_rep):
    client.force_login(sales_rep)
    board = client.get(reverse("crm:deal-board")).content.decode()
    assert f'data-stage-id="{deal.stage_id}"' in board
    detail = client.get(reverse("crm:deal-detail", args=[deal.pk])).content.decode()
    assert f'name="from_stage_id" value="{deal.stage_id}"' in detail


def test_board_move_from_a_stale_column_is_refused(client, deal, stages, sales_rep):
    client.force_login(sales_rep)
    services.set_checklist_item(deal, stages["Needs analysis"].rules.get(), True, by=sales_rep)
    services.move_deal_to_stage(deal, stages["Needs analysis"], by=sales_rep)
    response = client.post(reverse("crm:deal-move", args=[deal.pk]),
                           {"stage_id": stages["Qualification"].pk, "from_stage_id": stages["Qualification"].pk},
                           headers={"X-Requested-With": "fetch"})
    assert response.status_code == 409
    assert STALE in response.content.decode()
    assert Deal.objects.get(pk=deal.pk).stage == stages["Needs analysis"]

