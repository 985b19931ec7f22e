"""Assortment: units of measure, the category tree, products and services (with variants), price lists.

Skeleton laid by the integrator; the catalog branch extends it (conversions, barcodes, variants' attributes,
price lists). Other apps rely on: Product.sku/name/unit/tracking/kind/is_archived and Unit.step."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.core.models import QUANTITY, ArchivableModel, TrackedModel


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
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["sku"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    @property
    def is_stocked(self) -> bool:
        return self.kind == self.Kind.GOODS
