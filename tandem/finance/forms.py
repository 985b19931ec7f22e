"""Page forms of the ledger (shape only; the services decide)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.core import limits
from tandem.core.forms import DateField, DateInput, ModelChoiceField
from tandem.core.money import parse_decimal
from tandem.finance.models import Account, FiscalYear, Journal


class EntryForm(forms.Form):
    """A manual entry: header fields plus repeated line inputs (line_account, line_debit, line_credit,
    line_memo), one more row added by htmx."""

    journal = ModelChoiceField(label=_("Journal"), queryset=Journal.objects.none())
    date = DateField(label=_("Date"), widget=DateInput())
    memo = forms.CharField(label=_("Memo"), max_length=300, required=False)

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.company = company
        self.fields["journal"].queryset = Journal.objects.filter(company=company).active()
        self.accounts = {a.pk: a for a in Account.objects.filter(company=company).active()}
        self.line_rows = [{}, {}]
        self.line_errors: dict[int, str] = {}

    def clean(self):
        cleaned = super().clean()
        data = self.data
        accounts, debits = data.getlist("line_account"), data.getlist("line_debit")
        credits, memos = data.getlist("line_credit"), data.getlist("line_memo")
        rows, lines = [], []
        for index, account_id in enumerate(accounts):
            debit = debits[index] if index < len(debits) else ""
            credit = credits[index] if index < len(credits) else ""
            memo = memos[index] if index < len(memos) else ""
            rows.append({"account": account_id, "debit": debit, "credit": credit, "memo": memo})
            if not account_id and not debit and not credit:
                continue  # an empty row
            try:
                account = self.accounts[int(account_id)]
            except (TypeError, ValueError, KeyError):
                self.line_errors[len(rows) - 1] = str(_("Choose an account."))
                continue
            amounts = []
            for value in (debit, credit):
                try:
                    amount = parse_decimal(value.strip()) if value.strip() else None
                except ValueError:
                    amount = "bad"
                if amount == "bad" or (amount is not None and limits.amount_problem(amount)):
                    self.line_errors[len(rows) - 1] = str(_("Enter an amount between 0 and %(max)s.")
                                                          % {"max": limits.MAX_AMOUNT})
                    amount = None
                amounts.append(amount)
            lines.append({"account": account, "debit": amounts[0] or 0, "credit": amounts[1] or 0,
                          "memo": memo[:300], "_row": len(rows) - 1})
        self.line_rows = rows or [{}, {}]
        if self.line_errors:
            raise forms.ValidationError(_("Check the lines marked below."))
        cleaned["lines"] = lines
        return cleaned


class RangeForm(forms.Form):
    date_from = DateField(label=_("From"), widget=DateInput())
    date_to = DateField(label=_("To"), widget=DateInput())
    compare = forms.ChoiceField(label=_("Compare with"), required=False, choices=[
        ("", _("Nothing")), ("previous", _("The previous period")), ("year", _("The same period a year earlier"))])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_to"] < cleaned["date_from"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class AccountForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=16)
    name = forms.CharField(label=_("Name"), max_length=200)
    type = forms.ChoiceField(label=_("Type"), choices=Account.Type.choices)
    subtype = forms.ChoiceField(label=_("Subtype"), choices=Account.Subtype.choices, required=False)
    parent = ModelChoiceField(label=_("Group"), queryset=Account.objects.none(), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, company, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Account.objects.filter(company=company).active().order_by("code")
        if account is not None:
            parents = parents.exclude(pk=account.pk)
        self.fields["parent"].queryset = parents


class FiscalYearForm(forms.Form):
    start_date = DateField(label=_("First day"), widget=DateInput())


class BudgetForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    fiscal_year = ModelChoiceField(label=_("Fiscal year"), queryset=FiscalYear.objects.none())

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year"].queryset = FiscalYear.objects.filter(company=company).order_by("-start_date")
