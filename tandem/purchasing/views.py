"""Purchasing pages (thin: the services decide)."""

from __future__ import annotations

from django.template.loader import render_to_string

from tandem.purchasing.models import SupplierPrice


def product_suppliers_panel(request, product) -> str | None:
    """The catalog's product page, "Suppliers": who sells the product to us, at what price, the preferred one."""
    if not request.user.has_perm("purchasing.view_supplierprice"):
        return None
    prices = list(SupplierPrice.objects.filter(product=product).select_related("supplier__counterparty")
                  .order_by("-is_preferred", "unit_price", "pk"))
    return render_to_string("purchasing/partials/_product_suppliers.html", {"prices": prices, "product": product},
                            request=request)
