"""`tandem demo` posts the stock demo to the ledger: stock's moves wait until finance's demo sets up the books,
then the bridge's demo step posts them; the inventory account equals the stock value afterwards."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tandem.core.services import default_legal_entity
from tandem.finance.models import Entry
from tandem.stock_accounting.models import StockPosting
from tandem.stock_accounting.queries import reconciliation

pytestmark = pytest.mark.django_db


def test_the_demo_posts_its_stock_moves_and_reconciles():
    out = StringIO()
    call_command("load_demo", scale=0.3, stdout=out)
    assert "Stock accounting:" in out.getvalue()
    company = default_legal_entity()
    assert not StockPosting.objects.filter(status=StockPosting.Status.PENDING).exists()
    assert Entry.objects.filter(journal__code="STK").exists()
    state = reconciliation(company, timezone.localdate())
    assert state.stock_value > 0
    assert state.agrees and state.inventory_balance == state.stock_value
