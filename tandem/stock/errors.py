"""Stock refusals with stable codes (answered 409 by the API, a form error in the UI)."""

from decimal import Decimal

from django.utils.translation import gettext as _

from tandem.core.errors import ConflictError


def _plain(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


def _fixed(value: Decimal) -> str:
    """As the API shows quantities: four decimal places, the same on every database."""
    return str(Decimal(value).quantize(Decimal("0.0001")))


def insufficient_stock(product, place, *, wanted: Decimal, available: Decimal, lot=None) -> ConflictError:
    """`place`: a warehouse (its code is named) or a location (warehouse/bin)."""
    where = place.code if hasattr(place, "allow_negative") else str(place)
    if lot is not None:
        where = f"{where} ({lot.code})"
    return ConflictError(
        "insufficient_stock",
        _("Only %(available)s of %(product)s are available in %(warehouse)s; %(wanted)s are needed.")
        % {"available": _plain(available), "product": product.sku, "warehouse": where,
           "wanted": _plain(wanted)},
        field="quantity",
        extra={"available": _fixed(available), "wanted": _fixed(wanted)},
    )
