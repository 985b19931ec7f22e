"""Reads of sales shared by pages and the API; record rules follow the clients a user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from tandem.parties.queries import visible_clients
from tandem.sales.models import Order, Quote


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


def document_with_lines(qs: QuerySet, pk):
    from tandem.core.references import resolve_visible

    return resolve_visible(qs.select_related("client", "company", "counterparty", "contact", "deal", "owner")
                           .prefetch_related("lines__product", "lines__unit"), pk)
