"""Assortment: units of measure, the category tree, products and services (with variants), price lists.

Skeleton laid by the integrator; the catalog branch extends it (conversions, barcodes, variants' attributes,
price lists). Other apps rely on: Product.sku/name/unit/tracking/kind/is_archived and Unit.step."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.core.models import QUANTITY, RATE, ArchivableModel, TrackedModel, amount_in_range, validate_currency
from tandem.core.search_keys import fold


class Unit(ArchivableModel, TrackedModel):
    """A unit of measure: "pc" counted in whole pieces, "kg" in steps of 0.001."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=100)
    step = models.DecimalField(_("step"), default=Decimal(1), **QUANTITY,
                               help_text=_("The smallest quantity: 1 for pieces, 0.001 for kilograms."))

    class Meta:
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=Q(step__gt=0), name="unit_step_positive")]
        verbose_name = _("unit of measure")
        verbose_name_plural = _("units of measure")

    def __str__(self) -> str:
        return self.code


class Category(ArchivableModel, TrackedModel):
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey("self", verbose_name=_("parent category"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")

    class Meta:
        ordering = ["name"]
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")

    def __str__(self) -> str:
        return self.name


class TaxCategory(ArchivableModel, TrackedModel):
    """A tax class of products ("Standard 23 %", "Reduced 8 %"); sales lines store the rate they used.
    Finance will later add dated rates per country; until then the rate here is the one in force."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    rate = models.DecimalField(_("rate (%)"), max_digits=7, decimal_places=4, default=Decimal(0))

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=Q(rate__gte=0, rate__lte=100),
                                              name="tax_category_rate_percent")]
        verbose_name = _("tax category")
        verbose_name_plural = _("tax categories")

    def __str__(self) -> str:
        return self.name


class Product(ArchivableModel, TrackedModel):
    """Something we sell or buy: goods (kept in stock) or a service (never in stock)."""

    class Kind(models.TextChoices):
        GOODS = "goods", _("Goods")
        SERVICE = "service", _("Service")

    class Tracking(models.TextChoices):
        NONE = "none", _("Not tracked")
        LOT = "lot", _("By lot")
        SERIAL = "serial", _("By serial number")

    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.GOODS)
    category = models.ForeignKey(Category, verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="products")
    unit = models.ForeignKey(Unit, verbose_name=_("stock unit"), on_delete=models.PROTECT, related_name="+")
    tracking = models.CharField(_("tracking"), max_length=16, choices=Tracking.choices, default=Tracking.NONE)
    # Variants share a template product (size, colour); a template itself is never stocked or sold.
    template = models.ForeignKey("self", verbose_name=_("template"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="variants")
    sale_unit = models.ForeignKey(Unit, verbose_name=_("sale unit"), null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", help_text=_("Empty: the stock unit."))
    purchase_unit = models.ForeignKey(Unit, verbose_name=_("purchase unit"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+", help_text=_("Empty: the stock unit."))
    description = models.TextField(_("description"), blank=True)
    attribute_values = models.ManyToManyField("catalog.AttributeValue", verbose_name=_("attribute values"),
                                              blank=True, related_name="products")
    # Folded "SKU name" (core.search_keys): what people type finds the product on every database.
    search_key = models.CharField(max_length=400, editable=False, db_index=True, default="")
    tax_category = models.ForeignKey(TaxCategory, verbose_name=_("tax category"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="products")
    # Landed costs allocated by weight need it (purchasing refuses the allocation, naming the product, without).
    weight = models.DecimalField(_("weight (kg per stock unit)"), null=True, blank=True, **RATE)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["sku"]
        constraints = [models.CheckConstraint(condition=Q(weight__isnull=True) | Q(weight__gte=0),
                                              name="product_weight_not_negative")]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    def save(self, *args, **kwargs):
        self.search_key = fold(f"{self.sku} {self.name}")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_key"}
        super().save(*args, **kwargs)

    @property
    def is_template(self) -> bool:
        """A product whose variants are sold instead (known once variants were loaded or counted)."""
        return self.variants.exists()

    @property
    def sales_unit(self) -> Unit:
        return self.sale_unit or self.unit

    @property
    def is_stocked(self) -> bool:
        return self.kind == self.Kind.GOODS


class PriceGroup(ArchivableModel, TrackedModel):
    """A client segment that gets its own price lists ("Wholesale", "Retail"). Which group a client belongs to
    is stored by the sales app; the catalog never names clients."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("price group")
        verbose_name_plural = _("price groups")

    def __str__(self) -> str:
        return self.name


class PriceList(ArchivableModel, TrackedModel):
    """Prices in one currency, for one price group (or everyone), valid between two dates (either open)."""

    name = models.CharField(_("name"), max_length=200)
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    price_group = models.ForeignKey(PriceGroup, verbose_name=_("price group"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="price_lists",
                                    help_text=_("Empty: the list applies to everyone."))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True)
                                   | Q(valid_from__lte=models.F("valid_to")), name="price_list_dates_in_order"),
        ]
        indexes = [models.Index(fields=["currency", "is_archived"], name="price_list_currency")]
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")

    def __str__(self) -> str:
        return self.name

    def is_valid_on(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


class PriceListItem(TrackedModel):
    """A product's unit price on a list from a quantity on (a break), with an optional discount."""

    price_list = models.ForeignKey(PriceList, verbose_name=_("price list"), on_delete=models.CASCADE,
                                   related_name="items")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="price_list_items")
    min_quantity = models.DecimalField(_("from quantity"), default=Decimal(0), **QUANTITY,
                                       help_text=_("The price applies from this quantity on (a quantity break)."))
    unit_price = models.DecimalField(_("unit price"), **RATE)
    discount_percent = models.DecimalField(_("discount (%)"), max_digits=7, decimal_places=4, default=Decimal(0))

    class Meta:
        ordering = ["price_list", "product", "min_quantity"]
        constraints = [
            models.UniqueConstraint(fields=["price_list", "product", "min_quantity"],
                                    name="price_list_item_one_per_break"),
            models.CheckConstraint(condition=Q(min_quantity__gte=0), name="price_list_item_break_not_negative"),
            amount_in_range("unit_price", "price_list_item_unit_price_range"),
            models.CheckConstraint(condition=Q(discount_percent__gte=0, discount_percent__lte=100),
                                   name="price_list_item_discount_percent"),
        ]
        verbose_name = _("price list item")
        verbose_name_plural = _("price list items")

    def __str__(self) -> str:
        return f"{self.price_list} {self.product.sku} ≥ {self.min_quantity}"


class UnitConversion(TrackedModel):
    """1 `from_unit` = `factor` `to_unit`: general ("1 kg = 1000 g") or for one product ("1 box = 12 pc").
    A product's own conversion wins over the general one; either direction is read (catalog.units)."""

    product = models.ForeignKey(Product, verbose_name=_("product"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="unit_conversions",
                                help_text=_("Empty: the conversion holds for all products."))
    from_unit = models.ForeignKey(Unit, verbose_name=_("from unit"), on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey(Unit, verbose_name=_("to unit"), on_delete=models.PROTECT, related_name="+")
    factor = models.DecimalField(_("factor"), **RATE, help_text=_("How many of the second unit make one of the first."))

    class Meta:
        ordering = ["from_unit__code", "to_unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["product", "from_unit", "to_unit"], name="unit_conversion_one_per_product",
                                    condition=Q(product__isnull=False)),
            models.UniqueConstraint(fields=["from_unit", "to_unit"], name="unit_conversion_one_general",
                                    condition=Q(product__isnull=True)),
            models.CheckConstraint(condition=Q(factor__gt=0), name="unit_conversion_factor_positive"),
            models.CheckConstraint(condition=~Q(from_unit=models.F("to_unit")), name="unit_conversion_two_units"),
        ]
        verbose_name = _("unit conversion")
        verbose_name_plural = _("unit conversions")

    def __str__(self) -> str:
        return f"1 {self.from_unit} = {self.factor.normalize():f} {self.to_unit}"


def validate_barcode(value: str) -> None:
    """An EAN-8, EAN-13 or GTIN-14 (UPC-A as 12 digits) with a correct check digit (python-stdnum)."""
    from stdnum import ean

    if not ean.is_valid(value or ""):
        raise ValidationError(_("%(value)s is not a valid EAN/GTIN barcode (check the digits)."),
                              params={"value": value})


class ProductBarcode(TrackedModel):
    """A barcode printed on the product (or its box): EAN/GTIN, unique across the catalogue."""

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="barcodes")
    code = models.CharField(_("barcode"), max_length=14, unique=True, validators=[validate_barcode])
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", help_text=_("The unit the code is printed on (e.g. box); empty: "
                                                           "the stock unit."))

    class Meta:
        ordering = ["code"]
        verbose_name = _("barcode")
        verbose_name_plural = _("barcodes")

    def __str__(self) -> str:
        return self.code


class Attribute(ArchivableModel, TrackedModel):
    """What variants differ by: "Size", "Colour"."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("attribute")
        verbose_name_plural = _("attributes")

    def __str__(self) -> str:
        return self.name


class AttributeValue(TrackedModel):
    attribute = models.ForeignKey(Attribute, verbose_name=_("attribute"), on_delete=models.CASCADE,
                                  related_name="values")
    value = models.CharField(_("value"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["attribute__name", "position", "value"]
        constraints = [models.UniqueConstraint(fields=["attribute", "value"], name="attribute_value_unique")]
        verbose_name = _("attribute value")
        verbose_name_plural = _("attribute values")

    def __str__(self) -> str:
        return self.value
