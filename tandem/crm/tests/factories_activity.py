"""Factories for interactions, complaints and timeline tasks."""

import factory
from django.utils import timezone

from tandem.core.tests.factories import UserFactory
from tandem.crm.models import Complaint, ComplaintCategory, Interaction, Task
from tandem.parties.tests.factories import ClientFactory


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    client = factory.SubFactory(ClientFactory)
    kind = Interaction.Kind.NOTE
    occurred_at = factory.LazyFunction(timezone.now)
    text = factory.Sequence(lambda n: f"Note {n}")
    created_by = factory.SelfAttribute("client.owner")


class ComplaintCategoryFactory(factory.django.DjangoModelFactory):
    """By default the "quality" category the data migration creates (made again if a test flushed it)."""

    class Meta:
        model = ComplaintCategory
        django_get_or_create = ("code",)

    code = "quality"
    name = factory.LazyAttribute(lambda o: str(ComplaintCategory.FORMER_CODES.get(o.code, o.code.title())))


class ComplaintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Complaint

    client = factory.SubFactory(ClientFactory)
    category = factory.SubFactory(ComplaintCategoryFactory)
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
