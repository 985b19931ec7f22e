"""Segments: criteria validation, live evaluation as one query, static groups, visibility."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.core.errors import AccessDenied, BusinessRuleError, ConflictError
from tandem.core.models import AuditEntry
from tandem.crm.models import Deal, Segment
from tandem.crm.segments import segment_clients, validate_criteria
from tandem.crm.services import segments as services
from tandem.crm.tests.factories import DealFactory
from tandem.crm.tests.factories_planning import InteractionFactory, SegmentFactory
from tandem.parties.models import Client, Tag
from tandem.parties.tests.factories import ClientFactory, SourceFactory


def at(day: str, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.fromisoformat(f"{day}T{hour:02d}:00"))


def won(client, amount, currency="EUR"):
    return DealFactory(client=client, owner=client.owner, status=Deal.Status.WON,
                       amount=Decimal(amount) if amount is not None else None, currency=currency)


def names(segment, user):
    return [c.name for c in segment_clients(segment, user)]


# --- Validation -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("criteria", "field"), [
    ({"colour": "red"}, "criteria.colour"),
    ({"status": ["active", "sleepy"]}, "criteria.status"),
    ({"kind": "b2x"}, "criteria.kind"),
    ({"owner_id": 999999}, "criteria.owner_id"),
    ({"owner_id": "abc"}, "criteria.owner_id"),
    ({"source_id": 999999}, "criteria.source_id"),
    ({"tags": ["no-such-tag"]}, "criteria.tags"),
    ({"tags": [1, 2]}, "criteria.tags"),
    ({"last_interaction_after": "2024-13-01"}, "criteria.last_interaction_after"),
    ({"won_deals_min": -1}, "criteria.won_deals_min"),
    ({"won_deals_min": True}, "criteria.won_deals_min"),
    ({"won_amount_min": "lots"}, "criteria.won_amount_min"),
    ({"won_amount_min": 10.5}, "criteria.won_amount_min"),
    ({"won_amount_min": "-5"}, "criteria.won_amount_min"),
    ({"won_amount_min": "500", "won_amount_max": "100"}, "criteria.won_amount_max"),
    ({"currency": "EURO"}, "criteria.currency"),
])
def test_bad_criteria_are_refused_naming_the_key(db, criteria, field):
    with pytest.raises(BusinessRuleError) as exc:
        validate_criteria(criteria)
    assert exc.value.field == field
    assert exc.value.message


def test_criteria_are_normalised(db):
    Tag.objects.create(name="vip")
    assert validate_criteria({"status": "active", "tags": [" vip "], "won_amount_min": "1500", "currency": "usd",
                              "won_deals_min": "2", "name_contains": ""}) == {
        "status": ["active"], "tags": ["vip"], "won_amount_min": "1500", "currency": "USD", "won_deals_min": 2}


def test_bad_criteria_write_nothing(admin_user):
    with pytest.raises(BusinessRuleError):
        services.create_segment(by=admin_user, name="Broken", criteria={"won_deals_min": "many"})
    assert not Segment.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="crm.segment").exists()


# --- Evaluation -------------------------------------------------------------------------------------

def test_rule_segment_combines_client_fields_tags_interactions_and_won_deals(admin_user, sales_rep):
    vip = Tag.objects.create(name="vip")
    fair = SourceFactory(name="Fair")
    alpha = ClientFactory(name="Alpha", owner=sales_rep, status=Client.Status.ACTIVE, first_source=fair)
    beta = ClientFactory(name="Beta", owner=sales_rep, status=Client.Status.ACTIVE, first_source=fair)
    gamma = ClientFactory(name="Gamma", owner=sales_rep, status=Client.Status.INACTIVE, first_source=fair)
    for c in (alpha, beta, gamma):
        c.tags.add(vip)
    # Alpha: two won deals 1000.00 + 250.50 EUR (and a lost one, and a USD win not counted in EUR)
    won(alpha, "1000.00")
    won(alpha, "250.50")
    won(alpha, "9999", currency="USD")
    DealFactory(client=alpha, owner=sales_rep, status=Deal.Status.LOST, amount=Decimal("5000"))
    # Beta: one won deal of 300 EUR
    won(beta, "300.00")
    InteractionFactory(client=alpha, occurred_at=at("2025-03-01"))
    InteractionFactory(client=alpha, occurred_at=at("2025-05-10"))
    InteractionFactory(client=beta, occurred_at=at("2025-01-15"))

    segment = services.create_segment(by=admin_user, name="Loyal VIPs", criteria={
        "status": ["active"], "tags": ["vip"], "source_id": fair.pk, "won_deals_min": 2,
        "won_amount_min": "1250.50", "currency": "EUR", "last_interaction_after": "2025-05-10",
    })

    with CaptureQueriesContext(connection) as queries:
        members = list(segment_clients(segment, admin_user))
    assert len(queries) == 1
    assert [c.name for c in members] == ["Alpha"]
    alpha_row = members[0]
    assert alpha_row.won_deals == 3  # all currencies
    assert alpha_row.won_amount == Decimal("1250.50")  # EUR only
    assert alpha_row.last_interaction_at == at("2025-05-10")

    # One cent more than Alpha's EUR wins: nobody.
    segment = services.update_segment(segment, by=admin_user,
                                      criteria={**segment.criteria, "won_amount_min": "1250.51"})
    assert names(segment, admin_user) == []


def test_not_contacted_since_includes_clients_never_contacted(admin_user):
    old = ClientFactory(name="Old")
    fresh = ClientFactory(name="Fresh")
    ClientFactory(name="Never")
    InteractionFactory(client=old, occurred_at=at("2024-12-31", 23))
    InteractionFactory(client=fresh, occurred_at=at("2025-01-01", 0))
    segment = SegmentFactory(criteria=validate_criteria({"last_interaction_before": "2025-01-01"}))
    assert names(segment, admin_user) == ["Never", "Old"]


def test_won_deal_bounds_and_owner(admin_user, sales_rep):
    zero = ClientFactory(name="Zero", owner=sales_rep)
    one = ClientFactory(name="One", owner=sales_rep)
    ClientFactory(name="Other owner")
    won(one, "10")
    segment = SegmentFactory(criteria={"owner_id": sales_rep.pk, "won_deals_max": 0})
    assert names(segment, admin_user) == ["Zero"]
    assert zero.pk


def test_segments_evaluate_only_over_clients_the_user_may_see(admin_user, sales_rep, make_user):
    from tandem.core import roles

    other = make_user(roles.SALES_REPRESENTATIVE, username="rep2")
    ClientFactory(name="Mine", owner=sales_rep)
    ClientFactory(name="Theirs", owner=other)
    segment = SegmentFactory(criteria={"status": ["active"]})
    assert names(segment, admin_user) == ["Mine", "Theirs"]
    assert names(segment, sales_rep) == ["Mine"]


# --- Static groups ----------------------------------------------------------------------------------

def test_static_group_members_added_and_removed(admin_user):
    a = ClientFactory(name="A")
    b = ClientFactory(name="B")
    group = services.create_segment(by=admin_user, name="Newsletter", kind=Segment.Kind.STATIC)
    assert [c.pk for c in services.add_members(group, [b.pk, a.pk, a.pk], by=admin_user)] == [a.pk, b.pk]
    assert services.add_members(group, [a.pk], by=admin_user) == []
    assert names(group, admin_user) == ["A", "B"]
    services.remove_member(group, a, by=admin_user)
    assert names(group, admin_user) == ["B"]
    assert AuditEntry.objects.filter(action="crm.segment.members_added").count() == 1


def test_static_group_refuses_criteria_and_invisible_clients(admin_user, sales_rep):
    with pytest.raises(BusinessRuleError) as exc:
        services.create_segment(by=admin_user, name="G", kind=Segment.Kind.STATIC, criteria={"kind": "b2b"})
    assert exc.value.field == "criteria"
    group = SegmentFactory(kind=Segment.Kind.STATIC)
    foreign = ClientFactory(name="Foreign")
    # The representative may not change segments at all.
    with pytest.raises(AccessDenied):
        services.add_members(group, [foreign.pk], by=sales_rep)
    with pytest.raises(BusinessRuleError) as exc:
        services.add_members(group, [999999], by=admin_user)
    assert exc.value.field == "client_ids"
    assert not group.members.exists()


def test_rule_segment_has_no_hand_picked_members(admin_user):
    segment = SegmentFactory()
    with pytest.raises(BusinessRuleError) as exc:
        services.add_members(segment, [ClientFactory().pk], by=admin_user)
    assert exc.value.code == "not_static"


def test_segment_names_are_unique(admin_user):
    services.create_segment(by=admin_user, name="VIP")
    with pytest.raises(ConflictError) as exc:
        services.create_segment(by=admin_user, name="VIP")
    assert exc.value.field == "name"
    assert Segment.objects.count() == 1


def test_delete_segment_keeps_clients(admin_user):
    group = SegmentFactory(kind=Segment.Kind.STATIC)
    client = ClientFactory()
    group.members.add(client)
    services.delete_segment(group, by=admin_user)
    assert not Segment.objects.exists()
    assert Client.objects.filter(pk=client.pk).exists()


# --- Pages ------------------------------------------------------------------------------------------

def test_segment_pages(client, admin_user):
    client.force_login(admin_user)
    ClientFactory(name="Acme", status=Client.Status.ACTIVE)
    response = client.post("/crm/segments/new/", {"name": "Active", "segment_kind": "rule", "status": ["active"]})
    segment = Segment.objects.get()
    assert response.status_code == 302
    assert segment.criteria == {"status": ["active"]}
    page = client.get(f"/crm/segments/{segment.pk}/")
    assert page.status_code == 200
    assert "Acme" in page.content.decode()
    assert client.get("/crm/segments/").status_code == 200
    assert client.get(f"/crm/segments/{segment.pk}/edit/").status_code == 200


def test_segment_form_shows_criteria_error_on_its_field(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/crm/segments/new/", {"name": "X", "segment_kind": "rule", "won_deals_min": "3",
                                                  "won_deals_max": "1"})
    assert response.status_code == 400
    assert response.context["form"].errors["won_deals_max"]
    assert not Segment.objects.exists()


def test_static_group_member_pages(client, admin_user):
    client.force_login(admin_user)
    group = SegmentFactory(kind=Segment.Kind.STATIC)
    acme = ClientFactory(name="Acme")
    assert client.post(f"/crm/segments/{group.pk}/members/add/", {"client": acme.pk}).status_code == 302
    assert list(group.members.all()) == [acme]
    assert client.post(f"/crm/segments/{group.pk}/members/{acme.pk}/remove/").status_code == 302
    assert not group.members.exists()
    assert client.post(f"/crm/segments/{group.pk}/delete/").status_code == 302
    assert not Segment.objects.exists()
