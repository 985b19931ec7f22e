"""What the quote and order endpoints share: body ids resolved to rows through the record rules."""

from __future__ import annotations

from tandem.catalog.models import Product, Unit
from tandem.core.models import LegalEntity
from tandem.core.references import resolve_visible
from tandem.crm.queries.visibility import visible_deals
from tandem.parties.models import Contact, Counterparty
from tandem.parties.queries import visible_clients
from tandem.stock.models import Warehouse


def header_values(request, data: dict) -> dict:
    """Schema fields -> service keyword arguments (ids resolved to rows; clients and deals by the record rule)."""
    refs = {
        "client_id": ("client", visible_clients(request.user)),
        "deal_id": ("deal", visible_deals(request.user).select_related("client", "counterparty", "contact")),
        "company_id": ("company", LegalEntity),
        "counterparty_id": ("counterparty", Counterparty),
        "contact_id": ("contact", Contact),
        "warehouse_id": ("warehouse", Warehouse),
    }
    for key, (name, source) in refs.items():
        if key in data:
            data[name] = resolve_visible(source, data.pop(key), key)
    if data.get("note", "") is None:
        data["note"] = ""
    if "lines" in data:
        data["lines"] = [line_values(line, prefix=f"lines[{i}].") for i, line in enumerate(data["lines"])]
    return data


def line_values(data: dict, prefix: str = "") -> dict:
    if "product_id" in data:
        data["product"] = resolve_visible(Product.objects.select_related("unit", "tax_category"),
                                          data.pop("product_id"), f"{prefix}product_id")
    if "unit_id" in data:
        data["unit"] = resolve_visible(Unit, data.pop("unit_id"), f"{prefix}unit_id")
    for key in ("unit_price", "discount_percent", "description"):
        if key in data and data[key] is None:
            data.pop(key)
    return data
