"""Forms of the catalogue pages. They check shape only; rules live in catalog.services."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from tandem.catalog.models import (
    Attribute,
    AttributeValue,
    Category,
    PriceGroup,
    PriceList,
    Product,
    TaxCategory,
    Unit,
)
from tandem.catalog.pickers import product_field
from tandem.catalog.queries import category_paths
from tandem.core import limits
from tandem.core.forms import AmountField, CurrencyField, DateField, DateInput, ModelChoiceField, offer_active


def _text(model, name, **kwargs):
    field = model._meta.get_field(name)
    kwargs.setdefault("required", not field.blank)
    return forms.CharField(label=capfirst(field.verbose_name), max_length=field.max_length, **kwargs)


def _label(model, name):
    return capfirst(model._meta.get_field(name).verbose_name)


def _category_choice(field, current_id=None):
    offer_active(field, current_id)
    paths = category_paths()
    field.label_from_instance = lambda c: paths.get(c.pk, c.name)


class ProductFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"placeholder": _("SKU, name or barcode"), "type": "search"}))
    category = ModelChoiceField(label=_("Category"), queryset=Category.objects.active(), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *Product.Kind.choices], required=False)
    archived = forms.ChoiceField(label=_("Archive"), required=False, initial="false",
                                 choices=[("false", _("In use")), ("true", _("Archived")), ("all", _("All"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _category_choice(self.fields["category"])

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        category = data.get("category")
        return {"q": data.get("q", ""), "category_id": category.pk if category else None,
                "kind": data.get("kind", ""), "archived": data.get("archived") or "false"}


class ProductForm(forms.Form):
    sku = _text(Product, "sku")
    name = _text(Product, "name")
    kind = forms.ChoiceField(label=_label(Product, "kind"), choices=Product.Kind.choices, initial="goods")
    category = ModelChoiceField(label=_label(Product, "category"), queryset=Category.objects.all(), required=False)
    unit = ModelChoiceField(label=_label(Product, "unit"), queryset=Unit.objects.all())
    sale_unit = ModelChoiceField(label=_label(Product, "sale_unit"), queryset=Unit.objects.all(), required=False)
    purchase_unit = ModelChoiceField(label=_label(Product, "purchase_unit"), queryset=Unit.objects.all(),
                                     required=False)
    tax_category = ModelChoiceField(label=_label(Product, "tax_category"), queryset=TaxCategory.objects.all(),
                                    required=False)
    tracking = forms.ChoiceField(label=_label(Product, "tracking"), choices=Product.Tracking.choices,
                                 initial="none")
    barcode = forms.CharField(label=_("Barcode (EAN/GTIN)"), required=False, max_length=32)
    weight = AmountField(label=_label(Product, "weight"), required=False, decimal_places=6, min_value=0)
    description = forms.CharField(label=_label(Product, "description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, product: Product | None = None, **kwargs):
        if product is not None:
            kwargs.setdefault("initial", {
                "sku": product.sku, "name": product.name, "kind": product.kind, "category": product.category_id,
                "unit": product.unit_id, "sale_unit": product.sale_unit_id,
                "purchase_unit": product.purchase_unit_id, "tax_category": product.tax_category_id,
                "tracking": product.tracking, "description": product.description, "weight": product.weight,
                "version": product.version})
        super().__init__(*args, **kwargs)
        _category_choice(self.fields["category"], product.category_id if product else None)
        for name in ("unit", "sale_unit", "purchase_unit", "tax_category"):
            offer_active(self.fields[name], getattr(product, f"{name}_id", None) if product else None)
        if product is not None:
            del self.fields["barcode"]  # barcodes are added on the product page
        else:
            del self.fields["version"]

    def service_values(self) -> dict:
        values = dict(self.cleaned_data)
        values.pop("version", None)
        barcode = values.pop("barcode", "")
        if "barcode" in self.fields:
            values["barcodes"] = [barcode] if barcode else []
        return values


class BarcodeForm(forms.Form):
    code = forms.CharField(label=_("Barcode (EAN/GTIN)"), max_length=32)


class VariantsForm(forms.Form):
    attribute_values = forms.ModelMultipleChoiceField(
        label=_("Attribute values"), queryset=AttributeValue.objects.select_related("attribute"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("One variant is made for each combination of the chosen values."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attribute_values"].label_from_instance = lambda v: f"{v.attribute.name}: {v.value}"


class AttributeForm(forms.Form):
    name = _text(Attribute, "name")
    values = forms.CharField(label=_("Values"), max_length=2000, help_text=_("Separated by commas: S, M, L"))

    def value_list(self) -> list[str]:
        return [v.strip() for v in self.cleaned_data["values"].split(",") if v.strip()]


class PriceListForm(forms.Form):
    name = _text(PriceList, "name")
    currency = CurrencyField(label=_label(PriceList, "currency"), required=True)
    price_group = ModelChoiceField(label=_label(PriceList, "price_group"), queryset=PriceGroup.objects.all(),
                                   required=False, help_text=_("Empty: the list applies to everyone."))
    valid_from = DateField(label=_label(PriceList, "valid_from"), required=False, widget=DateInput)
    valid_to = DateField(label=_label(PriceList, "valid_to"), required=False, widget=DateInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, price_list: PriceList | None = None, **kwargs):
        if price_list is not None:
            kwargs.setdefault("initial", {
                "name": price_list.name, "currency": price_list.currency, "price_group": price_list.price_group_id,
                "valid_from": price_list.valid_from, "valid_to": price_list.valid_to,
                "version": price_list.version})
        super().__init__(*args, **kwargs)
        offer_active(self.fields["price_group"], price_list.price_group_id if price_list else None)
        if price_list is not None:
            self.fields["currency"].keep_code(price_list.currency)
        else:
            del self.fields["version"]


class PriceListItemForm(forms.Form):
    product = product_field(_("Product"))
    min_quantity = AmountField(label=_("From quantity"), required=False, initial=0)
    unit_price = AmountField(label=_("Unit price"), decimal_places=6, max_digits=15, max_value=limits.MAX_RATE)
    discount_percent = AmountField(label=_("Discount (%)"), required=False, max_value=100, initial=0)


class PriceCheckForm(forms.Form):
    """The product page's "what does a client pay" box."""

    quantity = AmountField(label=_("Quantity"), initial=1)
    currency = CurrencyField(label=_("Currency"), required=True)
    price_group = ModelChoiceField(label=_("Price group"), queryset=PriceGroup.objects.active(), required=False)
    date = DateField(label=_("Date"), required=False, widget=DateInput)


class CategoryForm(forms.Form):
    name = _text(Category, "name")
    parent = ModelChoiceField(label=_label(Category, "parent"), queryset=Category.objects.all(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _category_choice(self.fields["parent"])


class UnitForm(forms.Form):
    code = _text(Unit, "code")
    name = _text(Unit, "name")
    step = AmountField(label=_label(Unit, "step"), initial=1, min_value=limits.AMOUNT_STEP)


class UnitConversionForm(forms.Form):
    from_unit = ModelChoiceField(label=_("From unit"), queryset=Unit.objects.active())
    factor = AmountField(label=_("Factor"), decimal_places=6, max_digits=15, max_value=limits.MAX_RATE,
                         help_text=_("1 of the first unit = factor × the second unit."))
    to_unit = ModelChoiceField(label=_("To unit"), queryset=Unit.objects.active())


class TaxCategoryForm(forms.Form):
    name = _text(TaxCategory, "name")
    rate = AmountField(label=_label(TaxCategory, "rate"), decimal_places=4, min_value=0, max_value=100)


class PriceGroupForm(forms.Form):
    name = _text(PriceGroup, "name")
