"""Factories for the marketing side of the CRM tests: campaigns, marketing events, leads."""

import datetime
from decimal import Decimal

import factory

from tandem.core.tests.factories import UserFactory
from tandem.crm.models import Campaign, EventAttendee, Lead, MarketingEvent


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Campaign {n}")
    starts_on = datetime.date(2025, 1, 1)
    cost = Decimal("1000.00")
    currency = "EUR"


class MarketingEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MarketingEvent

    name = factory.Sequence(lambda n: f"Trade fair {n}")
    kind = MarketingEvent.Kind.EXHIBITION
    starts_on = datetime.date(2025, 3, 10)
    ends_on = datetime.date(2025, 3, 12)
    cost = Decimal("3000.00")
    currency = "EUR"


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    name = factory.Sequence(lambda n: f"Lena Lead{n}")
    company_name = factory.Sequence(lambda n: f"Prospect {n} GmbH")
    email = factory.Sequence(lambda n: f"lead{n}@prospect.example")
    owner = factory.SubFactory(UserFactory)


class EventAttendeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventAttendee

    event = factory.SubFactory(MarketingEventFactory)
