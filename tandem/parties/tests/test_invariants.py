"""Names that must be unique are unique in any letter case, held by the database; duplicate checks run in
the writing transaction (see test_concurrency.py for the race itself, on PostgreSQL)."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.parties import services
from tandem.parties.models import Counterparty, Source, Tag
from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory


def test_source_and_tag_names_are_unique_in_any_letter_case(db):
    Source.objects.create(name="Website")
    Tag.objects.create(name="vip")
    for make in (lambda: Source.objects.create(name="WEBSITE"), lambda: Tag.objects.create(name="VIP")):
        with pytest.raises(IntegrityError), transaction.atomic():
            make()


def test_a_tag_typed_in_another_case_is_the_existing_tag(own_client, sales_rep):
    vip = Tag.objects.create(name="vip")
    client = services.update_client(own_client, by=sales_rep, tags=["VIP", "Wholesale", "wholesale"])
    assert sorted(t.name for t in client.tags.all()) == ["Wholesale", "vip"]
    assert client.tags.get(name="vip") == vip and Tag.objects.count() == 2


def test_a_source_in_another_case_is_a_duplicate(sales_manager):
    services.create_source(by=sales_manager, name="Referral")
    with pytest.raises(BusinessRuleError) as refusal:
        services.create_source(by=sales_manager, name="REFERRAL")
    assert refusal.value.code == "duplicate" and refusal.value.field == "name"


def test_the_same_tax_id_is_refused_unless_confirmed(sales_manager):
    CounterpartyFactory(tax_id="DE123456788")
    client = ClientFactory(owner=sales_manager)
    with pytest.raises(ConflictError) as refusal:
        services.add_counterparty(client, by=sales_manager, legal_name="Twin GmbH", tax_id="de 123 456 788",
                                  valid_from=datetime.date(2026, 1, 1))
    assert refusal.value.code == "duplicate" and refusal.value.field == "tax_id"
    services.add_counterparty(client, by=sales_manager, legal_name="Twin GmbH", tax_id="de 123 456 788",
                              valid_from=datetime.date(2026, 1, 1), allow_duplicates=True)
    assert Counterparty.objects.filter(tax_id="DE123456788").count() == 2
