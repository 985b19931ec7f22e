"""Pages of quotes and sales orders: lists, a quote's and an order's page with its lines (edited in place
with htmx) and its action buttons (from can_<action>()), the forms, the quote PDF, and the panels other apps'
pages show (client card, deal page). Rules live in sales.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tandem.core import limits, modules
from tandem.core.audit import entries_of
from tandem.core.errors import AccessDenied, BusinessRuleError
from tandem.core.forms import call_service
from tandem.core.htmx import fragment, is_htmx
from tandem.core.pagination import DeferredJoinPaginator
from tandem.core.pickers import render_options
from tandem.core.references import resolve_visible
from tandem.crm.queries.visibility import visible_deals
from tandem.parties.queries import visible_clients
from tandem.sales import invoicing_views, pdf, pickers, queries, shipping_views
from tandem.sales.forms import LineForm, LineQuantityForm, OrderForm, QuoteForm, StepForm
from tandem.sales.models import Order, OrderLine, Quote, QuoteLine
from tandem.sales.services import orders as order_services
from tandem.sales.services import quotes as quote_services

PER_PAGE = 50
PANEL_ROWS = 10


# --- Lists --------------------------------------------------------------------------------------------

def _list(request, qs, template, statuses):
    status = request.GET.get("status", "")
    if status not in dict(statuses):
        status = ""
    qs = queries.filter_documents(qs, status=status, q=request.GET.get("q", "")[:50])
    page = DeferredJoinPaginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, template, {"page_obj": page, "documents": page.object_list, "statuses": statuses,
                                      "status": status, "q": request.GET.get("q", "")[:50]})


@login_required
@permission_required("sales.view_quote", raise_exception=True)
def quote_list(request):
    quote_services.expire_overdue_quotes()  # the daily job's work, done on the way so no overdue quote shows sent
    return _list(request, queries.visible_quotes(request.user).order_by("-quote_date", "-id"),
                 "sales/quote_list.html", Quote.Status.choices)


@login_required
@permission_required("sales.view_order", raise_exception=True)
def order_list(request):
    return _list(request, queries.visible_orders(request.user).order_by("-order_date", "-id"),
                 "sales/order_list.html", Order.Status.choices)


# --- Quotes -------------------------------------------------------------------------------------------

def _quote(request, pk) -> Quote:
    return queries.document_with_lines(queries.visible_quotes(request.user), pk)


def _deal_from(request):
    deal_id = request.POST.get("deal") or request.GET.get("deal")
    if deal_id and limits.is_id(deal_id):
        return visible_deals(request.user).select_related("client", "counterparty", "contact").filter(
            pk=deal_id).first()
    return None


def _client_from(request):
    client_id = request.GET.get("client")
    if client_id and limits.is_id(client_id):
        return visible_clients(request.user).filter(pk=client_id).first()
    return None


@login_required
@permission_required("sales.add_quote", raise_exception=True)
@require_http_methods(["GET", "POST"])
def quote_create(request):
    deal = _deal_from(request)
    client = deal.client if deal else _client_from(request)
    initial = {"client": client.pk if client else None}
    if deal:
        initial |= {"counterparty": deal.counterparty_id, "contact": deal.contact_id, "currency": deal.currency}
    form = QuoteForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        quote = call_service(form, quote_services.create_quote, by=request.user, client=data["client"], deal=deal,
                             company=data["company"], counterparty=data["counterparty"], contact=data["contact"],
                             quote_date=data["quote_date"], valid_until=data["valid_until"],
                             currency=data["currency"] or None, note=data["note"])
        if quote is not None:
            messages.success(request, _("Quote %(number)s made; add its lines.") % {"number": quote.number})
            return redirect("sales:quote-detail", pk=quote.pk)
    return render(request, "sales/document_form.html", {"form": form, "deal": deal, "kind": "quote"},
                  status=400 if form.is_bound and form.errors else 200)


def _quote_context(request, quote, *, line_form=None):
    may_override = request.user.has_perm("sales.override_price")
    return {"doc": quote, "kind": "quote", "lines": list(quote.lines.all()),
            "line_form": line_form or LineForm(may_override=may_override, initial={"version": quote.version}),
            "may_change": request.user.has_perm("sales.change_quote") and quote.can_edit(),
            "may_act": request.user.has_perm("sales.change_quote"),
            "actions": [(name, label) for name, label in (("send", _("Send")), ("accept", _("Accept")),
                                                          ("reject", _("Reject")), ("expire", _("Expire")))
                        if getattr(quote, f"can_{name}")()],
            "order": Order.objects.filter(quote=quote).first(), "history": list(entries_of(quote)[:20])}


@login_required
@permission_required("sales.view_quote", raise_exception=True)
def quote_detail(request, pk):
    quote = _quote(request, pk)
    if quote_services.expire_if_overdue(quote):  # overdue: shown (and stored) as expired before the daily job
        quote = _quote(request, pk)
    return render(request, "sales/quote_detail.html", _quote_context(request, quote))


@login_required
@permission_required("sales.change_quote", raise_exception=True)
@require_http_methods(["GET", "POST"])
def quote_edit(request, pk):
    quote = _quote(request, pk)
    fields = ("company", "counterparty", "contact", "quote_date", "valid_until", "currency", "note")
    initial = {name: getattr(quote, f"{name}_id", None) or getattr(quote, name) for name in fields}
    form = QuoteForm(request.POST or None, user=request.user, document=quote,
                     initial={**initial, "version": quote.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {name: data[name] for name in fields if name in data}
        values["company"] = values["company"] or quote.company
        values["currency"] = values["currency"] or quote.currency
        values["quote_date"] = values["quote_date"] or quote.quote_date
        if call_service(form, quote_services.update_quote, quote, by=request.user, expected_version=data["version"],
                        **values) is not None:
            return redirect("sales:quote-detail", pk=quote.pk)
    return render(request, "sales/document_form.html", {"form": form, "doc": quote, "kind": "quote"},
                  status=400 if form.is_bound and form.errors else 200)


def _lines_response(request, doc, context_fn, detail_url, *, line_form=None, status=200):
    if is_htmx(request):
        doc = _reload(request, doc)
        return render(request, "sales/partials/_lines.html",
                      {**context_fn(request, doc, line_form=line_form), "oob": True}, status=status)
    if status != 200 and line_form is not None:
        return render(request, f"sales/{'quote' if isinstance(doc, Quote) else 'order'}_detail.html",
                      context_fn(request, _reload(request, doc), line_form=line_form), status=status)
    return redirect(detail_url, pk=doc.pk)


def _reload(request, doc):
    if isinstance(doc, Quote):
        return _quote(request, doc.pk)
    return _order(request, doc.pk)


def _add_line(request, doc, service, context_fn, detail_url):
    form = LineForm(request.POST, may_override=request.user.has_perm("sales.override_price"))
    if form.is_valid():
        if call_service(form, service, doc, by=request.user, expected_version=form.cleaned_data["version"],
                        **form.values()) is not None:
            return _lines_response(request, doc, context_fn, detail_url)
    return _lines_response(request, doc, context_fn, detail_url, line_form=form, status=400)


def _change_line(request, doc, line, service, context_fn, detail_url):
    form = LineQuantityForm(request.POST)
    if form.is_valid():
        try:
            service(line, by=request.user, expected_version=form.cleaned_data["version"],
                    quantity=form.cleaned_data["quantity"])
        except AccessDenied as exc:
            raise PermissionDenied(exc.message) from None
        except BusinessRuleError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Enter a quantity above zero."))
    return _lines_response(request, doc, context_fn, detail_url)


def _remove_line(request, doc, line, service, context_fn, detail_url):
    form = StepForm(request.POST)
    form.is_valid()
    try:
        service(line, by=request.user, expected_version=form.cleaned_data.get("version"))
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from None
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
    return _lines_response(request, doc, context_fn, detail_url)


@login_required
@permission_required("sales.change_quote", raise_exception=True)
@require_POST
def quote_line_add(request, pk):
    return _add_line(request, _quote(request, pk), quote_services.add_quote_line, _quote_context,
                     "sales:quote-detail")


@login_required
@permission_required("sales.change_quote", raise_exception=True)
@require_POST
def quote_line_change(request, pk, quote_line_pk):
    quote = _quote(request, pk)
    line = resolve_visible(QuoteLine.objects.filter(quote=quote).select_related("quote__client"), quote_line_pk)
    return _change_line(request, quote, line, quote_services.update_quote_line, _quote_context,
                        "sales:quote-detail")


@login_required
@permission_required("sales.change_quote", raise_exception=True)
@require_POST
def quote_line_remove(request, pk, quote_line_pk):
    quote = _quote(request, pk)
    line = resolve_visible(QuoteLine.objects.filter(quote=quote).select_related("quote__client"), quote_line_pk)
    return _remove_line(request, quote, line, quote_services.remove_quote_line, _quote_context,
                        "sales:quote-detail")


def _step(request, doc, service, success, detail_url):
    form = StepForm(request.POST)
    form.is_valid()
    try:
        result = service(doc, by=request.user, expected_version=form.cleaned_data.get("version"))
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from None
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
        return redirect(detail_url, pk=doc.pk)
    messages.success(request, success)
    return result


def _quote_step(request, pk, service, success):
    result = _step(request, _quote(request, pk), service, success, "sales:quote-detail")
    if isinstance(result, Order):
        return redirect("sales:order-detail", pk=result.pk)
    return result if not isinstance(result, Quote) else redirect("sales:quote-detail", pk=pk)


@login_required
@permission_required("sales.change_quote", raise_exception=True)
@require_POST
def quote_send(request, pk):
    return _quote_step(request, pk, quote_services.send_quote, _("Quote marked sent."))


@login_required
@permission_required("sales.change_quote", raise_exception=True)
@require_POST
def quote_accept(request, pk):
    return _quote_step(request, pk, quote_services.accept_quote, _("Quote accepted; the sales order is made."))


@login_required
@permission_required("sales.change_quote", raise_exception=True)
@require_POST
def quote_reject(request, pk):
    return _quote_step(request, pk, quote_services.reject_quote, _("Quote marked rejected."))


@login_required
@permission_required("sales.change_quote", raise_exception=True)
@require_POST
def quote_expire(request, pk):
    return _quote_step(request, pk, quote_services.expire_quote, _("Quote marked expired."))


@login_required
@permission_required("sales.view_quote", raise_exception=True)
def quote_pdf(request, pk):
    quote = _quote(request, pk)
    return pdf.pdf_response(pdf.render_quote_pdf(quote, request=request), f"{quote.number}.pdf")


# --- Orders -------------------------------------------------------------------------------------------

def _order(request, pk) -> Order:
    return queries.document_with_lines(queries.visible_orders(request.user).select_related("warehouse", "quote"), pk)


def _order_context(request, order, *, line_form=None):
    may_override = request.user.has_perm("sales.override_price")
    return {"doc": order, "kind": "order", "lines": list(order.lines.all()),
            "line_form": line_form or LineForm(may_override=may_override, initial={"version": order.version}),
            "may_change": request.user.has_perm("sales.change_order") and order.can_edit(),
            "may_act": request.user.has_perm("sales.change_order"),
            "actions": [(name, label) for name, label in (("confirm", _("Confirm")), ("cancel", _("Cancel order")),
                                                          ("close", _("Close")))
                        if getattr(order, f"can_{name}")()],
            "history": list(entries_of(order)[:20]),
            "shipping": shipping_views.order_shipping_panel(request, order),
            "invoicing": invoicing_views.order_invoicing_panel(request, order),
            # Sections upper modules add to the order page (planning: availability per line): [{id, title, html}].
            "panels": modules.collect("order_page_panels", request, order,
                                      enabled=getattr(request, "enabled_modules", None))}


@login_required
@permission_required("sales.add_order", raise_exception=True)
@require_http_methods(["GET", "POST"])
def order_create(request):
    client = _client_from(request)
    form = OrderForm(request.POST or None, user=request.user, initial={"client": client.pk if client else None})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        order = call_service(form, order_services.create_order, by=request.user, client=data["client"],
                             company=data["company"], counterparty=data["counterparty"], contact=data["contact"],
                             order_date=data["order_date"], requested_date=data["requested_date"],
                             warehouse=data["warehouse"], currency=data["currency"] or None, note=data["note"])
        if order is not None:
            return redirect("sales:order-detail", pk=order.pk)
    return render(request, "sales/document_form.html", {"form": form, "kind": "order"},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
@permission_required("sales.view_order", raise_exception=True)
def order_detail(request, pk):
    return render(request, "sales/order_detail.html", _order_context(request, _order(request, pk)))


@login_required
@permission_required("sales.change_order", raise_exception=True)
@require_POST
def order_line_add(request, pk):
    return _add_line(request, _order(request, pk), order_services.add_order_line, _order_context,
                     "sales:order-detail")


@login_required
@permission_required("sales.change_order", raise_exception=True)
@require_POST
def order_line_change(request, pk, order_line_pk):
    order = _order(request, pk)
    line = resolve_visible(OrderLine.objects.filter(order=order).select_related("order__client"), order_line_pk)
    return _change_line(request, order, line, order_services.update_order_line, _order_context,
                        "sales:order-detail")


@login_required
@permission_required("sales.change_order", raise_exception=True)
@require_POST
def order_line_remove(request, pk, order_line_pk):
    order = _order(request, pk)
    line = resolve_visible(OrderLine.objects.filter(order=order).select_related("order__client"), order_line_pk)
    return _remove_line(request, order, line, order_services.remove_order_line, _order_context,
                        "sales:order-detail")


def _order_step(request, pk, service, success):
    result = _step(request, _order(request, pk), service, success, "sales:order-detail")
    return result if not isinstance(result, Order) else redirect("sales:order-detail", pk=pk)


@login_required
@permission_required("sales.change_order", raise_exception=True)
@require_POST
def order_confirm(request, pk):
    return _order_step(request, pk, order_services.confirm_order, _("Order confirmed; stock reserved."))


@login_required
@permission_required("sales.change_order", raise_exception=True)
@require_POST
def order_cancel(request, pk):
    return _order_step(request, pk, order_services.cancel_order, _("Order cancelled; reservations released."))


@login_required
@permission_required("sales.change_order", raise_exception=True)
@require_POST
def order_close(request, pk):
    return _order_step(request, pk, order_services.close_order, _("Order closed."))


# --- Picker and panels for other apps' pages ----------------------------------------------------------

@login_required
@permission_required("catalog.view_product", raise_exception=True)
@fragment
def product_picker(request):
    return render_options(request, pickers.PRODUCT_PICKER, pickers.sellable_products())


def documents_panel_html(request, *, quotes, orders, new_quote_url: str | None) -> str:
    return render_to_string("sales/partials/_documents_panel.html", {
        "quotes": list(quotes[:PANEL_ROWS]), "orders": list(orders[:PANEL_ROWS]), "new_quote_url": new_quote_url,
    }, request=request)


def client_card_panels(request, client) -> list[dict]:
    user = request.user
    if not user.has_perm("sales.view_quote") and not user.has_perm("sales.view_order"):
        return []
    quotes = queries.quotes_of_client(user, client)
    orders = queries.orders_of_client(user, client)
    return [{"id": "sales", "title": _("Quotes and orders"), "count": None, "open": True,
             "html": documents_panel_html(request, quotes=quotes, orders=orders, new_quote_url=None)}]


def client_card_actions(request, client) -> list[dict]:
    if client.is_archived or not request.user.has_perm("sales.add_quote"):
        return []
    return [{"key": "new-quote", "label": _("New quote"), "primary": False,
             "url": f"{reverse('sales:quote-create')}?client={client.pk}"}]


def deal_page_panels(request, deal) -> list[dict]:
    user = request.user
    if not user.has_perm("sales.view_quote"):
        return []
    return [{"id": "sales", "title": _("Quotes and orders"),
             "html": documents_panel_html(request, quotes=queries.quotes_of_deal(user, deal),
                                          orders=queries.orders_of_deal(user, deal), new_quote_url=None)}]


def product_page_panel(request, product) -> str | None:
    """The catalog's product page, "Quotes and orders": the recent ones with a line of this product."""
    user = request.user
    if not user.has_perm("sales.view_quote") and not user.has_perm("sales.view_order"):
        return None
    return documents_panel_html(request, quotes=queries.quotes_with_product(user, product),
                                orders=queries.orders_with_product(user, product), new_quote_url=None)


def deal_page_actions(request, deal) -> list[dict]:
    if not request.user.has_perm("sales.add_quote"):
        return []
    return [{"key": "new-quote", "label": _("New quote"), "url": f"{reverse('sales:quote-create')}?deal={deal.pk}"}]


urlpatterns = [
    path("quotes/", quote_list, name="quote-list"),
    path("quotes/new/", quote_create, name="quote-create"),
    path("quotes/<int:pk>/", quote_detail, name="quote-detail"),
    path("quotes/<int:pk>/edit/", quote_edit, name="quote-edit"),
    path("quotes/<int:pk>/lines/add/", quote_line_add, name="quote-line-add"),
    path("quotes/<int:pk>/lines/<int:quote_line_pk>/change/", quote_line_change, name="quote-line-change"),
    path("quotes/<int:pk>/lines/<int:quote_line_pk>/remove/", quote_line_remove, name="quote-line-remove"),
    path("quotes/<int:pk>/send/", quote_send, name="quote-send"),
    path("quotes/<int:pk>/accept/", quote_accept, name="quote-accept"),
    path("quotes/<int:pk>/reject/", quote_reject, name="quote-reject"),
    path("quotes/<int:pk>/expire/", quote_expire, name="quote-expire"),
    path("quotes/<int:pk>/pdf/", quote_pdf, name="quote-pdf"),
    path("orders/", order_list, name="order-list"),
    path("orders/new/", order_create, name="order-create"),
    path("orders/<int:pk>/", order_detail, name="order-detail"),
    path("orders/<int:pk>/lines/add/", order_line_add, name="order-line-add"),
    path("orders/<int:pk>/lines/<int:order_line_pk>/change/", order_line_change, name="order-line-change"),
    path("orders/<int:pk>/lines/<int:order_line_pk>/remove/", order_line_remove, name="order-line-remove"),
    path("orders/<int:pk>/confirm/", order_confirm, name="order-confirm"),
    path("orders/<int:pk>/cancel/", order_cancel, name="order-cancel"),
    path("orders/<int:pk>/close/", order_close, name="order-close"),
    path("products/picker/", product_picker, name="product-picker"),
]
