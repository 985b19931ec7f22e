"""Receivables: aging buckets to the day, per currency and in the base currency; exposure; credit limits and
the credit check; dunning levels and runs (never the same level twice, the reminder on the client's timeline)."""

import datetime
from decimal import Decimal

import pytest

from tandem.core import formats, roles
from tandem.core.errors import AccessDenied, BusinessRuleError, ConflictError
from tandem.core.services import default_legal_entity
from tandem.finance.models import CreditPolicy, DunningReminder, Invoice
from tandem.finance.receivables import queries, services
from tandem.finance.tests.factories_receivables import incoming_payment, open_invoice
from tandem.parties.tests.factories import ClientFactory

ON = datetime.date(2026, 6, 30)
D = Decimal


def days_ago(days: int) -> datetime.date:
    return ON - datetime.timedelta(days=days)


@pytest.fixture
def accountant(make_user):
    return make_user(roles.ACCOUNTANT, username="ar-accountant")


@pytest.fixture
def company(db):
    return default_legal_entity()


# --- Aging -----------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_aging_buckets_at_their_edges(company, accountant):
    client = ClientFactory(name="Edges GmbH")
    for days, amount in ((-5, "1"), (0, "2"), (1, "4"), (30, "8"), (31, "16"), (60, "32"), (61, "64"),
                         (90, "128"), (91, "256")):
        open_invoice(client, amount=amount, due=days_ago(days))
    report = queries.aging(company, ON, user=accountant)
    (row,) = report.rows
    assert row.name == "Edges GmbH" and row.count == 9
    assert row.buckets == {"not_due": D("3.00"), "days_1_30": D("12.00"), "days_31_60": D("48.00"),
                           "days_61_90": D("192.00"), "over_90": D("256.00")}
    assert row.total == D("511.00") == report.total


@pytest.mark.django_db
def test_aging_per_currency_base_value_credit_notes_and_closed_invoices(company, accountant):
    client = ClientFactory(name="Multi SA")
    open_invoice(client, amount="100.00", due=days_ago(10))
    open_invoice(client, amount="200.00", currency="USD", rate="0.9", due=days_ago(10))
    open_invoice(client, amount="50.00", currency="USD", rate="0.8", due=days_ago(45), amount_due="25.00",
                 status=Invoice.Status.PARTLY_PAID)
    open_invoice(client, amount="30.00", due=days_ago(10), kind=Invoice.Kind.CUSTOMER_CREDIT_NOTE)
    open_invoice(client, amount="999.00", due=days_ago(10), status=Invoice.Status.PAID, amount_due="0")
    open_invoice(client, amount="999.00", due=days_ago(10), status=Invoice.Status.DRAFT)
    open_invoice(client, amount="777.00", due=days_ago(10), kind=Invoice.Kind.SUPPLIER_BILL)
    report = queries.aging(company, ON, user=accountant)
    (row,) = report.rows
    assert row.by_currency["EUR"]["days_1_30"] == D("70.00")  # 100 − credit note 30
    assert row.by_currency["USD"]["days_1_30"] == D("200.00")
    assert row.by_currency["USD"]["days_31_60"] == D("25.00")
    assert row.buckets["days_1_30"] == D("250.00")  # 70 + 200 × 0.9
    assert row.buckets["days_31_60"] == D("20.00")  # 25 × 0.8
    assert report.totals_by_currency["USD"]["total"] == D("225.00")
    payable = queries.aging(company, ON, side="payable", user=accountant)
    assert payable.total == D("777.00")


@pytest.mark.django_db
def test_aging_per_counterparty_and_record_rule(company, accountant, sales_rep, own_client, foreign_client):
    from tandem.parties.tests.factories import CounterpartyFactory

    legal = CounterpartyFactory(client=own_client)
    open_invoice(own_client, amount="10.00", due=days_ago(3), counterparty=legal)
    open_invoice(foreign_client, amount="20.00", due=days_ago(3))
    by_counterparty = queries.aging(company, ON, group="counterparty", user=accountant)
    assert {row.name for row in by_counterparty.rows} == {legal.legal_name, "No counterparty"}
    assert [row.name for row in queries.aging(company, ON, user=sales_rep).rows] == [own_client.name]


# --- Overdue list and payment history -------------------------------------------------------------------------

@pytest.mark.django_db
def test_overdue_list_filters(company, accountant, sales_rep, own_client, foreign_client):
    late = open_invoice(own_client, amount="10.00", due=days_ago(40))
    open_invoice(own_client, amount="10.00", due=days_ago(0))
    other = open_invoice(foreign_client, amount="20.00", due=days_ago(5))
    assert list(queries.overdue_invoices(company, ON, user=accountant)) == [late, other]
    assert list(queries.overdue_invoices(company, ON, user=accountant, min_days=30)) == [late]
    assert list(queries.overdue_invoices(company, ON, user=accountant, owner_id=sales_rep.pk)) == [late]
    assert list(queries.overdue_invoices(company, ON, user=accountant, client_id=foreign_client.pk)) == [other]
    assert list(queries.overdue_invoices(company, ON, user=sales_rep)) == [late]
    (shown,) = queries.with_days_overdue([late], ON)
    assert shown.days_overdue == 40


@pytest.mark.django_db
def test_payment_history_by_month_account_and_direction(company, accountant):
    client = ClientFactory()
    incoming_payment(client, amount="10.00", date=datetime.date(2026, 5, 3))
    incoming_payment(client, amount="15.00", date=datetime.date(2026, 5, 20))
    incoming_payment(client, amount="7.00", date=datetime.date(2026, 6, 1), direction="out")
    rows = queries.payment_history(company, user=accountant, client_id=client.pk)
    assert [(r["month"], r["direction"], r["amount"], r["count"]) for r in rows] == [
        (datetime.date(2026, 6, 1), "out", D("7.00"), 1), (datetime.date(2026, 5, 1), "in", D("25.00"), 2)]


# --- Exposure and credit limits --------------------------------------------------------------------------

@pytest.mark.django_db
def test_exposure_is_open_invoices_less_unallocated_payments(company, accountant):
    client = ClientFactory()
    open_invoice(client, amount="300.00", due=days_ago(10))
    open_invoice(client, amount="200.00", due=days_ago(-10))
    open_invoice(client, amount="100.00", currency="USD", rate="0.5", due=days_ago(-1))
    incoming_payment(client, amount="80.00", unallocated="80.00", date=days_ago(2))
    exposure = queries.client_exposure(client, on=ON, company=company)
    assert (exposure.balance, exposure.overdue, exposure.max_days_overdue) == (D("470.00"), D("300.00"), 10)
    assert exposure.limit is None and exposure.available is None
    services.set_credit_limit(client, by=accountant, amount="1000", currency="EUR")
    exposure = queries.client_exposure(client, on=ON, company=company)
    assert exposure.available == D("530.00")


@pytest.mark.django_db
def test_only_accountants_set_limits(make_user, accountant):
    client = ClientFactory()
    with pytest.raises(AccessDenied):
        services.set_credit_limit(client, by=make_user(roles.SALES_MANAGER, username="m"), amount="1", currency="EUR")
    limit = services.set_credit_limit(client, by=accountant, amount="500", currency="EUR")
    with pytest.raises(ConflictError):
        services.set_credit_limit(client, by=accountant, amount="600", currency="EUR", expected_version=7)
    limit = services.set_credit_limit(client, by=accountant, amount="600", currency="EUR", max_overdue="50",
                                      expected_version=limit.version)
    assert (limit.amount, limit.max_overdue, limit.version) == (D("600.00"), D("50.00"), 2)
    with pytest.raises(BusinessRuleError) as refused:
        services.set_credit_limit(client, by=accountant, amount="-1", currency="EUR")
    assert refused.value.field == "amount"


@pytest.mark.django_db
def test_check_credit_refuses_over_limit_and_overdue(company, accountant, sales_rep):
    client = ClientFactory(owner=sales_rep)
    open_invoice(client, amount="400.00", due=days_ago(-5))
    services.set_credit_limit(client, by=accountant, amount="1000", currency="EUR", max_overdue="100")
    assert services.check_credit(client, D("600.00"), "EUR", by=sales_rep, on=ON).balance == D("400.00")
    with pytest.raises(ConflictError) as refused:
        services.check_credit(client, D("600.01"), "EUR", by=sales_rep, on=ON)
    assert refused.value.code == "credit_limit_exceeded" and "exceeds the credit limit" in refused.value.message
    open_invoice(client, amount="150.00", due=days_ago(3))
    with pytest.raises(ConflictError) as refused:
        services.check_credit(client, D("1"), "EUR", by=sales_rep, on=ON)
    assert "overdue" in refused.value.message


@pytest.mark.django_db
def test_approval_policy_lets_a_manager_through_and_audits_it(company, accountant, sales_rep, sales_manager):
    from tandem.core.audit import history_for

    client = ClientFactory(owner=sales_rep)
    services.set_credit_limit(client, by=accountant, amount="100", currency="EUR")
    services.set_credit_policy(company, CreditPolicy.Mode.APPROVAL, by=accountant)
    with pytest.raises(ConflictError) as refused:
        services.check_credit(client, D("150"), "EUR", by=sales_rep, on=ON)
    assert "manager may approve" in refused.value.message
    services.check_credit(client, D("150"), "EUR", by=sales_manager, on=ON, document="SO-1")
    assert history_for(client).filter(action="finance.creditlimit.overridden", actor=sales_manager).exists()


# --- Dunning -----------------------------------------------------------------------------------------------

@pytest.fixture
def levels(company, accountant):
    services.create_dunning_level(company, by=accountant, days_overdue=7, name="Friendly reminder",
                                  text="Invoice {number} of {amount} was due on {due_date}.")
    services.create_dunning_level(company, by=accountant, days_overdue=30, name="Second notice",
                                  text="{client}: {number} is {days} days overdue.")
    return company


@pytest.mark.django_db
def test_dunning_level_rules(levels, accountant):
    with pytest.raises(ConflictError):
        services.create_dunning_level(levels, by=accountant, days_overdue=7, name="Again", text="x")
    with pytest.raises(BusinessRuleError) as refused:
        services.create_dunning_level(levels, by=accountant, days_overdue=14, name="Bad", text="{iban}")
    assert refused.value.field == "text"


@pytest.mark.django_db
def test_dunning_run_never_sends_a_level_twice_and_shows_on_the_timeline(levels, accountant, sales_manager):
    from tandem.core.audit import history_for

    client = ClientFactory(name="Slow Payer Ltd")
    week = open_invoice(client, amount="120.00", due=days_ago(8))
    month = open_invoice(client, amount="80.00", due=days_ago(45))
    recent = open_invoice(client, amount="10.00", due=days_ago(3))  # not yet
    with pytest.raises(AccessDenied):
        services.run_dunning(levels, ON, by=sales_manager)
    created = services.run_dunning(levels, ON, by=accountant)
    assert {(r.invoice, r.level.name) for r in created} == {(week, "Friendly reminder"), (month, "Second notice")}
    first = next(r for r in created if r.invoice == week)
    assert first.text == f"Invoice {week.number} of €120.00 was due on {formats.format_date(week.due_date)}."
    assert next(r for r in created if r.invoice == month).fee == 0  # fees: test_credit_use.py
    assert services.run_dunning(levels, ON, by=accountant) == []  # same day again: nothing new
    assert services.send_reminders(created, by=accountant) == 2
    assert DunningReminder.objects.filter(status="sent").count() == 2
    # A month later the first invoice reaches the second level, the recent one goes straight to it; the second
    # invoice has had the highest level already.
    later = services.run_dunning(levels, ON + datetime.timedelta(days=30), by=accountant, send=True)
    assert [(r.invoice, r.level.name, r.status) for r in later] == [(week, "Second notice", "sent"),
                                                                     (recent, "Second notice", "sent")]
    sent = history_for(client).filter(action="finance.reminder.sent")
    assert sent.count() == 4
    assert any(entry.changes["text"].startswith(f"Invoice {week.number}") for entry in sent)
