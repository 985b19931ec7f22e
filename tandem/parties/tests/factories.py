import datetime

import factory

from tandem.core.tests.factories import UserFactory
from tandem.parties.models import Client, Contact, Counterparty, Source


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Source {n}")
    channel = Source.Channel.WEBSITE


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    name = factory.Sequence(lambda n: f"Client {n} Ltd")
    owner = factory.SubFactory(UserFactory)
    kind = Client.Kind.B2B
    status = Client.Status.ACTIVE


class CounterpartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Counterparty

    client = factory.SubFactory(ClientFactory)
    legal_name = factory.LazyAttribute(lambda o: f"{o.client.name} LLC")
    tax_id = factory.Sequence(lambda n: f"DE{100000000 + n}")
    valid_from = datetime.date(2024, 1, 1)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    client = factory.SubFactory(ClientFactory)
    first_name = factory.Sequence(lambda n: f"Anna{n}")
    last_name = "Schmidt"
    email = factory.Sequence(lambda n: f"anna{n}@example.com")
