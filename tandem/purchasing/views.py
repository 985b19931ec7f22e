"""Purchasing pages under /purchasing/: purchase orders (list, new, detail with lines and action buttons from
the can_… checks, receive form, PDF), supplier prices, the pickers and the product page's "Suppliers" panel.
Thin: the rules live in purchasing.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tandem.core import limits
from tandem.core.audit import entries_of
from tandem.core.errors import AccessDenied, BusinessRuleError
from tandem.core.forms import call_service
from tandem.core.models import LegalEntity
from tandem.core.money import parse_decimal, quantize
from tandem.core.pagination import DeferredJoinPaginator
from tandem.core.pdf import pdf_response
from tandem.core.pickers import render_options
from tandem.core.services import base_currency, default_legal_entity
from tandem.parties.queries import visible_counterparties
from tandem.purchasing import bills, pickers, queries, services
from tandem.purchasing.forms import (
    PurchaseLineEditForm,
    PurchaseLineForm,
    PurchaseOrderEditForm,
    PurchaseOrderForm,
    PurchasingSettingsForm,
    ReceiveForm,
    StepForm,
    SupplierForm,
    SupplierPriceForm,
)
from tandem.purchasing.models import PurchaseOrder, PurchaseOrderLine, SupplierPrice, SupplierProfile
from tandem.purchasing.pdf import document_title, pdf_filename, render_purchase_order_pdf
from tandem.stock import queries as stock_queries

PER_PAGE = 50


def _orders():
    return PurchaseOrder.objects.select_related("supplier__counterparty", "warehouse", "company", "approved_by",
                                                "owner")


def _order(pk) -> PurchaseOrder:
    return get_object_or_404(_orders(), pk=pk)


@login_required
@permission_required("purchasing.view_purchaseorder", raise_exception=True)
def order_list(request):
    status = request.GET.get("status", "")
    qs = _orders().order_by("-order_date", "-id")
    if status in dict(PurchaseOrder.Status.choices):
        qs = qs.filter(status=status)
    else:
        status = ""
    q = request.GET.get("q", "")[:50]
    if q:
        qs = qs.filter(number__icontains=q)
    supplier = request.GET.get("supplier", "")
    if supplier.isdigit() and len(supplier) < 19:
        qs = qs.filter(supplier_id=int(supplier))
    else:
        supplier = ""
    page = DeferredJoinPaginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "purchasing/order_list.html", {
        "page_obj": page, "orders": page.object_list, "statuses": PurchaseOrder.Status.choices, "status": status,
        "q": q, "supplier": supplier})


@login_required
@permission_required("purchasing.add_purchaseorder", raise_exception=True)
@require_http_methods(["GET", "POST"])
def order_create(request):
    """A new purchase order, or (?rfq=1, or the posted `as_rfq`) a request for quotation."""
    form = PurchaseOrderForm(request.POST or None)
    as_rfq = (request.POST if request.method == "POST" else request.GET).get("as_rfq", request.GET.get("rfq")) == "1"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        order = call_service(form, services.create_purchase_order, by=request.user, supplier=data["supplier"],
                             warehouse=data["warehouse"], order_date=data["order_date"],
                             expected_date=data["expected_date"], note=data["note"], as_rfq=as_rfq)
        if order is not None:
            message = (_("Request for quotation %(number)s made; add its lines.") if as_rfq
                       else _("Purchase order %(number)s made; add its lines."))
            messages.success(request, message % {"number": order.number})
            return redirect("purchasing:order-detail", pk=order.pk)
    return render(request, "purchasing/order_form.html", {"form": form, "as_rfq": as_rfq},
                  status=400 if form.is_bound and form.errors else 200)


ACTIONS = (("convert", "purchasing.change_purchaseorder"), ("submit", "purchasing.change_purchaseorder"),
           ("approve", "purchasing.approve_purchaseorder"), ("return-to-draft", "purchasing.approve_purchaseorder"),
           ("send", "purchasing.change_purchaseorder"), ("close", "purchasing.change_purchaseorder"),
           ("cancel", "purchasing.change_purchaseorder"))


def _context(request, order, *, line_form=None, quote_error=None):
    user = request.user
    labels = {"convert": _("Convert to purchase order"), "submit": _("Submit"), "approve": _("Approve"),
              "return-to-draft": _("Send back to draft"),
              "send": _("Mark sent"), "close": _("Close"),
              "cancel": _("Cancel request") if order.is_rfq else _("Cancel order")}
    lines = list(order.lines.select_related("product__unit").order_by("position", "pk"))
    for line in lines:  # the quoted-price field's value, unlocalised as the form reads it back
        line.price_text = "" if line.awaiting_price else format(line.unit_price.normalize(), "f")
    return {
        "order": order, "lines": lines,
        "may_edit": user.has_perm("purchasing.change_purchaseorder") and order.can_edit(),
        "may_receive": user.has_perm("purchasing.receive_purchaseorder") and order.can_receive(),
        "actions": [(name, labels[name]) for name, perm in ACTIONS
                    if user.has_perm(perm) and getattr(order, "can_" + name.replace("-", "_"))()],
        "needs_approval": order.status == PurchaseOrder.Status.DRAFT and services.needs_approval(order),
        "line_form": line_form or PurchaseLineForm(initial={"version": order.version}),
        "history": list(entries_of(order)[:20]),
        "may_bill": user.has_perm("purchasing.add_billmatch") and bills.can_bill(order)
        and any(quantity > 0 for quantity in bills.billable_quantities(order).values()),
        "bills": list(bills.bills_of_order(order)) if user.has_perm("purchasing.view_billmatch") else [],
        "title": document_title(order),
        "may_save_prices": user.has_perm("purchasing.add_supplierprice")
        and user.has_perm("purchasing.change_supplierprice"),
        "may_see_supplier": user.has_perm("purchasing.view_supplierprofile"),
        "quote_error": quote_error,
    }


@login_required
@permission_required("purchasing.view_purchaseorder", raise_exception=True)
def order_detail(request, pk):
    return render(request, "purchasing/order_detail.html", _context(request, _order(pk)))


@login_required
@permission_required("purchasing.change_purchaseorder", raise_exception=True)
@require_POST
def order_line_add(request, pk):
    order = _order(pk)
    form = PurchaseLineForm(request.POST)
    if form.is_valid() and call_service(form, services.add_purchase_order_line, order, by=request.user,
                                        expected_version=form.cleaned_data["version"], **form.values()) is not None:
        return redirect("purchasing:order-detail", pk=order.pk)
    return render(request, "purchasing/order_detail.html", _context(request, _order(pk), line_form=form), status=400)


def _refused_status(form) -> int:
    refusal = getattr(form, "refusal", None)
    return 409 if refusal is not None and getattr(refusal, "status_code", 400) == 409 else 400


def _editable_or_409(request, order):
    """The edit pages exist while the order can be changed; otherwise the order's page says why (409)."""
    if order.can_edit():
        return None
    messages.error(request, _("Only a request for quotation or a draft purchase order can be changed."))
    return render(request, "purchasing/order_detail.html", _context(request, order), status=409)


@login_required
@permission_required("purchasing.change_purchaseorder", raise_exception=True)
@require_http_methods(["GET", "POST"])
def order_edit(request, pk):
    """The header of a request for quotation or a draft order: warehouse, dates, currency and note. The hidden
    version refuses an edit made on a stale page (409, shown on the form)."""
    order = _order(pk)
    refused = _editable_or_409(request, order)
    if refused is not None:
        return refused
    initial = {"warehouse": order.warehouse, "order_date": order.order_date, "expected_date": order.expected_date,
               "currency": order.currency, "note": order.note, "version": order.version}
    form = PurchaseOrderEditForm(request.POST or None, initial=initial, order=order)
    if request.method == "POST" and form.is_valid():
        if call_service(form, services.update_purchase_order, order, by=request.user,
                        expected_version=form.cleaned_data["version"], **form.values()) is not None:
            messages.success(request, _("Saved."))
            return redirect("purchasing:order-detail", pk=order.pk)
    return render(request, "purchasing/order_form.html", {"form": form, "order": order, "title": document_title(order)},
                  status=_refused_status(form) if form.is_bound and form.errors else 200)


@login_required
@permission_required("purchasing.change_purchaseorder", raise_exception=True)
@require_http_methods(["GET", "POST"])
def order_line_edit(request, pk, line_pk):
    """One line: quantity, unit price (empty: the supplier's price), expected date and description."""
    order = _order(pk)
    line = get_object_or_404(PurchaseOrderLine.objects.select_related("product__unit"), pk=line_pk, order=order)
    refused = _editable_or_409(request, order)
    if refused is not None:
        return refused
    initial = {"quantity": line.quantity, "unit_price": line.unit_price if line.price_overridden else None,
               "expected_date": line.expected_date, "description": line.description, "version": order.version}
    form = PurchaseLineEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if call_service(form, services.update_purchase_order_line, line, by=request.user,
                        expected_version=form.cleaned_data["version"], **form.values()) is not None:
            messages.success(request, _("Saved."))
            return redirect("purchasing:order-detail", pk=order.pk)
    return render(request, "purchasing/order_line_form.html",
                  {"form": form, "order": order, "line": line, "title": document_title(order)},
                  status=_refused_status(form) if form.is_bound and form.errors else 200)


def _run(request, service, *args, **kwargs) -> bool:
    try:
        service(*args, by=request.user, **kwargs)
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from None
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
        return False
    return True


@login_required
@permission_required("purchasing.change_purchaseorder", raise_exception=True)
@require_POST
def order_line_remove(request, pk, line_pk):
    order = _order(pk)
    line = get_object_or_404(PurchaseOrderLine, pk=line_pk, order=order)
    form = StepForm(request.POST)
    form.is_valid()
    _run(request, services.remove_purchase_order_line, line, expected_version=form.cleaned_data.get("version"))
    return redirect("purchasing:order-detail", pk=order.pk)


def _step(name, service, perm):
    @login_required
    @require_POST
    def view(request, pk):
        if not request.user.has_perm(perm):
            raise PermissionDenied
        order = _order(pk)
        form = StepForm(request.POST)
        form.is_valid()
        if _run(request, service, order, expected_version=form.cleaned_data.get("version")):
            messages.success(request, _("Purchase order %(number)s: %(status)s.") % {
                "number": order.number, "status": _order(pk).get_status_display()})
        return redirect("purchasing:order-detail", pk=pk)

    view.__name__ = f"order_{name}"
    return view


@login_required
@require_POST
def order_convert(request, pk):
    """Request for quotation → draft purchase order; "save_prices" also writes the quoted prices to the
    supplier's price list."""
    if not request.user.has_perm("purchasing.change_purchaseorder"):
        raise PermissionDenied
    order = _order(pk)
    form = StepForm(request.POST)
    form.is_valid()
    save = request.POST.get("save_prices") == "1"
    if save and not (request.user.has_perm("purchasing.add_supplierprice")
                     and request.user.has_perm("purchasing.change_supplierprice")):
        raise PermissionDenied
    if _run(request, services.convert_rfq, order, expected_version=form.cleaned_data.get("version"),
            save_prices=save):
        messages.success(request, _("Request for quotation %(number)s is now a draft purchase order.")
                         % {"number": order.number})
    return redirect("purchasing:order-detail", pk=pk)


@login_required
@permission_required("purchasing.change_purchaseorder", raise_exception=True)
@require_POST
def order_quote(request, pk):
    """The supplier's quoted prices of a request for quotation, one field per line (`price-<line id>`)."""
    order = _order(pk)
    form = StepForm(request.POST)
    form.is_valid()
    lines = list(order.lines.order_by("position", "pk"))
    prices = []
    for line in lines:
        raw = (request.POST.get(f"price-{line.pk}") or "").strip()
        try:
            prices.append((line, parse_decimal(raw) if raw else None))
        except ValueError:
            return _quote_refused(request, order, BusinessRuleError("invalid_number", _("Enter a number."),
                                                                    field=f"price-{line.pk}"), line)
    try:
        services.record_quoted_prices(order, prices=prices, by=request.user,
                                      expected_version=form.cleaned_data.get("version"))
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from None
    except BusinessRuleError as exc:
        return _quote_refused(request, order, exc)
    messages.success(request, _("Quoted prices recorded."))
    return redirect("purchasing:order-detail", pk=pk)


def _quote_refused(request, order, error, line=None):
    status = 409 if getattr(error, "status_code", 400) == 409 else 400
    return render(request, "purchasing/order_detail.html", _context(request, _order(order.pk), quote_error=error),
                  status=status)


order_submit = _step("submit", services.submit_purchase_order, "purchasing.change_purchaseorder")
order_approve = _step("approve", services.approve_purchase_order, "purchasing.approve_purchaseorder")
order_return_to_draft = _step("return_to_draft", services.reject_purchase_order,
                              "purchasing.approve_purchaseorder")
order_send = _step("send", services.send_purchase_order, "purchasing.change_purchaseorder")
order_close = _step("close", services.close_purchase_order, "purchasing.change_purchaseorder")
order_cancel = _step("cancel", services.cancel_purchase_order, "purchasing.change_purchaseorder")


@login_required
@permission_required("purchasing.receive_purchaseorder", raise_exception=True)
@require_http_methods(["GET", "POST"])
def order_receive(request, pk):
    """One row per open line: the quantity received now (preset to what is still open) and its lot; where the
    goods go, a location of the order's warehouse (preset to its default location)."""
    order = _order(pk)
    lines = list(order.lines.select_related("product__unit").order_by("position", "pk"))
    error, status = None, 200
    form = ReceiveForm(request.POST if request.method == "POST" else None, order=order,
                       default_location=stock_queries.default_location(order.warehouse))
    if request.method == "POST" and not form.is_valid():
        error = BusinessRuleError("invalid_choice", str(form.errors["location"][0]), field="location")
    elif request.method == "POST":
        location = form.cleaned_data.get("location")
        items = []
        for line in lines:
            raw = (request.POST.get(f"quantity-{line.pk}") or "").strip()
            if not raw:
                continue
            try:
                quantity = parse_decimal(raw)
            except ValueError:
                quantity = None
            if quantity is None or quantity < 0:
                error = BusinessRuleError("invalid_number", _("Enter a number."), field=f"quantity-{line.pk}")
                break
            if quantity:
                items.append(services.ReceiptLine(line, quantity, (request.POST.get(f"lot-{line.pk}") or "").strip()
                                                  or None, location))
        if error is None:
            try:
                services.receive_purchase_order(order, lines=items, by=request.user,
                                                date=parse_date_or_none(request.POST.get("date")))
            except AccessDenied as exc:
                raise PermissionDenied(exc.message) from None
            except BusinessRuleError as exc:
                error = exc
            else:
                messages.success(request, _("Goods of %(number)s received.") % {"number": order.number})
                return redirect("purchasing:order-detail", pk=pk)
    if error is not None:
        status = 409 if getattr(error, "status_code", 400) == 409 else 400
    return render(request, "purchasing/order_receive.html", {"order": order, "lines": lines, "error": error,
                                                             "posted": request.POST, "form": form}, status=status)


def parse_date_or_none(value):
    from django.utils.dateparse import parse_date

    try:
        return parse_date(value) if value else None
    except ValueError:
        return None


@login_required
@permission_required("purchasing.view_purchaseorder", raise_exception=True)
def order_pdf(request, pk):
    order = _order(pk)
    return pdf_response(render_purchase_order_pdf(order, request=request), pdf_filename(order))


# --- Supplier prices ---------------------------------------------------------------------------------------------

@login_required
@permission_required("purchasing.change_purchasingsettings", raise_exception=True)
@require_http_methods(["GET", "POST"])
def settings_page(request, pk=None):
    """The purchasing settings of one legal entity (the default one at /purchasing/settings/)."""
    entity = get_object_or_404(LegalEntity, pk=pk) if pk is not None else default_legal_entity()
    current = services.settings_for(entity)
    # As the form shows them: the threshold with the currency's decimals (5000.00), percentages plain (2.5).
    initial = {"approval_threshold": quantize(current.approval_threshold, entity.base_currency),
               **{name: format(getattr(current, name).normalize(), "f") for name in services.PERCENT_SETTINGS}}
    form = PurchasingSettingsForm(request.POST or None, initial=initial, currency=entity.base_currency)
    if request.method == "POST":
        if form.is_valid() and call_service(form, services.update_purchasing_settings, entity, by=request.user,
                                            **form.cleaned_data) is not None:
            messages.success(request, _("Purchasing settings of %(name)s saved.") % {"name": entity.name})
            return redirect("purchasing:legal-entity-settings", pk=entity.pk)
    return render(request, "purchasing/settings.html", {
        "form": form, "entity": entity, "entities": list(LegalEntity.objects.order_by("-is_default", "name"))},
        status=400 if form.is_bound else 200)


@login_required
@permission_required("purchasing.view_supplierprice", raise_exception=True)
def price_list(request):
    qs = SupplierPrice.objects.select_related("supplier__counterparty", "product").order_by(
        "product__sku", "-is_preferred", "unit_price", "pk")
    q = request.GET.get("q", "")[:50]
    if q:
        qs = qs.filter(product__sku__istartswith=q) | qs.filter(product__name__icontains=q)
    page = DeferredJoinPaginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "purchasing/price_list.html", {"page_obj": page, "prices": page.object_list, "q": q,
                                                          "form": SupplierPriceForm()})


def _back_url(back: str, *, supplier_id=None, product_id=None) -> str:
    """Where a price form returns: the supplier card or the product page it was opened from, else the list."""
    if back == "supplier" and supplier_id:
        return reverse("purchasing:supplier-detail", args=[supplier_id]) + "#prices"
    if back == "product" and product_id:
        return reverse("catalog:product-detail", args=[product_id]) + "#panel-suppliers"
    return reverse("purchasing:price-list")


def _back(request) -> str:
    back = (request.POST if request.method == "POST" else request.GET).get("back", "")
    return back if back in ("supplier", "product") else ""


def _id_param(request, name):
    value = request.GET.get(name, "")
    return int(value) if limits.is_id(value) else None


@login_required
@permission_required("purchasing.add_supplierprice", raise_exception=True)
@require_http_methods(["GET", "POST"])
def price_create(request):
    """A new price; `?supplier=` and `?product=` preset them (from the supplier card or the product page), the
    currency then preset to the supplier's."""
    back = _back(request)
    initial = {}
    supplier_id, product_id = _id_param(request, "supplier"), _id_param(request, "product")
    if supplier_id:
        supplier = pickers.active_suppliers().filter(pk=supplier_id).first()
        if supplier is not None:
            initial.update(supplier=supplier, currency=supplier.currency, lead_time_days=supplier.lead_time_days)
    if product_id:
        product = pickers.buyable_products().filter(pk=product_id).first()
        if product is not None:
            initial["product"] = product
    form = SupplierPriceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        price = call_service(form, services.add_supplier_price, supplier=data["supplier"], product=data["product"],
                             by=request.user, **form.values())
        if price is not None:
            messages.success(request, _("Supplier price added."))
            return redirect(_back_url(back, supplier_id=price.supplier_id, product_id=price.product_id))
    return render(request, "purchasing/price_form.html", {"form": form, "back": back,
                                                          "cancel_url": _back_url(back, supplier_id=supplier_id,
                                                                                  product_id=product_id)},
                  status=400 if form.is_bound and form.errors else 200)


def _price(supplier_price_id) -> SupplierPrice:
    return get_object_or_404(SupplierPrice.objects.select_related("supplier__counterparty", "product__unit"),
                             pk=supplier_price_id)


def _price_initial(price: SupplierPrice) -> dict:
    return {"supplier_sku": price.supplier_sku, "currency": price.currency, "unit_price": price.unit_price.normalize(),
            "min_quantity": price.min_quantity.normalize(), "pack_size": price.pack_size.normalize(),
            "lead_time_days": price.lead_time_days, "valid_from": price.valid_from, "valid_to": price.valid_to,
            "is_preferred": price.is_preferred}


@login_required
@permission_required("purchasing.change_supplierprice", raise_exception=True)
@require_http_methods(["GET", "POST"])
def price_edit(request, supplier_price_id):
    price = _price(supplier_price_id)
    back = _back(request)
    form = SupplierPriceForm(request.POST or None, initial=_price_initial(price), price=price)
    if request.method == "POST" and form.is_valid():
        if call_service(form, services.update_supplier_price, price, by=request.user, **form.values()) is not None:
            messages.success(request, _("Supplier price saved."))
            return redirect(_back_url(back, supplier_id=price.supplier_id, product_id=price.product_id))
    return render(request, "purchasing/price_form.html", {
        "form": form, "price": price, "back": back,
        "may_remove": request.user.has_perm("purchasing.delete_supplierprice"),
        "cancel_url": _back_url(back, supplier_id=price.supplier_id, product_id=price.product_id)},
        status=400 if form.is_bound and form.errors else 200)


@login_required
@permission_required("purchasing.change_supplierprice", raise_exception=True)
@require_POST
def price_prefer(request, supplier_price_id):
    """The product page's "Make preferred": this supplier becomes the product's preferred one."""
    price = _price(supplier_price_id)
    if _run(request, services.update_supplier_price, price, is_preferred=True):
        messages.success(request, _("%(supplier)s is now the preferred supplier of %(product)s.") % {
            "supplier": price.supplier.counterparty.legal_name, "product": price.product.sku})
    return redirect(_back_url(_back(request) or "product", supplier_id=price.supplier_id,
                              product_id=price.product_id))


@login_required
@permission_required("purchasing.delete_supplierprice", raise_exception=True)
@require_POST
def price_remove(request, supplier_price_id):
    """Nothing refers to a price (orders copy it), so removing one deletes it; the audit log keeps it."""
    price = _price(supplier_price_id)
    if _run(request, services.remove_supplier_price, price):
        messages.success(request, _("Supplier price removed."))
    return redirect(_back_url(_back(request), supplier_id=price.supplier_id, product_id=price.product_id))


# --- Suppliers ----------------------------------------------------------------------------------------------

@login_required
@permission_required("purchasing.view_supplierprofile", raise_exception=True)
def supplier_list(request):
    q = request.GET.get("q", "")[:50]
    active = request.GET.get("active") == "1"
    page = DeferredJoinPaginator(queries.suppliers(text=q, active_only=active), PER_PAGE).get_page(
        request.GET.get("page"))
    return render(request, "purchasing/supplier_list.html", {"page_obj": page, "suppliers": page.object_list,
                                                             "q": q, "active": active})


@login_required
@permission_required("purchasing.view_supplierprofile", raise_exception=True)
def supplier_detail(request, pk):
    """The supplier card: profile, recent orders, receipts, bills and balance, on-time delivery rate."""
    supplier = get_object_or_404(SupplierProfile.objects.select_related("counterparty__client"), pk=pk)
    card = queries.supplier_card(supplier, user=request.user)
    prices = (list(supplier.prices.select_related("product__unit").order_by("product__sku", "min_quantity", "pk"))
              if request.user.has_perm("purchasing.view_supplierprice") else None)
    return render(request, "purchasing/supplier_detail.html", {
        "supplier": supplier, "card": card, "prices": prices,
        "statuses": [(value, label, card.order_counts[value]) for value, label in PurchaseOrder.Status.choices
                     if card.order_counts.get(value)]})


@login_required
@permission_required("purchasing.add_supplierprofile", raise_exception=True)
@require_http_methods(["GET", "POST"])
def supplier_create(request):
    """Make a counterparty a supplier: `?client=` offers only that client's legal entities (from the client
    card), `?counterparty=` presets one."""
    client_id = _id_param(request, "client")
    initial = {"currency": base_currency()}
    counterparty_id = _id_param(request, "counterparty")
    if counterparty_id:
        counterparty = visible_counterparties(request.user).active().filter(pk=counterparty_id).first()
        if counterparty is not None:
            initial["counterparty"] = counterparty
    form = SupplierForm(request.POST or None, initial=initial, user=request.user, client_id=client_id)
    if request.method == "POST" and form.is_valid():
        supplier = call_service(form, services.create_supplier, counterparty=form.cleaned_data["counterparty"],
                                by=request.user, **form.values())
        if supplier is not None:
            messages.success(request, _("%(name)s is now a supplier.") % {"name": supplier.counterparty.legal_name})
            return redirect("purchasing:supplier-detail", pk=supplier.pk)
    return render(request, "purchasing/supplier_form.html", {"form": form, "client_id": client_id},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
@permission_required("purchasing.change_supplierprofile", raise_exception=True)
@require_http_methods(["GET", "POST"])
def supplier_edit(request, pk):
    supplier = get_object_or_404(SupplierProfile.objects.select_related("counterparty"), pk=pk)
    initial = {name: getattr(supplier, name) for name in services.SUPPLIER_FIELDS}
    form = SupplierForm(request.POST or None, initial=initial, user=request.user, supplier=supplier)
    if request.method == "POST" and form.is_valid():
        if call_service(form, services.update_supplier, supplier, by=request.user, **form.values()) is not None:
            messages.success(request, _("Supplier saved."))
            return redirect("purchasing:supplier-detail", pk=supplier.pk)
    return render(request, "purchasing/supplier_form.html", {"form": form, "supplier": supplier},
                  status=400 if form.is_bound and form.errors else 200)


def client_card_actions(request, client) -> list[dict]:
    """The client card's "Make supplier" button, while one of its legal entities is not a supplier yet."""
    if not request.user.has_perm("purchasing.add_supplierprofile") or client.is_archived:
        return []
    if not client.counterparties.filter(is_archived=False, supplier_profile__isnull=True).exists():
        return []
    return [{"key": "make-supplier", "label": _("Make supplier"),
             "url": reverse("purchasing:supplier-create") + f"?client={client.pk}"}]


# --- Pickers and panels ---------------------------------------------------------------------------------------

@login_required
def product_picker(request):
    if not request.user.has_perm("purchasing.view_purchaseorder"):
        raise PermissionDenied
    return render_options(request, pickers.PRODUCT_PICKER, pickers.buyable_products())


@login_required
def supplier_picker(request):
    if not request.user.has_perm("purchasing.view_supplierprofile"):
        raise PermissionDenied
    return render_options(request, pickers.SUPPLIER_PICKER, pickers.active_suppliers())


def product_suppliers_panel(request, product) -> str | None:
    """The catalog's product page, "Suppliers": who sells the product to us, at what price, the preferred one."""
    if not request.user.has_perm("purchasing.view_supplierprice"):
        return None
    prices = list(SupplierPrice.objects.filter(product=product).select_related("supplier__counterparty")
                  .order_by("-is_preferred", "unit_price", "pk"))
    return render_to_string("purchasing/partials/_product_suppliers.html", {"prices": prices, "product": product},
                            request=request)


urlpatterns = [
    path("orders/", order_list, name="order-list"),
    path("orders/new/", order_create, name="order-create"),
    path("orders/<int:pk>/", order_detail, name="order-detail"),
    path("orders/<int:pk>/edit/", order_edit, name="order-edit"),
    path("orders/<int:pk>/lines/add/", order_line_add, name="order-line-add"),
    path("orders/<int:pk>/lines/<int:line_pk>/edit/", order_line_edit, name="order-line-edit"),
    path("orders/<int:pk>/lines/<int:line_pk>/remove/", order_line_remove, name="order-line-remove"),
    path("orders/<int:pk>/quote/", order_quote, name="order-quote"),
    path("orders/<int:pk>/convert/", order_convert, name="order-convert"),
    path("orders/<int:pk>/submit/", order_submit, name="order-submit"),
    path("orders/<int:pk>/approve/", order_approve, name="order-approve"),
    path("orders/<int:pk>/return-to-draft/", order_return_to_draft, name="order-return-to-draft"),
    path("orders/<int:pk>/send/", order_send, name="order-send"),
    path("orders/<int:pk>/close/", order_close, name="order-close"),
    path("orders/<int:pk>/cancel/", order_cancel, name="order-cancel"),
    path("orders/<int:pk>/receive/", order_receive, name="order-receive"),
    path("orders/<int:pk>/pdf/", order_pdf, name="order-pdf"),
    path("settings/", settings_page, name="settings"),
    path("settings/<int:pk>/", settings_page, name="legal-entity-settings"),
    path("prices/", price_list, name="price-list"),
    path("prices/new/", price_create, name="price-create"),
    path("prices/<int:supplier_price_id>/edit/", price_edit, name="price-edit"),
    path("prices/<int:supplier_price_id>/prefer/", price_prefer, name="price-prefer"),
    path("prices/<int:supplier_price_id>/remove/", price_remove, name="price-remove"),
    path("suppliers/", supplier_list, name="supplier-list"),
    path("suppliers/new/", supplier_create, name="supplier-create"),
    path("suppliers/<int:pk>/", supplier_detail, name="supplier-detail"),
    path("suppliers/<int:pk>/edit/", supplier_edit, name="supplier-edit"),
    path("products/picker/", product_picker, name="product-picker"),
    path("suppliers/picker/", supplier_picker, name="supplier-picker"),
]
