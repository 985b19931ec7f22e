"""Pages of invoices and tax rates under /finance/ (thin: the record rule of finance.invoice_queries, one
service per POST, render)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tandem.core import formats, limits
from tandem.core.audit import entries_of
from tandem.core.errors import AccessDenied, BusinessRuleError
from tandem.core.forms import add_business_error
from tandem.core.money import parse_decimal
from tandem.core.pagination import DeferredJoinPaginator
from tandem.finance import invoice_queries, queries, services
from tandem.finance.banking import services as banking_services
from tandem.finance.invoice_forms import InvoiceForm, TaxRateForm
from tandem.finance.models import Invoice
from tandem.finance.services.invoices import can_issue, credited_quantities
from tandem.parties.queries import visible_clients

PER_PAGE = 50


def _invoice(request, pk) -> Invoice:
    return invoice_queries.get_visible_invoice(request.user, pk)


def _refused(request, call, pk):
    try:
        return call()
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from None
    except BusinessRuleError as refusal:
        messages.error(request, refusal.message)
        return None


@login_required
@permission_required("finance.view_invoice", raise_exception=True)
def invoice_list(request):
    params = request.GET
    client = params.get("client", "")
    qs = invoice_queries.filter_invoices(
        invoice_queries.visible_invoices(request.user), client=int(client) if client.isdigit() else None,
        status=params.get("status", "") if params.get("status") in Invoice.Status.values else "",
        overdue=params.get("overdue") == "1", q=params.get("q", "").strip()[:100])
    page = DeferredJoinPaginator(qs, PER_PAGE).get_page(params.get("page"))
    today = timezone.localdate()
    for invoice in page.object_list:
        invoice.overdue = invoice_queries.is_overdue(invoice, today)
    return render(request, "finance/invoice_list.html", {"page_obj": page, "invoices": page.object_list,
                                                         "statuses": Invoice.Status.choices})


@login_required
@permission_required("finance.view_invoice", raise_exception=True)
def invoice_detail(request, pk):
    invoice = _invoice(request, pk)
    return render(request, "finance/invoice_detail.html", _detail_context(request, invoice))


def _detail_context(request, invoice, **extra) -> dict:
    lines = invoice_queries.invoice_lines(invoice)
    credited = credited_quantities(invoice) if invoice.can_credit() else {}
    for line in lines:
        line.creditable = line.quantity - credited.get(line.pk, Decimal(0))
    user = request.user
    credit_open = invoice.is_credit and invoice.status in Invoice.OPEN_STATUSES and invoice.amount_due > 0
    apply_targets = []
    if credit_open and user.has_perm("finance.change_payment"):
        apply_targets = list(invoice_queries.credit_targets(invoice)[:100])
    return {
        "invoice": invoice, "lines": lines, "overdue": invoice_queries.is_overdue(invoice),
        # Supplier bills are prepared where they come from (a purchase order's bill page), not on this form.
        "may_edit": user.has_perm("finance.change_invoice") and invoice.can_edit() and invoice.is_customer,
        "may_cancel": user.has_perm("finance.change_invoice") and invoice.can_cancel(),
        "may_issue": can_issue(user) and invoice.can_issue(),
        "may_credit": can_issue(user) and invoice.can_credit() and any(line.creditable > 0 for line in lines),
        "may_apply": bool(apply_targets), "apply_targets": apply_targets,
        "may_refund": credit_open and user.has_perm("finance.add_payment"),
        "credit_uses": list(invoice.credit_allocations.filter(is_reversed=False).select_related("invoice")
                            .order_by("date", "pk")) if invoice.is_credit else [],
        "may_pay": user.has_perm("finance.add_payment") and invoice.status in Invoice.OPEN_STATUSES
        and invoice.amount_due > 0 and not invoice.is_credit,
        "credit_notes": list(invoice.credit_notes.exclude(status=Invoice.Status.CANCELLED)),
        "legal_notes": sorted({line.tax_rate.legal_note for line in lines if line.tax_rate_id
                               and line.tax_rate.legal_note}),
        "history": list(entries_of(invoice)[:20]), **extra}


@login_required
@permission_required("finance.change_payment", raise_exception=True)
@require_POST
def invoice_apply_credit(request, pk):
    """Apply the credit note's remaining credit to one of the client's open invoices (amount default: as much
    as both allow). A refusal re-renders the page with the reason at the form (400 / 409)."""
    note = _invoice(request, pk)
    target_id, text = request.POST.get("invoice", ""), request.POST.get("amount", "").strip()
    target = Invoice.objects.filter(pk=int(target_id), company_id=note.company_id).first() \
        if limits.is_id(target_id) else None
    error, field, status = None, "invoice", 400
    if target is None:
        error = _("Choose an open invoice of this client.")
    else:
        try:
            amount = parse_decimal(text) if text else None  # none: as much as both allow (the service decides)
        except ValueError:
            amount, error, field = None, _("Enter an amount above zero."), "amount"
        if error is None:
            try:
                banking_services.apply_credit_note(note, target, amount, by=request.user)
            except AccessDenied as exc:
                raise PermissionDenied(exc.message) from None
            except BusinessRuleError as refusal:
                error, status = refusal.message, refusal.status_code
                field = "amount" if refusal.field == "amount" else "invoice"
    if error is not None:
        note.refresh_from_db()
        return render(request, "finance/invoice_detail.html", _detail_context(
            request, note, apply_error=error, apply_field=field, apply_amount=text,
            apply_invoice=target.pk if target else None), status=status)
    messages.success(request, _("%(amount)s of %(note)s applied to %(invoice)s.")
                     % {"amount": formats.format_money(amount, note.currency), "note": note.number,
                        "invoice": target.number})
    return redirect("finance:invoice-detail", note.pk)


def _form(request, invoice=None):
    company = invoice.company if invoice else queries.company_for()
    today = timezone.localdate()
    initial = {"invoice_date": today, "tax_rounding": services.invoices.tax_rounding_setting(),
               "currency": company.base_currency if company else ""}
    if invoice is not None:
        initial = {"client": invoice.client_id, "invoice_date": invoice.invoice_date, "due_date": invoice.due_date,
                   "currency": invoice.currency, "prices_include_tax": invoice.prices_include_tax,
                   "tax_rounding": invoice.tax_rounding, "notes": invoice.notes, "version": invoice.version}
    elif request.GET.get("client", "").isdigit():
        initial["client"] = int(request.GET["client"])
    rates = invoice_queries.tax_rates(country=getattr(company, "country", "") or "", on=today)
    return InvoiceForm(request.POST or None, initial=initial, clients=visible_clients(request.user).active(),
                       tax_rates=rates, lines=invoice.lines.all() if invoice else ())


def _save(request, form, invoice=None):
    data = form.cleaned_data
    lines = [{k: v for k, v in line.items() if k != "_row"} for line in form.lines]
    values = {"invoice_date": data["invoice_date"], "currency": data["currency"] or None,
              "prices_include_tax": data["prices_include_tax"], "tax_rounding": data["tax_rounding"],
              "notes": data["notes"]}
    if data["due_date"]:
        values["due_date"] = data["due_date"]
    try:
        if invoice is None:
            return services.create_invoice(by=request.user, client=data["client"], lines=lines, **values)
        if data["due_date"] is None:
            values["due_date"] = max(invoice.due_date, data["invoice_date"])
        return services.update_invoice(invoice, by=request.user, expected_version=data["version"], lines=lines,
                                       **{k: v for k, v in values.items() if v is not None})
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from None
    except BusinessRuleError as refusal:
        field = refusal.field or ""
        if field.startswith("lines."):
            index = int(field.split(".")[1])
            form.line_errors[form.lines[index]["_row"]] = refusal.message
            form.add_error(None, refusal.message)
        else:
            add_business_error(form, refusal)
        return None


def _render_form(request, form, invoice=None):
    rows = [dict(row, error=form.line_errors.get(index), product_field=form.product_forms[index]["product"]
                 if index < len(form.product_forms) else None) for index, row in enumerate(form.line_rows)]
    return render(request, "finance/invoice_form.html", {"form": form, "rows": rows, "invoice": invoice,
                                                         "tax_rates": form.tax_rates.values()},
                  status=400 if request.method == "POST" else 200)


@login_required
@permission_required("finance.add_invoice", raise_exception=True)
@require_http_methods(["GET", "POST"])
def invoice_create(request):
    form = _form(request)
    if request.method == "POST" and form.is_valid():
        invoice = _save(request, form)
        if invoice is not None:
            messages.success(request, _("Draft invoice saved."))
            return redirect("finance:invoice-detail", invoice.pk)
    return _render_form(request, form)


@login_required
@permission_required("finance.change_invoice", raise_exception=True)
@require_http_methods(["GET", "POST"])
def invoice_edit(request, pk):
    invoice = _invoice(request, pk)
    if not invoice.is_customer:
        messages.error(request, _("A supplier bill is changed where it was prepared."))
        return redirect("finance:invoice-detail", invoice.pk)
    if not invoice.can_edit():
        messages.error(request, _("Only a draft invoice can be changed; an issued one is corrected by a credit note."))
        return redirect("finance:invoice-detail", invoice.pk)
    form = _form(request, invoice)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, invoice)
        if saved is not None:
            messages.success(request, _("Draft invoice saved."))
            return redirect("finance:invoice-detail", saved.pk)
    return _render_form(request, form, invoice)


@login_required
@permission_required("finance.issue_invoice", raise_exception=True)
@require_POST
def invoice_issue(request, pk):
    invoice = _invoice(request, pk)
    version = request.POST.get("version", "")
    issued = _refused(request, lambda: services.issue_invoice(
        invoice, by=request.user, expected_version=int(version) if version.isdigit() else None), pk)
    if issued is not None:
        messages.success(request, _("%(number)s issued.") % {"number": issued.number})
    return redirect("finance:invoice-detail", invoice.pk)


@login_required
@permission_required("finance.change_invoice", raise_exception=True)
@require_POST
def invoice_cancel(request, pk):
    invoice = _invoice(request, pk)
    version = request.POST.get("version", "")
    if _refused(request, lambda: services.cancel_invoice(
            invoice, by=request.user, expected_version=int(version) if version.isdigit() else None), pk):
        messages.success(request, _("Draft invoice cancelled."))
    return redirect("finance:invoice-detail", invoice.pk)


@login_required
@permission_required("finance.issue_invoice", raise_exception=True)
@require_POST
def invoice_credit(request, pk):
    """A credit note of the quantities entered per line (credit_<line id>); the lines left blank are not
    credited."""
    invoice = _invoice(request, pk)
    lines = []
    for line in invoice.lines.all():
        try:
            quantity = parse_decimal(request.POST.get(f"credit_{line.pk}", "").strip())
        except ValueError:
            messages.error(request, _("Enter a number."))
            return redirect("finance:invoice-detail", invoice.pk)
        if quantity:
            lines.append({"line": line, "quantity": quantity})
    if not lines:
        messages.error(request, _("Enter the quantity to credit on at least one line."))
        return redirect("finance:invoice-detail", invoice.pk)
    note = _refused(request, lambda: services.create_credit_note(invoice, by=request.user, lines=lines), pk)
    if note is None:
        return redirect("finance:invoice-detail", invoice.pk)
    messages.success(request, _("%(number)s issued.") % {"number": note.number})
    return redirect("finance:invoice-detail", note.pk)


@login_required
@permission_required("finance.view_taxrate", raise_exception=True)
@require_http_methods(["GET", "POST"])
def taxrate_list(request):
    may_add = request.user.has_perm("finance.add_taxrate")
    form = TaxRateForm(request.POST or None) if may_add else None
    if request.method == "POST":
        if not may_add:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.create_tax_rate(by=request.user, **form.cleaned_data)
            except BusinessRuleError as refusal:
                add_business_error(form, refusal)
            else:
                messages.success(request, _("Tax rate saved."))
                return redirect("finance:taxrate-list")
    country = request.GET.get("country", "").strip()[:2]
    rates = invoice_queries.tax_rates(country=country)
    return render(request, "finance/taxrate_list.html", {"rates": rates, "form": form, "country": country},
                  status=400 if request.method == "POST" else 200)


urlpatterns = [
    path("invoices/", invoice_list, name="invoice-list"),
    path("invoices/new/", invoice_create, name="invoice-create"),
    path("invoices/<int:pk>/", invoice_detail, name="invoice-detail"),
    path("invoices/<int:pk>/edit/", invoice_edit, name="invoice-edit"),
    path("invoices/<int:pk>/issue/", invoice_issue, name="invoice-issue"),
    path("invoices/<int:pk>/cancel/", invoice_cancel, name="invoice-cancel"),
    path("invoices/<int:pk>/credit/", invoice_credit, name="invoice-credit"),
    path("invoices/<int:pk>/apply-credit/", invoice_apply_credit, name="invoice-apply-credit"),
    path("tax-rates/", taxrate_list, name="taxrate-list"),
]
