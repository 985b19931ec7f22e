"""Read-only questions about BOMs that other apps (planning, the product page) ask."""

import datetime
from decimal import Decimal

from django.db.models import Q

from tandem.production.models import Bom


def active_bom(product, on_date: datetime.date | None = None) -> Bom | None:
    """The BOM version in force for `product` on `on_date` (today by default): not archived, valid_from on or
    before the date, valid_to empty or on or after it; the newest valid_from wins."""
    on_date = on_date or datetime.date.today()
    return (Bom.objects.filter(product=product, is_archived=False, valid_from__lte=on_date)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on_date))
            .order_by("-valid_from", "-id").first())


def component_requirements(bom: Bom, quantity: Decimal) -> list[tuple[object, Decimal]]:
    """One level down: (component product, quantity needed, scrap included) to make `quantity` with `bom`."""
    return [(line.component, line.gross_quantity * quantity / bom.quantity)
            for line in bom.lines.select_related("component").order_by("position", "id")]
