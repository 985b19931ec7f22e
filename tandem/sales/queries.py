"""Reads of sales shared by pages and the API; record rules follow the clients a user may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tandem.parties.queries import visible_clients
from tandem.sales.models import CustomerReturn, Order, Quote, Shipment


def _visible(model, user, perm: str) -> QuerySet:
    if not user.is_authenticated or not user.has_perm(perm):
        return model.objects.none()
    qs = model.objects.all()
    if not user.has_perm("sales.view_all_quotes"):
        qs = qs.filter(client__in=visible_clients(user).values("pk"))
    return qs


def visible_quotes(user) -> QuerySet[Quote]:
    return _visible(Quote, user, "sales.view_quote")


def visible_orders(user) -> QuerySet[Order]:
    return _visible(Order, user, "sales.view_order")


def filter_documents(qs: QuerySet, *, status: str = "", client_id: int | None = None, deal_id: int | None = None,
                     q: str = "") -> QuerySet:
    if status:
        qs = qs.filter(status=status)
    if client_id:
        qs = qs.filter(client_id=client_id)
    if deal_id:
        qs = qs.filter(deal_id=deal_id)
    if q:
        qs = qs.filter(number__icontains=q.strip())
    return qs.select_related("client", "company", "counterparty", "owner")


def quotes_of_client(user, client) -> QuerySet[Quote]:
    return visible_quotes(user).filter(client=client).order_by("-quote_date", "-id")


def orders_of_client(user, client) -> QuerySet[Order]:
    return visible_orders(user).filter(client=client).order_by("-order_date", "-id")


def quotes_of_deal(user, deal) -> QuerySet[Quote]:
    return visible_quotes(user).filter(deal=deal).order_by("-quote_date", "-id")


def orders_of_deal(user, deal) -> QuerySet[Order]:
    return visible_orders(user).filter(deal=deal).order_by("-order_date", "-id")


def quotes_with_product(user, product) -> QuerySet[Quote]:
    """Quotes with a line of `product` (the product page), newest first."""
    ids = visible_quotes(user).filter(lines__product=product).values("pk")
    return Quote.objects.filter(pk__in=ids).select_related("client").order_by("-quote_date", "-id")


def orders_with_product(user, product) -> QuerySet[Order]:
    ids = visible_orders(user).filter(lines__product=product).values("pk")
    return Order.objects.filter(pk__in=ids).select_related("client").order_by("-order_date", "-id")


def document_with_lines(qs: QuerySet, pk):
    from tandem.core.references import resolve_visible

    return resolve_visible(qs.select_related("client", "company", "counterparty", "contact", "deal", "owner")
                           .prefetch_related("lines__product", "lines__unit"), pk)


# --- Shipments and customer returns (issue #13.5) --------------------------------------------------------------


def visible_shipments(user) -> QuerySet[Shipment]:
    """Shipments of the clients the user may see (everyone's with sales.view_all_quotes, e.g. the warehouse)."""
    return _visible(Shipment, user, "sales.view_shipment")


def visible_returns(user) -> QuerySet[CustomerReturn]:
    return _visible(CustomerReturn, user, "sales.view_customerreturn")


def filter_shipments(qs: QuerySet, *, status: str = "", client_id: int | None = None, order_id: int | None = None,
                     deal_id: int | None = None, q: str = "") -> QuerySet:
    if status:
        qs = qs.filter(status=status)
    if client_id:
        qs = qs.filter(client_id=client_id)
    if order_id:
        qs = qs.filter(order_id=order_id)
    if deal_id:
        qs = qs.filter(order__deal_id=deal_id)
    if q:
        text = q.strip()
        qs = qs.filter(Q(number__icontains=text) | Q(tracking_number__icontains=text)
                       | Q(order__number__icontains=text))
    return qs.select_related("client", "order", "warehouse")


def shipments_of_client(user, client) -> QuerySet[Shipment]:
    return visible_shipments(user).filter(client=client).select_related("order").order_by("-shipment_date", "-id")


def shipments_of_deal(user, deal) -> QuerySet[Shipment]:
    return visible_shipments(user).filter(order__deal=deal).select_related("order").order_by("-shipment_date", "-id")


def returns_of_complaint(user, complaint) -> QuerySet[CustomerReturn]:
    return visible_returns(user).filter(complaint=complaint).select_related("order", "location")


def shipment_with_lines(qs: QuerySet, pk):
    from tandem.core.references import resolve_visible

    return resolve_visible(qs.select_related("client", "company", "order", "warehouse", "order__counterparty",
                                             "order__contact")
                           .prefetch_related("lines__product__unit", "lines__location", "lines__lot",
                                             "lines__order_line"), pk)


def return_with_lines(qs: QuerySet, pk):
    from tandem.core.references import resolve_visible

    return resolve_visible(qs.select_related("client", "company", "order", "location__warehouse", "complaint")
                           .prefetch_related("lines__product__unit", "lines__lot", "lines__order_line"), pk)
