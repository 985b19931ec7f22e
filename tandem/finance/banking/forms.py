"""Page forms of payments and bank statements (shape only; the services decide)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.core.forms import AmountField, DateField, DateInput, ModelChoiceField
from tandem.finance.banking.parsers import DATE_FORMATS
from tandem.finance.models import Account, Journal, Payment, PaymentAccount
from tandem.parties.pickers import client_field


class PaymentForm(forms.Form):
    """A payment; one `allocate_<invoice id>` input per open invoice of the client is read by the view."""

    direction = forms.ChoiceField(label=_("Direction"), choices=Payment.Direction.choices)
    payment_account = ModelChoiceField(label=_("Bank or cash account"), queryset=PaymentAccount.objects.none())
    date = DateField(label=_("Date"), widget=DateInput())
    amount = AmountField(label=_("Amount"), min_value=None)
    client = client_field(_("Client"))  # searchable (parties' picker); the rows come from the user's visible clients
    reference = forms.CharField(label=_("Reference"), max_length=200, required=False)

    def __init__(self, *args, company, clients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payment_account"].queryset = PaymentAccount.objects.filter(company=company).active()
        # What may be chosen (checked again by register_payment): the user's visible clients, not archived. The
        # template reloads the open invoices when the picker's value changes (htmx on #allocation-rows).
        self.fields["client"].queryset = clients.filter(is_archived=False)


class AllocateForm(forms.Form):
    invoice = forms.IntegerField(label=_("Invoice"), min_value=1)
    amount = AmountField(label=_("Amount"), min_value=None)


class PaymentAccountForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=PaymentAccount.Kind.choices)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False,
                               help_text=_("The base currency when empty."))
    iban = forms.CharField(label=_("IBAN"), max_length=42, required=False)
    account = ModelChoiceField(label=_("Ledger account"), queryset=Account.objects.none(), required=False,
                               help_text=_("The chart's first bank (or cash) account when empty."))
    journal = ModelChoiceField(label=_("Journal"), queryset=Journal.objects.none(), required=False,
                               help_text=_("BNK (or CSH) when empty."))

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = Account.objects.filter(
            company=company, subtype__in=[Account.Subtype.BANK, Account.Subtype.CASH]).active().order_by("code")
        self.fields["journal"].queryset = Journal.objects.filter(
            company=company, kind__in=[Journal.Kind.BANK, Journal.Kind.CASH]).active().order_by("code")


FORMAT_CHOICES = [("auto", _("Recognise it")), ("csv", _("CSV")), ("mt940", _("MT940")), ("camt053", _("CAMT.053"))]


class StatementImportForm(forms.Form):
    payment_account = ModelChoiceField(label=_("Bank account"), queryset=PaymentAccount.objects.none())
    file = forms.FileField(label=_("Statement file"))
    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES, initial="auto")
    date_column = forms.CharField(label=_("Date column"), max_length=100, required=False,
                                  help_text=_("CSV only: the column's heading or its number (1 is the first)."))
    amount_column = forms.CharField(label=_("Amount column"), max_length=100, required=False)
    reference_column = forms.CharField(label=_("Reference column"), max_length=100, required=False)
    name_column = forms.CharField(label=_("Name column"), max_length=100, required=False)
    iban_column = forms.CharField(label=_("IBAN column"), max_length=100, required=False)
    transaction_id_column = forms.CharField(label=_("Transaction id column"), max_length=100, required=False)
    date_format = forms.ChoiceField(label=_("Date format"), choices=[(k, v) for k, v in DATE_FORMATS.items()])
    decimal_comma = forms.BooleanField(label=_("Decimal comma (1.234,56)"), required=False)
    has_header = forms.BooleanField(label=_("The first line names the columns"), required=False, initial=True)

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payment_account"].queryset = PaymentAccount.objects.filter(
            company=company, kind=PaymentAccount.Kind.BANK).active()

    def csv_options(self, currency: str) -> dict:
        data = self.cleaned_data
        return {"mapping": {key: data.get(f"{key}_column", "") for key in
                            ("date", "amount", "reference", "name", "iban", "transaction_id")},
                "decimal_comma": data.get("decimal_comma", False), "date_format": data["date_format"],
                "has_header": data.get("has_header", False), "currency": currency}
