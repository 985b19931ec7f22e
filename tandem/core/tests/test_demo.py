"""Core's demo step: the demo company's legal entity with a bank account, and exchange rates up to today."""

from django.utils import timezone

from tandem.core import demo
from tandem.core.models import ExchangeRate
from tandem.core.money import convert
from tandem.core.services import default_legal_entity


def test_demo_step_fills_in_the_entity_and_rates_once(admin_user):
    lines = demo.load_demo_data(by=admin_user)
    entity = default_legal_entity()
    assert (entity.name, entity.tax_id, entity.country) == ("Nordlicht Handel GmbH", "DE136695976", "DE")
    assert entity.bank_accounts.get().iban == "DE89370400440532013000"
    assert convert("95", "RUB", "EUR", on=timezone.localdate()) > 0
    assert len(lines) == 2
    count = ExchangeRate.objects.count()
    assert demo.load_demo_data(by=admin_user) == [] and ExchangeRate.objects.count() == count
