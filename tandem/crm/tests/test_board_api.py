"""REST API side of the board work: deals filtered by source and client tag, stage limits on pipelines, and
interactions with the fields of their kind (a meeting's place and attendees)."""

from tandem.crm.models import Interaction
from tandem.crm.tests.factories import DealFactory
from tandem.parties.models import Tag
from tandem.parties.tests.factories import SourceFactory

BASE = "/api/v1/crm"
JSON = "application/json"


def test_deals_filter_by_source_and_tag(api, sales, sales_manager):
    web = SourceFactory(name="Website")
    tagged = DealFactory(pipeline=sales, source=web, title="Tagged web")
    tagged.client.tags.add(Tag.objects.create(name="VIP"))
    DealFactory(pipeline=sales, source=web, title="Plain web")
    DealFactory(pipeline=sales, title="No source")
    http = api(sales_manager)
    titles = {d["title"] for d in http.get(f"{BASE}/deals", {"source_id": web.pk}).json()["items"]}
    assert titles == {"Tagged web", "Plain web"}
    titles = {d["title"] for d in http.get(f"{BASE}/deals", {"tag": "vip"}).json()["items"]}
    assert titles == {"Tagged web"}


def test_pipeline_stages_carry_their_day_limit(api, sales_manager):
    http = api(sales_manager)
    response = http.post(f"{BASE}/pipelines", {"name": "Projects", "stages": [
        {"name": "Offer", "probability": 30, "max_days": 10}, {"name": "Contract", "probability": 80}]},
        content_type=JSON)
    assert response.status_code == 201, response.json()
    stages = response.json()["stages"]
    assert [(s["name"], s["max_days"]) for s in stages] == [("Offer", 10), ("Contract", None)]
    refused = http.post(f"{BASE}/pipelines", {"name": "Bad", "stages": [{"name": "X", "max_days": 0}]},
                        content_type=JSON)
    assert refused.status_code in (400, 422) and refused.json()["field"].endswith("max_days")


def test_meeting_place_and_attendees_and_refusals_by_kind(api, sales_rep, own_client):
    http = api(sales_rep)
    response = http.post(f"{BASE}/interactions", {
        "client_id": own_client.pk, "kind": "meeting", "occurred_at": "2030-03-01T10:00:00Z",
        "duration_minutes": 90, "place": "Plant 2", "attendees": "Head of purchasing"}, content_type=JSON)
    assert response.status_code == 201, response.json()
    assert (response.json()["place"], response.json()["attendees"]) == ("Plant 2", "Head of purchasing")
    refused = http.post(f"{BASE}/interactions", {"client_id": own_client.pk, "kind": "call_out",
                                                 "place": "Plant 2"}, content_type=JSON)
    assert refused.status_code == 400 and refused.json()["field"] == "place"
    url = f"{BASE}/interactions/{response.json()['id']}"
    refused = http.patch(url, {"kind": "note", "text": "x"}, content_type=JSON)  # a note has no place
    assert refused.status_code == 400
    assert Interaction.objects.get().kind == "meeting"


def test_a_stage_day_limit_and_probability_change_through_the_api(api, stages, sales_manager, sales_rep):
    from tandem.core.models import AuditEntry

    stage = stages["Proposal"]
    url = f"{BASE}/stages/{stage.pk}"
    assert api(sales_rep).patch(url, {"max_days": 5}, content_type=JSON).status_code == 403
    http = api(sales_manager)
    response = http.patch(url, {"max_days": 14}, content_type=JSON)
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["max_days"], body["probability"]) == (stage.pk, 14, stage.probability)
    stage.refresh_from_db()
    assert stage.max_days == 14
    assert AuditEntry.objects.filter(action="crm.stage.updated").exists()
    response = http.patch(url, {"probability": 55}, content_type=JSON)  # the limit stays
    assert (response.json()["probability"], response.json()["max_days"]) == (55, 14)
    response = http.patch(url, {"max_days": None}, content_type=JSON)  # null removes it
    assert response.status_code == 200 and response.json()["max_days"] is None
    for bad in ({"max_days": 0}, {"max_days": 3651}, {"probability": 101}, {"probability": None},
                {"max_days": "soon"}):
        refused = http.patch(url, bad, content_type=JSON)
        assert refused.status_code in (400, 422), bad
        assert refused.json()["field"].endswith(next(iter(bad))), refused.json()
    stage.refresh_from_db()
    assert (stage.probability, stage.max_days) == (55, None)
    assert http.patch(f"{BASE}/stages/999999", {"max_days": 3}, content_type=JSON).status_code == 404
