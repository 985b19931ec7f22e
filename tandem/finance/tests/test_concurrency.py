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
