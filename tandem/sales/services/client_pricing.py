"""Which price group a client buys in (sales.ClientPricing): set by those who may change prices."""

from __future__ import annotations

from django.db import transaction

from tandem.core import audit
from tandem.core.permissions import require_permission
from tandem.sales.models import ClientPricing
from tandem.sales.services.lines import check_client


def set_client_price_group(client, price_group, *, by) -> ClientPricing | None:
    """Put the client in `price_group` (None: the general lists only)."""
    require_permission(by, "sales.change_clientpricing")
    check_client(by, client)
    with transaction.atomic():
        current = ClientPricing.objects.select_for_update().filter(client=client).select_related("price_group").first()
        old = str(current.price_group) if current else None
        if price_group is None:
            if current:
                current.delete()
            row = None
        elif current:
            current.price_group = price_group
            current.save(update_fields=["price_group", "updated_at"])
            row = current
        else:
            row = ClientPricing.objects.create(client=client, price_group=price_group, created_by=by)
        new = str(price_group) if price_group else None
        if old != new:
            audit.record(client, "sales.clientpricing.changed", by=by, root=client, changes={"price_group": [old, new]})
    return row
