"""REST API for segments and the comparison report."""

from decimal import Decimal

from tandem.core.models import AuditEntry
from tandem.crm.models import Deal, Segment
from tandem.crm.tests.factories import DealFactory
from tandem.crm.tests.factories_planning import SegmentFactory
from tandem.parties.models import Client
from tandem.parties.tests.factories import ClientFactory

JSON = "application/json"


def test_create_get_patch_delete_segment(api, admin_user):
    http = api(admin_user)
    response = http.post("/api/v1/crm/segments", {"name": "Active B2B", "criteria": {"status": ["active"],
                                                                                    "kind": "b2b"}},
                         content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["criteria"] == {"status": ["active"], "kind": "b2b"}
    pk = body["id"]
    assert http.get(f"/api/v1/crm/segments/{pk}").json()["name"] == "Active B2B"
    patched = http.patch(f"/api/v1/crm/segments/{pk}", {"criteria": {"won_deals_min": 1}}, content_type=JSON)
    assert patched.status_code == 200
    assert patched.json()["criteria"] == {"won_deals_min": 1}
    assert http.get("/api/v1/crm/segments").json()["count"] == 1
    assert http.delete(f"/api/v1/crm/segments/{pk}").status_code == 204
    assert not Segment.objects.exists()


def test_bad_criteria_answer_400_with_field_and_write_nothing(api, admin_user):
    http = api(admin_user)
    for criteria, field in (({"colour": "red"}, "criteria.colour"),
                            ({"won_amount_min": "x"}, "criteria.won_amount_min"),
                            ({"status": ["sleepy"]}, "criteria.status")):
        response = http.post("/api/v1/crm/segments", {"name": "S", "criteria": criteria}, content_type=JSON)
        assert response.status_code == 400
        assert response.json()["field"] == field
        assert response.json()["message"]
    response = http.post("/api/v1/crm/segments", {"name": "S", "colour": 1}, content_type=JSON)
    assert response.status_code == 400 and response.json()["field"] == "colour"
    assert not Segment.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="crm.segment").exists()


def test_segment_clients_paginated_with_won_amounts(api, admin_user):
    a = ClientFactory(name="A", status=Client.Status.ACTIVE)
    ClientFactory(name="B", status=Client.Status.ACTIVE)
    ClientFactory(name="C", status=Client.Status.ACTIVE)
    DealFactory(client=a, owner=a.owner, status=Deal.Status.WON, amount=Decimal("12.345"))
    segment = SegmentFactory(criteria={"status": ["active"]})
    body = api(admin_user).get(f"/api/v1/crm/segments/{segment.pk}/clients?page=1&page_size=2").json()
    assert body["count"] == 3
    assert [c["name"] for c in body["items"]] == ["A", "B"]
    assert body["items"][0]["won_deals"] == 1
    assert body["items"][0]["won_amount"] == "12.35"
    assert body["items"][0]["currency"] == "EUR"


def test_static_members_add_and_remove(api, admin_user):
    http = api(admin_user)
    group = SegmentFactory(kind=Segment.Kind.STATIC)
    a, b = ClientFactory(), ClientFactory()
    response = http.post(f"/api/v1/crm/segments/{group.pk}/members", {"client_ids": [a.pk, b.pk]}, content_type=JSON)
    assert response.status_code == 200
    assert sorted(response.json()["added"]) == sorted([a.pk, b.pk])
    assert http.delete(f"/api/v1/crm/segments/{group.pk}/members/{a.pk}").status_code == 204
    assert list(group.members.all()) == [b]
    bad = http.post(f"/api/v1/crm/segments/{group.pk}/members", {"client_ids": [999999]}, content_type=JSON)
    assert bad.status_code == 400 and bad.json()["field"] == "client_ids"


def test_representative_may_read_but_not_write_segments(api, sales_rep):
    segment = SegmentFactory()
    http = api(sales_rep)
    assert http.get(f"/api/v1/crm/segments/{segment.pk}/clients").status_code == 200
    assert http.post("/api/v1/crm/segments", {"name": "X"}, content_type=JSON).status_code == 403
    assert http.delete(f"/api/v1/crm/segments/{segment.pk}").status_code == 403


def test_comparison_report(api, admin_user):
    c = ClientFactory(status=Client.Status.ACTIVE)
    DealFactory(client=c, owner=c.owner, status=Deal.Status.WON, amount=Decimal("10.00"))
    DealFactory(client=c, owner=c.owner, status=Deal.Status.WON, amount=Decimal("5.01"))
    DealFactory(client=c, owner=c.owner, status=Deal.Status.LOST, amount=Decimal("1"))
    s1 = SegmentFactory(name="All")
    s2 = SegmentFactory(name="None", criteria={"status": ["archived"]})
    http = api(admin_user)
    body = http.get(f"/api/v1/crm/reports/segment-comparison?ids={s1.pk},{s2.pk}").json()
    assert body[0] == {"segment_id": s1.pk, "name": "All", "clients": 1, "deals": 3, "won_deals": 2, "lost_deals": 1,
                       "conversion_rate": "66.67",
                       "by_currency": [{"currency": "EUR", "won_deals": 2, "won_amount": "15.01",
                                        "average_won_deal": "7.51"}],
                       "won_base": {"currency": "EUR", "amount": "15.01", "date": body[0]["won_base"]["date"],
                                    "missing": []}}
    assert body[1]["clients"] == 0 and body[1]["conversion_rate"] is None
    bad = http.get("/api/v1/crm/reports/segment-comparison?ids=1,x")
    assert bad.status_code == 400 and bad.json()["field"] == "ids"
    missing = http.get("/api/v1/crm/reports/segment-comparison?ids=999999")
    assert missing.status_code == 400 and missing.json()["field"] == "ids"
