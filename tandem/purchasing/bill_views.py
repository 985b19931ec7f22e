"""Pages of supplier bills made from purchase orders: "Bill this order", the bill with its three-way match per
line (correct quantities and prices, accept a difference, issue), and the list of supplier bills. Thin: the rules
live in purchasing.bills and finance.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tandem.core.errors import AccessDenied, BusinessRuleError
from tandem.core.forms import call_service
from tandem.core.money import parse_decimal
from tandem.core.pagination import DeferredJoinPaginator
from tandem.finance import services as finance
from tandem.finance.models import Invoice
from tandem.finance.services.invoices import can_issue
from tandem.purchasing import bills
from tandem.purchasing.forms import BillFilterForm, BillOrderForm
from tandem.purchasing.models import BillMatch, PurchaseOrder

PER_PAGE = 50


def _bill(pk) -> Invoice:
    bill = get_object_or_404(Invoice.objects.select_related("company", "client", "counterparty", "entry",
                                                            "bill_match__order__supplier__counterparty",
                                                            "bill_match__accepted_by"),
                             pk=pk, kind=Invoice.Kind.SUPPLIER_BILL, bill_match__isnull=False)
    return bill


@login_required
@permission_required("purchasing.add_billmatch", raise_exception=True)
@require_http_methods(["GET", "POST"])
def order_bill(request, pk):
    order = get_object_or_404(PurchaseOrder.objects.select_related("supplier__counterparty"), pk=pk)
    form = BillOrderForm(request.POST or None, initial={"invoice_date": timezone.localdate(),
                                                        "version": order.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        bill = call_service(form, bills.bill_order, order, by=request.user,
                            supplier_reference=data["supplier_reference"], invoice_date=data["invoice_date"],
                            due_date=data["due_date"], expected_version=data["version"])
        if bill is not None:
            messages.success(request, _("Draft supplier bill of %(number)s made.") % {"number": order.number})
            return redirect("purchasing:bill-detail", pk=bill.pk)
    open_quantities = bills.billable_quantities(order)
    lines = list(order.lines.select_related("product__unit").order_by("position", "pk"))
    for line in lines:
        line.to_bill = max(open_quantities.get(line.pk, 0), 0)
    return render(request, "purchasing/bill_order.html", {"order": order, "form": form, "lines": lines},
                  status=(409 if getattr(form, "refusal", None) is not None and form.refusal.status_code == 409
                          else 400) if form.is_bound and form.errors else 200)


def _detail_context(request, bill: Invoice, *, error=None) -> dict:
    user = request.user
    match_row = bill.bill_match
    draft = bill.status == Invoice.Status.DRAFT
    # A draft is matched live (receipts may have come since); an issued bill keeps what was checked at issue.
    matches = bills.match_bill(bill, match_row.order)
    status = bills.verdict(match_row, bills.mismatches_of(matches)) if draft else match_row.status
    for match in matches:
        match.problem_labels = [bills.problem_label(code) for code in match.problems]
    return {
        "bill": bill, "match": match_row, "order": match_row.order, "matches": matches, "status": status,
        "status_label": BillMatch.Status(status).label,
        "stored_mismatches": [dict(m, labels=[bills.problem_label(c) for c in m["problems"]])
                              for m in match_row.mismatches],
        "may_change": draft and user.has_perm("purchasing.change_billmatch")
        and user.has_perm("finance.prepare_supplier_bill"),
        "may_accept": draft and status == BillMatch.Status.MISMATCH
        and user.has_perm(bills.ACCEPT),
        "may_issue": draft and can_issue(user), "error": error,
        "may_see_invoice": user.has_perm("finance.view_invoice"),
    }


@login_required
@permission_required("purchasing.view_billmatch", raise_exception=True)
def bill_detail(request, pk):
    return render(request, "purchasing/bill_detail.html", _detail_context(request, _bill(pk)))


def _version(request):
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


def _refused(request, bill, exc: BusinessRuleError):
    if isinstance(exc, AccessDenied):
        raise PermissionDenied(exc.message) from None
    return render(request, "purchasing/bill_detail.html", _detail_context(request, _bill(bill.pk), error=exc),
                  status=exc.status_code)


@login_required
@permission_required("purchasing.change_billmatch", raise_exception=True)
@require_POST
def bill_update(request, pk):
    """The header (reference, dates) and, per line, the quantity and unit price the supplier billed."""
    bill = _bill(pk)
    lines = []
    for line in bill.lines.order_by("position", "pk"):
        item = {"position": line.position}
        for name in ("quantity", "unit_price"):
            raw = (request.POST.get(f"{name}-{line.position}") or "").strip()
            if raw:
                try:
                    item[name] = parse_decimal(raw)
                except ValueError:
                    return _refused(request, bill, BusinessRuleError(
                        "invalid_number", _("Line %(position)s: enter a number.") % {"position": line.position},
                        field=f"lines.{line.position - 1}.{name}"))
        lines.append(item)
    values = {}
    reference = request.POST.get("supplier_reference")
    if reference is not None:
        values["supplier_reference"] = reference
    try:
        bills.update_bill(bill, by=request.user, expected_version=_version(request), lines=lines, **values)
    except BusinessRuleError as exc:
        return _refused(request, bill, exc)
    messages.success(request, _("Bill saved; the match is checked again."))
    return redirect("purchasing:bill-detail", pk=pk)


@login_required
@permission_required("purchasing.accept_bill_mismatch", raise_exception=True)
@require_POST
def bill_accept(request, pk):
    bill = _bill(pk)
    try:
        bills.accept_bill_mismatch(bill, by=request.user, note=request.POST.get("note", ""),
                                   expected_version=_version(request))
    except BusinessRuleError as exc:
        return _refused(request, bill, exc)
    messages.success(request, _("Difference accepted; the bill can be issued."))
    return redirect("purchasing:bill-detail", pk=pk)


@login_required
@permission_required("finance.issue_invoice", raise_exception=True)
@require_POST
def bill_issue(request, pk):
    bill = _bill(pk)
    try:
        issued = bills.issue_bill(bill, by=request.user, expected_version=_version(request))
    except BusinessRuleError as exc:
        return _refused(request, bill, exc)
    messages.success(request, _("%(number)s issued.") % {"number": issued.number})
    return redirect("purchasing:bill-detail", pk=pk)


@login_required
@permission_required("purchasing.change_billmatch", raise_exception=True)
@require_POST
def bill_cancel(request, pk):
    """Cancel a draft bill: its quantities can be billed again."""
    bill = _bill(pk)
    try:
        finance.cancel_invoice(bill, by=request.user, expected_version=_version(request))
    except BusinessRuleError as exc:
        return _refused(request, bill, exc)
    messages.success(request, _("Draft bill cancelled."))
    return redirect("purchasing:order-detail", pk=bill.bill_match.order_id)


@login_required
@permission_required("purchasing.view_billmatch", raise_exception=True)
def bill_list(request):
    form = BillFilterForm(request.GET or None)
    supplier, status, match = None, "", ""
    if form.is_valid():
        supplier = form.cleaned_data["supplier"]
        status = form.cleaned_data["status"] if form.cleaned_data["status"] in Invoice.Status.values else ""
        match = form.cleaned_data["match"] if form.cleaned_data["match"] in BillMatch.Status.values else ""
    q = request.GET.get("q", "").strip()[:50]
    qs = bills.supplier_bills(supplier=supplier, status=status, match=match, q=q)
    page = DeferredJoinPaginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "purchasing/bill_list.html", {
        "page_obj": page, "bills": page.object_list, "form": form, "statuses": Invoice.Status.choices,
        "matches": BillMatch.Status.choices, "status": status, "match": match, "q": q,
        "query": query.urlencode()})


urlpatterns = [
    path("orders/<int:pk>/bill/", order_bill, name="order-bill"),
    path("bills/", bill_list, name="bill-list"),
    path("bills/<int:pk>/", bill_detail, name="bill-detail"),
    path("bills/<int:pk>/save/", bill_update, name="bill-update"),
    path("bills/<int:pk>/accept/", bill_accept, name="bill-accept"),
    path("bills/<int:pk>/issue/", bill_issue, name="bill-issue"),
    path("bills/<int:pk>/cancel/", bill_cancel, name="bill-cancel"),
]
