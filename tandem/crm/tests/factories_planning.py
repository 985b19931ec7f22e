"""Factories for segments, tasks and meetings (planning area of the CRM tests)."""

import datetime

import factory
from django.utils import timezone

from tandem.core.tests.factories import UserFactory
from tandem.crm.models import Interaction, Segment, Task
from tandem.parties.tests.factories import ClientFactory


class SegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Segment

    name = factory.Sequence(lambda n: f"Segment {n}")
    kind = Segment.Kind.RULE
    criteria = factory.LazyFunction(dict)


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    title = factory.Sequence(lambda n: f"Task {n}")
    assignee = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("assignee")
    due_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(hours=2))


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    client = factory.SubFactory(ClientFactory)
    kind = Interaction.Kind.CALL_OUT
    occurred_at = factory.LazyFunction(timezone.now)
    subject = factory.Sequence(lambda n: f"Contact {n}")
