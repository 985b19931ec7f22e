import datetime

from tandem.core import roles
from tandem.core.services import default_legal_entity
from tandem.finance import queries
from tandem.finance.demo import build_finance_demo
from tandem.finance.models import Entry


def test_the_demo_posts_a_balanced_ledger_once(make_user):
    make_user(roles.ADMINISTRATOR, username="admin")
    today = datetime.date(2026, 5, 20)
    lines = build_finance_demo(seed=1, today=today)
    assert lines and Entry.objects.count() == 10
    assert build_finance_demo(seed=1, today=today) == []
    report = queries.trial_balance(default_legal_entity(), datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    assert report.total("debit") == report.total("credit") and report.total("closing") == 0


def test_the_demo_budget_covers_the_year_once(make_user):
    from tandem.finance.demo_budgets import build_budget_demo
    from tandem.finance.models import Budget
    from tandem.finance.reports.budgets import budget_vs_actual

    make_user(roles.ADMINISTRATOR, username="admin")
    today = datetime.date(2026, 5, 20)
    build_finance_demo(seed=1, today=today)
    assert build_budget_demo(today=today)
    assert build_budget_demo(today=today) == []
    budget = Budget.objects.get()
    assert budget.lines.count() == 5 * 12
    rent = next(total for total, _rows in budget_vs_actual(budget).accounts if total.account.code == "6100")
    assert rent.actual == 5 * 1800 and rent.budget > rent.actual


def test_the_banking_demo_works_without_invoices_and_once(make_user):
    from tandem.finance.banking.demo import build_banking_demo
    from tandem.finance.models import BankStatementLine, PaymentAccount

    make_user(roles.ADMINISTRATOR, username="admin")
    today = datetime.date(2026, 5, 20)
    build_finance_demo(seed=1, today=today)
    lines = build_banking_demo(seed=1, today=today)
    assert lines and PaymentAccount.objects.count() == 2 and BankStatementLine.objects.count() == 1
    assert build_banking_demo(seed=1, today=today) == []


def test_the_banking_demo_pays_demo_invoices(make_user):
    from tandem.finance.banking.demo import build_banking_demo
    from tandem.finance.models import Invoice, Payment
    from tandem.finance.tests.invoice_fixtures import issue_customer_invoice
    from tandem.parties.tests.factories import CounterpartyFactory

    admin = make_user(roles.ADMINISTRATOR, username="admin")
    today = datetime.date(2026, 5, 20)
    build_finance_demo(seed=1, today=today)
    payer = CounterpartyFactory()
    invoices = [issue_customer_invoice(default_legal_entity(), by=admin, counterparty=payer, total="119.00",
                                       tax="19.00", invoice_date=datetime.date(2026, 3, n)) for n in (1, 2, 3)]
    build_banking_demo(seed=1, today=today)
    assert Payment.objects.count() == 2
    assert [Invoice.objects.get(pk=i.pk).status for i in invoices] == ["paid", "partly_paid", "issued"]
    from tandem.finance.models import BankStatementLine

    assert BankStatementLine.objects.filter(status="suggested").count() == 1
