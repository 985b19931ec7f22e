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
