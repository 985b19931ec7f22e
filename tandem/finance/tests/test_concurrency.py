"""Twenty postings at the same moment in one journal (PostgreSQL, real parallel connections): numbers 1..20,
no gap, no duplicate, and the balances add every line."""

import datetime
from decimal import Decimal

import pytest

from tandem.core import roles
from tandem.core.services import default_legal_entity
from tandem.core.tests.parallel import run_in_parallel
from tandem.finance import queries, services
from tandem.finance.models import Account, Entry, Journal

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_twenty_parallel_postings_get_numbers_one_to_twenty(make_user):
    accountant = make_user(roles.ACCOUNTANT, username="acc")
    company = default_legal_entity()
    services.install_chart_template(company, by=accountant)
    services.create_fiscal_year(company, start_date=datetime.date(2026, 1, 1), by=accountant)
    journal = Journal.objects.get(company=company, code="GEN")
    bank, rent = (Account.objects.get(company=company, code=c) for c in ("1010", "6100"))

    def post(index):
        return services.post_entry(company=company, journal=journal, date=datetime.date(2026, 3, 1 + index % 28),
                                   by=accountant, memo=f"rent {index}", lines=[
                                       {"account": rent, "debit": Decimal(index + 1)},
                                       {"account": bank, "credit": Decimal(index + 1)}])

    outcomes = run_in_parallel(post, 20)

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sorted(Entry.objects.values_list("number", flat=True)) == list(range(1, 21))
    report = queries.trial_balance(company, datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    assert {r.account.code: r.debit for r in report.rows}["6100"] == sum(Decimal(i + 1) for i in range(20))


def test_parallel_issues_get_gapless_unique_invoice_numbers(make_user):
    from tandem.finance.models import Invoice
    from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory

    accountant = make_user(roles.ACCOUNTANT, username="acc2")
    company = default_legal_entity()
    services.install_chart_template(company, by=accountant)
    services.create_fiscal_year(company, start_date=datetime.date(2026, 1, 1), by=accountant)
    client = ClientFactory(name="Parallel Buyer", owner=accountant)
    CounterpartyFactory(client=client, legal_name="Parallel Buyer", valid_from=datetime.date(2024, 1, 1))
    drafts = [services.create_invoice(by=accountant, client=client, invoice_date=datetime.date(2026, 5, 4),
                                      lines=[{"description": "Work", "quantity": Decimal(1),
                                              "unit_price": Decimal(index + 10), "tax_percent": Decimal(20)}])
              for index in range(12)]

    outcomes = run_in_parallel(lambda index: services.issue_invoice(drafts[index], by=accountant), 12)

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    numbers = sorted(Invoice.objects.values_list("sequence_number", flat=True))
    assert numbers == list(range(1, 13))
    assert len(set(Invoice.objects.values_list("number", flat=True))) == 12
