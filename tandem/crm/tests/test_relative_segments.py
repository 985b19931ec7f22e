"""Segments that stay true: relative criteria are stored as numbers and evaluated when the segment is used."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.core.errors import BusinessRuleError
from tandem.crm.models import Deal, Segment
from tandem.crm.segments import (
    annotate_clients,
    apply_criteria,
    describe_criteria,
    months_before,
    segment_clients,
    validate_criteria,
)
from tandem.crm.services import segments as services
from tandem.crm.tests.factories import DealFactory
from tandem.crm.tests.factories_activity import InteractionFactory
from tandem.parties.models import Client
from tandem.parties.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def names(segment, user):
    return sorted(c.name for c in segment_clients(segment, user))


def test_not_contacted_for_90_days_moves_with_the_calendar(sales_manager):
    now = timezone.now()
    recent, quiet, never = (ClientFactory(name=n) for n in ("Recent", "Quiet", "Never"))
    InteractionFactory(client=recent, occurred_at=now - datetime.timedelta(days=10))
    InteractionFactory(client=quiet, occurred_at=now - datetime.timedelta(days=120))
    segment = services.create_segment(by=sales_manager, name="Not contacted for 90 days",
                                      criteria={"no_interaction_days": "90"})
    assert Segment.objects.get(pk=segment.pk).criteria == {"no_interaction_days": 90}  # a number, not a date
    assert names(segment, sales_manager) == ["Never", "Quiet"]
    # 85 days later the recent client has not been contacted for 95 days: it joins without any edit.
    later = now + datetime.timedelta(days=85)
    qs = apply_criteria(annotate_clients(Client.objects.all(), "EUR"), segment.criteria, now=later)
    assert sorted(c.name for c in qs) == ["Never", "Quiet", "Recent"]


def test_created_and_won_within(sales_manager):
    now = timezone.now()
    new, old = ClientFactory(name="New"), ClientFactory(name="Old")
    Client.objects.filter(pk=old.pk).update(created_at=now - datetime.timedelta(days=400))
    created = services.create_segment(by=sales_manager, name="New clients", criteria={"created_within_days": 30})
    assert names(created, sales_manager) == ["New"]

    DealFactory(client=old, status=Deal.Status.WON, closed_at=now - datetime.timedelta(days=60))
    DealFactory(client=new, status=Deal.Status.WON, closed_at=now - datetime.timedelta(days=500))
    won = services.create_segment(by=sales_manager, name="Won lately", criteria={"won_within_months": 6})
    assert names(won, sales_manager) == ["Old"]


def test_months_before_keeps_the_day_or_takes_the_last_of_a_shorter_month():
    moment = datetime.datetime(2026, 3, 31, 12, 0, tzinfo=datetime.UTC)
    assert months_before(moment, 1) == datetime.datetime(2026, 2, 28, 12, 0, tzinfo=datetime.UTC)
    assert months_before(moment, 14) == datetime.datetime(2025, 1, 31, 12, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(("key", "value"), [("no_interaction_days", 0), ("no_interaction_days", 36501),
                                            ("created_within_days", -5), ("won_within_months", 1201),
                                            ("won_within_months", "soon"), ("no_interaction_days", True)])
def test_bounds_name_the_field(key, value):
    with pytest.raises(BusinessRuleError) as exc:
        validate_criteria({key: value})
    assert exc.value.field == f"criteria.{key}"


def test_described_in_words():
    rows = describe_criteria(validate_criteria({"no_interaction_days": 90, "won_within_months": 1,
                                                "last_interaction_before": "2026-01-01"}))
    assert ("No interaction in the last", "90 days") in rows
    assert ("Won a deal in the last", "1 month") in rows
    assert ("No interaction since", "Jan 1, 2026") in rows  # absolute criteria keep working


def test_api_accepts_relative_criteria_and_refuses_out_of_bounds(api, sales_manager):
    http = api(sales_manager)
    too_long = {"name": "Quiet", "criteria": {"no_interaction_days": 36501}}
    response = http.post("/api/v1/crm/segments", json.dumps(too_long), content_type="application/json")
    assert response.status_code == 400 and response.json()["field"] == "criteria.no_interaction_days"
    assert not Segment.objects.exists()
    quiet = {"name": "Quiet", "criteria": {"no_interaction_days": 90}}
    response = http.post("/api/v1/crm/segments", json.dumps(quiet), content_type="application/json")
    assert response.status_code == 201 and response.json()["criteria"] == {"no_interaction_days": 90}
    ClientFactory(name="Silent GmbH")
    members = http.get(f"/api/v1/crm/segments/{response.json()['id']}/clients").json()
    assert "Silent GmbH" in json.dumps(members)


def test_form_and_page(client, sales_manager):
    client.force_login(sales_manager)
    response = client.post(reverse("crm:segment-create"), {"name": "Quiet", "segment_kind": "rule",
                                                           "no_interaction_days": "0"})
    assert response.status_code == 400 and not Segment.objects.exists()
    assert "Ensure this value is greater than or equal to 1" in response.content.decode()
    response = client.post(reverse("crm:segment-create"), {"name": "Quiet", "segment_kind": "rule",
                                                           "no_interaction_days": "90"})
    segment = Segment.objects.get()
    assert response.status_code == 302 and segment.criteria == {"no_interaction_days": 90}
    page = client.get(reverse("crm:segment-detail", args=[segment.pk])).content.decode()
    assert "No interaction in the last" in page and "90 days" in page
    edit = client.get(reverse("crm:segment-edit", args=[segment.pk])).content.decode()
    assert 'name="no_interaction_days" value="90"' in edit
