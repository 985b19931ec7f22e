"""Forms of the invoice pages: a draft's header with repeated line inputs (line_description, line_quantity,
line_unit_price, line_discount, line_tax), and a new tax rate."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.catalog.pickers import product_field
from tandem.core.forms import CurrencyField, DateField, DateInput, ModelChoiceField
from tandem.core.money import parse_decimal
from tandem.finance.models import Invoice, TaxRate
from tandem.parties.models import Client

EMPTY_ROWS = 3


class InvoiceLineProductForm(forms.Form):
    """The product of one line row (prefix `line<row>`), chosen with catalog's searchable picker; optional."""

    product = product_field(_("Product"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].widget.attrs["aria-label"] = _("Product")


class InvoiceForm(forms.Form):
    client = ModelChoiceField(label=_("Client"), queryset=Client.objects.none())
    invoice_date = DateField(label=_("Invoice date"), widget=DateInput())
    due_date = DateField(label=_("Due date"), widget=DateInput(), required=False)
    currency = CurrencyField(label=_("Currency"), required=False)
    prices_include_tax = forms.BooleanField(label=_("Prices include tax"), required=False)
    tax_rounding = forms.ChoiceField(label=_("Tax rounding"), choices=Invoice.TaxRounding.choices)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                            max_length=5000)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput())

    def __init__(self, *args, clients, tax_rates, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients
        self.tax_rates = {rate.pk: rate for rate in tax_rates}
        self.line_rows = [{"description": line.description, "quantity": line.quantity, "unit_price": line.unit_price,
                           "discount": line.discount_percent, "tax": line.tax_rate_id or "",
                           "tax_percent": line.tax_percent, "product": line.product_id} for line in lines]
        self.line_rows += [{} for _row in range(EMPTY_ROWS)]
        if self.is_bound:
            self.product_forms = [InvoiceLineProductForm(self.data, prefix=f"line{index}")
                                  for index in range(len(self.data.getlist("line_description")))]
        else:
            self.product_forms = [InvoiceLineProductForm(prefix=f"line{index}", initial={"product": row.get("product")})
                                  for index, row in enumerate(self.line_rows)]
        self.line_errors: dict[int, str] = {}
        self.lines: list[dict] = []

    def clean(self):
        cleaned = super().clean()
        data = self.data
        columns = {name: data.getlist(f"line_{name}") for name in ("description", "quantity", "unit_price",
                                                                    "discount", "tax")}
        rows, lines = [], []
        for index in range(len(columns["description"])):
            row = {name: (values[index] if index < len(values) else "").strip() for name, values in columns.items()}
            rows.append(row)
            product_form = self.product_forms[index] if index < len(self.product_forms) else None
            product = None
            if product_form is not None and not product_form.is_valid():
                self.line_errors[index] = " ".join(product_form.errors.get("product", []))
            elif product_form is not None:
                product = product_form.cleaned_data.get("product")
            if not any(row.values()) and product is None:
                continue
            line = {"description": row["description"], "_row": index}
            if product is not None:
                line["product"] = product
            for key, name in (("quantity", "quantity"), ("unit_price", "unit_price"), ("discount_percent", "discount")):
                try:
                    line[key] = parse_decimal(row[name]) if row[name] else None
                except ValueError:
                    self.line_errors[index] = str(_("Enter a number."))
            if row["tax"]:
                rate = self.tax_rates.get(int(row["tax"])) if row["tax"].isdigit() else None
                if rate is None:
                    self.line_errors[index] = str(_("Choose a tax rate."))
                line["tax_rate"] = rate
            else:
                line["tax_percent"] = 0
            lines.append(line)
        self.line_rows = rows + [{} for _row in range(EMPTY_ROWS)]
        self.product_forms += [InvoiceLineProductForm(prefix=f"line{index}")
                               for index in range(len(self.product_forms), len(self.line_rows))]
        if self.line_errors:
            raise forms.ValidationError(_("Check the lines marked below."))
        self.lines = lines
        return cleaned


class TaxRateForm(forms.Form):
    country = forms.CharField(label=_("Country"), min_length=2, max_length=2)
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=TaxRate.Kind.choices)
    rate = forms.DecimalField(label=_("Rate (%)"), min_value=0, max_value=100, decimal_places=4)
    valid_from = DateField(label=_("Valid from"), widget=DateInput())
    valid_to = DateField(label=_("Valid to"), widget=DateInput(), required=False)
    legal_note = forms.CharField(label=_("Legal note on the invoice"), max_length=300, required=False)
