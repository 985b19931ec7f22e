"""Stock refusals with stable codes (answered 409 by the API, a form error in the UI)."""

from decimal import Decimal

from django.utils.translation import gettext as _

from tandem.core.errors import ConflictError


def insufficient_stock(product, warehouse, *, wanted: Decimal, available: Decimal) -> ConflictError:
    return ConflictError(
        "insufficient_stock",
        _("Only %(available)s of %(product)s are available in %(warehouse)s; %(wanted)s are needed.")
        % {"available": available.normalize(), "product": product.sku, "warehouse": warehouse.code,
           "wanted": wanted.normalize()},
        field="quantity",
        extra={"available": str(available), "wanted": str(wanted)},
    )
