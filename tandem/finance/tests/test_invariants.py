"""Any sequence of balanced postings and reversals: the trial balance adds up to zero and equals a naive
recomputation from the lines, for any range."""

import datetime
from collections import defaultdict
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from tandem.core import roles
from tandem.core.services import default_legal_entity
from tandem.core.tests.factories import UserFactory
from tandem.finance import queries, services
from tandem.finance.models import Account, Entry, EntryLine, Journal

CODES = ["1000", "1010", "1100", "2000", "3000", "4000", "6100", "7100"]
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)
posting = st.tuples(
    st.integers(0, 364),  # day of 2026
    st.lists(st.tuples(st.sampled_from(CODES), amounts), min_size=1, max_size=4),  # debits
    st.sampled_from(CODES),  # the account credited with their sum
    st.booleans(),  # reverse it afterwards
)


class LedgerInvariants(TestCase):
    @settings(max_examples=25)
    @given(postings=st.lists(posting, min_size=1, max_size=8), cut=st.tuples(st.integers(0, 364), st.integers(0, 364)))
    def test_trial_balance_sums_to_zero_and_matches_the_lines(self, postings, cut):
        user = UserFactory(role=roles.ACCOUNTANT)
        company = default_legal_entity()
        services.install_chart_template(company, by=user)
        services.create_fiscal_year(company, start_date=datetime.date(2026, 1, 1), by=user)
        journal = Journal.objects.get(company=company, code="GEN")
        accounts = {a.code: a for a in Account.objects.filter(company=company, code__in=CODES)}
        start = datetime.date(2026, 1, 1)
        for day, debits, credit_code, reverse in postings:
            lines = [{"account": accounts[code], "debit": amount} for code, amount in debits]
            lines.append({"account": accounts[credit_code], "credit": sum(a for _c, a in debits)})
            entry = services.post_entry(company=company, journal=journal, date=start + datetime.timedelta(day),
                                        lines=lines, by=user)
            if reverse:
                services.reverse_entry(entry, date=start + datetime.timedelta(min(day + 3, 364)), by=user)
        date_from = start + datetime.timedelta(min(cut))
        date_to = start + datetime.timedelta(max(cut))
        report = queries.trial_balance(company, date_from, date_to)
        totals = report.totals
        assert totals["opening"] == 0 and totals["closing"] == 0 and totals["debit"] == totals["credit"]
        naive_open, naive_debit, naive_credit = defaultdict(Decimal), defaultdict(Decimal), defaultdict(Decimal)
        for line in EntryLine.objects.select_related("account"):
            if line.date < date_from:
                naive_open[line.account.code] += line.debit - line.credit
            elif line.date <= date_to:
                naive_debit[line.account.code] += line.debit
                naive_credit[line.account.code] += line.credit
        for row in report.rows:
            code = row.account.code
            assert (row.opening, row.debit, row.credit) == (naive_open[code], naive_debit[code], naive_credit[code])
        shown = {row.account.code for row in report.rows}
        assert all(code in shown for code in set(naive_open) | set(naive_debit) if naive_open[code] or
                   naive_debit[code] or naive_credit[code])
        numbers = list(Entry.objects.order_by("number").values_list("number", flat=True))
        assert numbers == list(range(1, len(numbers) + 1))
