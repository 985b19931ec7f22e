"""Quantities between units: a product's own conversion ("1 box = 12 pc") first, then a general one
("1 kg = 1000 g"); either direction of a stored row is used. Results round to the target unit's step."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from tandem.catalog.models import Product, Unit, UnitConversion
from tandem.core.errors import BusinessRuleError


class NoUnitConversion(BusinessRuleError):
    def __init__(self, from_unit: Unit, to_unit: Unit, field: str = "unit"):
        super().__init__("no_unit_conversion",
                         _("There is no conversion from %(from)s to %(to)s.")
                         % {"from": from_unit.code, "to": to_unit.code},
                         field, extra={"from_unit": from_unit.code, "to_unit": to_unit.code})


def round_to_step(quantity: Decimal, step: Decimal) -> Decimal:
    """`quantity` rounded to a multiple of `step` (ROUND_HALF_UP): 2.0004 kg → 2.000 with step 0.001."""
    quantity, step = Decimal(quantity), Decimal(step)
    steps = (quantity / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return (steps * step).quantize(step.normalize()) if step.as_tuple().exponent < 0 else steps * step


def conversion_ratio(from_unit: Unit, to_unit: Unit, product: Product | None = None) -> tuple[Decimal, Decimal]:
    """(multiply by, divide by) turning a quantity of `from_unit` into `to_unit`: a stored row read backwards
    divides by its factor rather than multiplying by a rounded inverse (30 pc = 2.5 boxes exactly)."""
    if from_unit.pk == to_unit.pk:
        return Decimal(1), Decimal(1)
    pair = Q(from_unit=from_unit, to_unit=to_unit) | Q(from_unit=to_unit, to_unit=from_unit)
    scope = Q(product__isnull=True)
    if product is not None:
        scope |= Q(product=product)
        if product.template_id:
            scope |= Q(product_id=product.template_id)
    rows = list(UnitConversion.objects.filter(pair, scope).values_list("product_id", "from_unit_id", "factor"))
    if not rows:
        raise NoUnitConversion(from_unit, to_unit)

    def rank(row):
        product_id = row[0]
        own = 0 if product is not None and product_id == product.pk else 1 if product_id else 2
        return own, 0 if row[1] == from_unit.pk else 1

    _product_id, row_from, factor = min(rows, key=rank)
    return (factor, Decimal(1)) if row_from == from_unit.pk else (Decimal(1), factor)


def conversion_factor(from_unit: Unit, to_unit: Unit, product: Product | None = None) -> Decimal:
    """How many `to_unit` make one `from_unit` (for `product` when it has its own conversion)."""
    multiply, divide = conversion_ratio(from_unit, to_unit, product)
    return multiply / divide


def convert_quantity(quantity: Decimal, from_unit: Unit, to_unit: Unit, product: Product | None = None, *,
                     rounded: bool = True) -> Decimal:
    """`quantity` of `from_unit` in `to_unit`, rounded to `to_unit.step` unless `rounded=False`.
    Raises NoUnitConversion (code "no_unit_conversion", field "unit")."""
    multiply, divide = conversion_ratio(from_unit, to_unit, product)
    converted = Decimal(quantity) * multiply / divide
    return round_to_step(converted, to_unit.step) if rounded else converted
