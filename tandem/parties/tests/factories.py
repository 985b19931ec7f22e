import datetime

import factory

from tandem.core.tests.factories import UserFactory
from tandem.parties.models import Client, Contact, ContactChannel, Counterparty, Source


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

    # Channels, given as the former columns (stored form): the e-mail by default, phones when given.
    email = factory.Sequence(lambda n: f"anna{n}@example.com")
    phone = ""
    mobile_phone = ""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        kinds = {"email": ContactChannel.Kind.EMAIL, "phone": ContactChannel.Kind.OFFICE_PHONE,
                 "mobile_phone": ContactChannel.Kind.MOBILE_PHONE}
        values = {name: kwargs.pop(name, "") for name in kinds}
        contact = super()._create(model_class, *args, **kwargs)
        for position, (name, value) in enumerate((n, v) for n, v in values.items() if v):
            ContactChannel.objects.create(client=contact.client, contact=contact, kind=kinds[name], value=value,
                                          search_value=value.lower(), position=position)
        return contact
