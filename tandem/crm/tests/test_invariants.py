"""Rules the database holds itself (the backstop behind the services' friendly checks), and how a refusal by
the database reaches people: a 409 "conflict" in the API, a form error on a page, never a 500."""

import json
from decimal import Decimal
from unittest import mock

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.crm.models import Campaign, Deal, DealStageVisit, LostReason, MarketingEvent, Pipeline
from tandem.crm.queries.deals import filter_deals
from tandem.crm.services import deals as services
from tandem.crm.tests.factories import PipelineFactory

URL = "/api/v1/crm"


def refused_by_database(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


# --- Pipelines ------------------------------------------------------------------------------------------

def test_at_most_one_default_pipeline(sales):
    assert sales.is_default
    refused_by_database(lambda: Pipeline.objects.create(name="Second default", is_default=True))
    Pipeline.objects.create(name="Not default")  # any number of others


def test_a_new_default_pipeline_takes_over(sales, admin_user):
    projects = services.create_pipeline(by=admin_user, name="Projects", is_default=True,
                                        stages=[{"name": "Scoping"}])
    assert list(Pipeline.objects.filter(is_default=True)) == [projects]


def test_pipeline_names_are_unique_in_any_letter_case(sales, admin_user):
    refused_by_database(lambda: Pipeline.objects.create(name="SALES"))
    with pytest.raises(ConflictError) as refusal:
        services.create_pipeline(by=admin_user, name="sales")
    assert refusal.value.code == "duplicate" and refusal.value.field == "name"


def test_lost_reason_names_are_unique_in_any_letter_case(sales, admin_user):
    LostReason.objects.create(name="Too late")
    refused_by_database(lambda: LostReason.objects.create(name="TOO LATE"))
    with pytest.raises(ConflictError):
        services.create_lost_reason(by=admin_user, name="too late")


# --- Deals ----------------------------------------------------------------------------------------------

def test_a_deals_pipeline_is_its_stages(deal, sales, admin_user):
    projects = PipelineFactory(name="Projects", stages=["Scoping", "Offer"])
    assert deal.pipeline == sales and deal.pipeline_id == sales.pk
    # There is no second column to disagree: moving into another pipeline's stage is refused, and the
    # pipeline always follows the stage.
    with pytest.raises(BusinessRuleError) as refusal:
        services.move_deal_to_stage(deal, projects.stages.first(), by=admin_user)
    assert refusal.value.code == "stage_not_in_pipeline"
    assert not any(f.name == "pipeline" for f in Deal._meta.get_fields())


def test_deals_open_in_the_given_pipeline_and_filter_by_it(sales, sales_rep, own_client):
    projects = PipelineFactory(name="Projects", stages=["Scoping", "Offer"])
    deal = services.create_deal(by=sales_rep, client=own_client, title="Crane", pipeline=projects)
    assert deal.stage.name == "Scoping" and deal.pipeline == projects
    assert list(filter_deals(Deal.objects.all(), pipeline=projects.pk)) == [deal]
    assert list(filter_deals(Deal.objects.all(), pipeline=sales.pk)) == []


def test_at_most_one_open_stage_visit_per_deal(deal):
    refused_by_database(lambda: DealStageVisit.objects.create(deal=deal, stage=deal.stage, entered_at=timezone.now()))
    DealStageVisit.objects.create(deal=deal, stage=deal.stage, entered_at=timezone.now(), left_at=timezone.now())


def test_amounts_and_costs_cannot_be_negative(deal):
    refused_by_database(lambda: Deal.objects.filter(pk=deal.pk).update(amount=Decimal("-1")))
    Deal.objects.filter(pk=deal.pk).update(amount=None)  # unknown is allowed
    refused_by_database(lambda: Campaign.objects.create(name="Spring", cost=Decimal("-0.01")))
    refused_by_database(lambda: MarketingEvent.objects.create(name="Fair", starts_on=timezone.localdate(),
                                                              cost=Decimal("-5")))


# --- A race past a service's check: 409, never a 500 ----------------------------------------------------

def _racing_duplicate_pipeline(**kwargs):
    """What a request meets when another one created the same pipeline between its check and its insert."""
    with transaction.atomic():
        Pipeline.objects.create(name="racing")
        Pipeline.objects.create(name="RACING")


def test_api_answers_a_database_refusal_with_409_conflict(api, admin_user, sales):
    with mock.patch.object(services, "create_pipeline", _racing_duplicate_pipeline):
        response = api(admin_user).post(f"{URL}/pipelines", json.dumps({"name": "Racing"}),
                                        content_type="application/json")
    assert response.status_code == 409
    assert response.json() == {
        "code": "conflict", "field": "name", "message": "A pipeline with this name exists already.",
        "errors": [{"field": "name", "message": "A pipeline with this name exists already."}],
    }
    assert not Pipeline.objects.filter(name__iexact="racing").exists()


def test_form_shows_a_database_refusal_as_a_form_error(client, admin_user, sales):
    client.force_login(admin_user)
    with mock.patch.object(services, "create_pipeline", _racing_duplicate_pipeline):
        response = client.post(reverse("crm:pipeline-list"), {"action": "pipeline", "pipeline-name": "Racing"})
    assert response.status_code == 200
    assert response.context["forms"]["pipeline"].errors["name"] == ["A pipeline with this name exists already."]
    assert not Pipeline.objects.filter(name__iexact="racing").exists()


def test_an_unknown_constraint_still_gives_409_without_a_field(api, admin_user, sales):
    def broken(**kwargs):
        raise IntegrityError("some_other_constraint violated")

    with mock.patch.object(services, "create_pipeline", broken):
        response = api(admin_user).post(f"{URL}/pipelines", json.dumps({"name": "X"}),
                                        content_type="application/json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict" and body["field"] is None and "Reload" in body["message"]
