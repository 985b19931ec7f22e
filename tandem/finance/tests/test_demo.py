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
