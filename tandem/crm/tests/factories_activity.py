"""Factories for interactions, complaints and timeline tasks."""

import factory
from django.utils import timezone

from tandem.core.tests.factories import UserFactory
from tandem.crm.models import Complaint, Interaction, Task
from tandem.parties.tests.factories import ClientFactory


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    client = factory.SubFactory(ClientFactory)
    kind = Interaction.Kind.NOTE
    occurred_at = factory.LazyFunction(timezone.now)
    text = factory.Sequence(lambda n: f"Note {n}")
    created_by = factory.SelfAttribute("client.owner")


class ComplaintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Complaint

    client = factory.SubFactory(ClientFactory)
    category = Complaint.Category.QUALITY
    severity = Complaint.Severity.MEDIUM
    description = factory.Sequence(lambda n: f"Broken part {n}")
    assignee = factory.SelfAttribute("client.owner")
    deadline = factory.LazyAttribute(lambda o: Complaint.default_deadline(o.severity, timezone.now()))


class TimelineTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    title = factory.Sequence(lambda n: f"Call back {n}")
    client = factory.SubFactory(ClientFactory)
    assignee = factory.LazyAttribute(lambda o: o.client.owner if o.client else UserFactory())
    created_by = factory.SelfAttribute("assignee")
    due_at = factory.LazyFunction(timezone.now)
