"""Refusals of the ledger, with stable codes."""

from django.utils.translation import gettext as _

from tandem.core import formats
from tandem.core.errors import BusinessRuleError, ConflictError


def period_closed(period) -> ConflictError:
    return ConflictError("period_closed", _("The period %(period)s is closed; choose a date in an open period.")
                         % {"period": period}, field="date")


def no_period(date) -> BusinessRuleError:
    return BusinessRuleError("no_fiscal_year", _("No fiscal year covers %(date)s; open one first.")
                             % {"date": formats.format_date(date)}, field="date")


def unbalanced(currency: str, debit, credit) -> BusinessRuleError:
    return BusinessRuleError(
        "unbalanced", _("The entry does not balance in %(currency)s: debits %(debit)s, credits %(credit)s.")
        % {"currency": currency, "debit": formats.format_money(debit, currency),
           "credit": formats.format_money(credit, currency)}, field="lines")
