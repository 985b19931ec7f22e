"""Checks upper apps run before an invoice is issued (finance names none of them).

An upper app registers a callable in its `AppConfig.ready()`:

    from tandem.finance.services.issue_checks import register_pre_issue_check
    register_pre_issue_check(check_bill_match)

`check(invoice, lines, *, by)` is called inside `issue_invoice`'s transaction, with the invoice locked, before
it is numbered and posted. It refuses by raising `core.errors.BusinessRuleError` / `ConflictError` (the issue
rolls back, nothing is numbered), and may complete the draft's lines it owns (e.g. the received value of a
supplier bill line) by changing and saving them: the posting reads the lines it was given. A check ignores the
invoices that are not its own (by kind or origin)."""

from __future__ import annotations

from collections.abc import Callable

_CHECKS: list[Callable] = []


def register_pre_issue_check(check: Callable) -> None:
    if check not in _CHECKS:
        _CHECKS.append(check)


def run_pre_issue_checks(invoice, lines, *, by) -> None:
    for check in list(_CHECKS):
        check(invoice, lines, by=by)
