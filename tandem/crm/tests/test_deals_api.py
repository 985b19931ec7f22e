"""Deal API: status codes, error shape, nothing written on refusal, constant query count."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.core import roles
from tandem.core.models import AuditEntry
from tandem.crm.models import Deal, DealStageVisit, LostReason, Pipeline
from tandem.crm.services import deals as services
from tandem.crm.tests.factories import DealFactory
from tandem.parties.tests.factories import ClientFactory

URL = "/api/v1/crm"


def post(http, url, data=None):
    return http.post(url, json.dumps(data or {}), content_type="application/json")


@pytest.fixture
def rep_api(api, sales_rep):
    return api(sales_rep)


@pytest.fixture
def deal(sales, sales_rep):
    return services.create_deal(by=sales_rep, client=ClientFactory(owner=sales_rep), title="Pumps")


def test_create_and_get_deal(rep_api, sales, sales_rep):
    client = ClientFactory(owner=sales_rep)
    response = post(rep_api, f"{URL}/deals", {"title": "Valves", "client_id": client.pk, "amount": "1250.5"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount"] == "1250.50" and body["stage"]["name"] == "Qualification"
    assert body["actions"] == ["move", "win", "lose"]
    assert rep_api.get(f"{URL}/deals/{body['id']}").json()["title"] == "Valves"


def test_refused_move_has_the_error_shape_and_writes_nothing(rep_api, deal, stages):
    before = (DealStageVisit.objects.count(), AuditEntry.objects.count())
    response = post(rep_api, f"{URL}/deals/{deal.pk}/move", {"stage_id": stages["Proposal"].pk})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stage_rule_unmet" and body["field"] == "stage"
    assert body["missing"] == ["Needs identified"]
    assert "Needs identified" in body["message"]
    assert (DealStageVisit.objects.count(), AuditEntry.objects.count()) == before
    assert Deal.objects.get(pk=deal.pk).stage == stages["Qualification"]


def test_checklist_then_move(rep_api, deal, stages):
    post(rep_api, f"{URL}/deals/{deal.pk}/move", {"stage_id": stages["Needs analysis"].pk})
    rule = stages["Needs analysis"].rules.get()
    response = post(rep_api, f"{URL}/deals/{deal.pk}/checklist/{rule.pk}", {"done": True})
    assert response.status_code == 200 and response.json()[0]["done"] is True
    response = post(rep_api, f"{URL}/deals/{deal.pk}/move", {"stage_id": stages["Proposal"].pk})
    assert response.status_code == 200 and response.json()["stage"]["name"] == "Proposal"
    history = rep_api.get(f"{URL}/deals/{deal.pk}/stage-history").json()
    assert [h["stage"]["name"] for h in history] == ["Qualification", "Needs analysis", "Proposal"]
    assert history[0]["duration_seconds"] is not None and history[-1]["left_at"] is None


def test_patch_amount_and_lose_needs_reason(rep_api, deal):
    Pipeline.objects.update(win_rules=Pipeline.WinRules.CURRENT)  # winning checks the deal's stage only
    response = rep_api.patch(f"{URL}/deals/{deal.pk}", json.dumps({"amount": "10.005"}),
                             content_type="application/json")
    assert response.status_code == 200 and response.json()["amount"] == "10.01"
    response = post(rep_api, f"{URL}/deals/{deal.pk}/lose", {"note": "?"})
    assert response.status_code == 400 and response.json()["code"] == "lost_reason_required"
    reason = LostReason.objects.first()
    response = post(rep_api, f"{URL}/deals/{deal.pk}/lose", {"lost_reason_id": reason.pk})
    assert response.status_code == 200
    assert response.json()["status"] == "lost" and response.json()["actions"] == ["reopen"]
    assert post(rep_api, f"{URL}/deals/{deal.pk}/win").status_code == 409
    assert post(rep_api, f"{URL}/deals/{deal.pk}/reopen").json()["status"] == "open"
    assert post(rep_api, f"{URL}/deals/{deal.pk}/win").json()["status"] == "won"


def test_float_amount_is_refused(rep_api, deal):
    response = rep_api.patch(f"{URL}/deals/{deal.pk}", json.dumps({"amount": 10.5}), content_type="application/json")
    assert response.status_code == 400 and response.json()["field"] == "amount"


def test_representative_gets_404_for_others_deals(rep_api, sales, stages, make_user):
    foreign = DealFactory(owner=make_user(roles.SALES_REPRESENTATIVE, username="rep2"), pipeline=sales)
    assert rep_api.get(f"{URL}/deals/{foreign.pk}").status_code == 404
    assert post(rep_api, f"{URL}/deals/{foreign.pk}/move", {"stage_id": stages["Needs analysis"].pk}).status_code == 404
    assert rep_api.get(f"{URL}/deals").json()["count"] == 0


def test_list_filters_and_constant_query_count(api, sales_manager, sales, stages):
    manager_api = api(sales_manager)
    for _ in range(3):
        DealFactory(pipeline=sales)
    manager_api.get(f"{URL}/deals")  # warm-up: token and content-type caches
    with CaptureQueriesContext(connection) as few:
        assert manager_api.get(f"{URL}/deals").json()["count"] == 3
    for _ in range(12):
        DealFactory(pipeline=sales)
    with CaptureQueriesContext(connection) as many:
        assert manager_api.get(f"{URL}/deals").json()["count"] == 15
    assert len(many) == len(few)
    first = Deal.objects.first()
    assert manager_api.get(f"{URL}/deals", {"owner_id": first.owner_id}).json()["count"] == 1
    assert manager_api.get(f"{URL}/deals", {"stage": stages["Proposal"].pk}).json()["count"] == 0
    assert manager_api.get(f"{URL}/deals", {"q": first.title}).json()["count"] == 1
    assert manager_api.get(f"{URL}/deals", {"status": "won"}).json()["count"] == 0


def test_pipelines_and_lost_reasons(api, sales_manager, rep_api, sales):
    pipelines = rep_api.get(f"{URL}/pipelines").json()
    assert pipelines[0]["stages"][2]["rules"][0]["field_name"] == "amount"
    body = {"name": "Service", "stages": [{"name": "Call", "probability": 30,
                                           "rules": [{"kind": "checklist", "label": "Called"}]}]}
    assert post(rep_api, f"{URL}/pipelines", body).status_code == 403
    response = post(api(sales_manager), f"{URL}/pipelines", body)
    assert response.status_code == 201 and response.json()["stages"][0]["rules"][0]["label"] == "Called"
    assert post(api(sales_manager), f"{URL}/lost-reasons", {"name": "Too late"}).status_code == 201
    assert "Too late" in [r["name"] for r in rep_api.get(f"{URL}/lost-reasons").json()]


def test_report_endpoint(rep_api, deal, sales):
    services.lose_deal(deal, by=deal.owner, lost_reason=LostReason.objects.first())
    body = rep_api.get(f"{URL}/reports/lost-at-stage", {"pipeline": sales.pk, "from": "2000-01-01"}).json()
    assert body["total_lost"] == 1
    assert body["stages"][0]["lost_count"] == 1 and body["stages"][0]["lost_share"] == "100.0"
