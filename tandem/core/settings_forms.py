"""Forms of the legal entity and exchange rate settings pages. They check shape; core.legal_entities and
core.exchange_rates apply the rules (tax ID, IBAN, BIC, currency checks, duplicates)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.core import limits
from tandem.core.forms import DateField
from tandem.core.legal_entities import LOGO_MAX_BYTES
from tandem.core.models import LegalEntity

LOGO_ACCEPT = "image/png,image/jpeg,image/gif,image/webp"


class LegalEntityForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    tax_id = forms.CharField(label=_("Tax ID"), max_length=32, required=False,
                             help_text=_("VAT or tax number, e.g. DE136695976; checked for the country."))
    registration_number = forms.CharField(label=_("Registration number"), max_length=64, required=False)
    country = forms.CharField(label=_("Default country"), max_length=2, required=False,
                              help_text=_("ISO 3166 code, e.g. DE. Phone numbers typed without a country code "
                                          "are read as numbers of this country."))
    base_currency = forms.CharField(label=_("Base currency"), min_length=3, max_length=3,
                                    help_text=_("ISO 4217 code, e.g. EUR."))
    valuation_method = forms.ChoiceField(
        label=_("Stock valuation"), choices=LegalEntity.ValuationMethod.choices, required=False,
        initial=LegalEntity.ValuationMethod.MOVING_AVERAGE,
        help_text=_("How the cost of goods leaving stock is computed. Fixed once the entity has stock moves."))
    registered_address = forms.CharField(label=_("Registered address"), required=False,
                                         widget=forms.Textarea(attrs={"rows": 3}))
    postal_address = forms.CharField(label=_("Postal address"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}),
                                     help_text=_("Leave empty when letters go to the registered address."))
    logo = forms.FileField(label=_("Logo"), required=False,
                           help_text=_("PNG, JPEG, GIF or WebP, at most 2 MB; printed on documents."),
                           widget=forms.ClearableFileInput(attrs={"accept": LOGO_ACCEPT}))

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and logo.size > LOGO_MAX_BYTES:
            raise forms.ValidationError(_("The logo may be at most 2 MB."))
        return logo


class BankAccountForm(forms.Form):
    bank_name = forms.CharField(label=_("Bank"), max_length=200, required=False)
    iban = forms.CharField(label=_("IBAN"), max_length=64)
    bic = forms.CharField(label=_("BIC"), max_length=20, required=False)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False,
                               help_text=_("Leave empty for any currency."))


class ExchangeRateForm(forms.Form):
    date = DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    base_currency = forms.CharField(label=_("1 unit of"), min_length=3, max_length=3)
    rate = forms.DecimalField(label=_("Rate"), max_digits=18, decimal_places=8, min_value=limits.EXCHANGE_RATE_STEP,
                              max_value=limits.MAX_EXCHANGE_RATE)
    quote_currency = forms.CharField(label=_("Currency"), min_length=3, max_length=3)


class ExchangeRateImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"),
                           help_text=_("Columns: date, currency, rate and optionally base (default: the base "
                                       "currency), e.g. “2026-11-30,USD,1.0832” for 1 EUR = 1.0832 USD."),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}))


class ExchangeRateFilterForm(forms.Form):
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    date_from = DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
