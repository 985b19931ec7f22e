"""Pages of payments and bank statements (thin: parse, call one service or query, render)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tandem.core import limits
from tandem.core.errors import AccessDenied, BusinessRuleError
from tandem.core.forms import call_service
from tandem.core.money import parse_decimal, quantize
from tandem.core.pagination import DeferredJoinPaginator
from tandem.core.references import resolve_visible
from tandem.finance import queries as ledger_queries
from tandem.finance.banking import parsers, queries, services, statements
from tandem.finance.banking.forms import AllocateForm, PaymentAccountForm, PaymentForm, StatementImportForm
from tandem.finance.models import BankStatement, BankStatementLine, Invoice, Payment, PaymentAccount
from tandem.parties import queries as parties_queries

PER_PAGE = 50


def _company():
    return ledger_queries.company_for()


def _refused(request, refusal: BusinessRuleError) -> None:
    if isinstance(refusal, AccessDenied):
        raise refusal
    messages.error(request, refusal.message)


# --- Payments ---------------------------------------------------------------------------------------------

@login_required
@permission_required("finance.view_payment", raise_exception=True)
def payment_list(request):
    direction = request.GET.get("direction", "")
    status = request.GET.get("status", "")
    qs = queries.payments(request.user, company=_company(),
                          direction=direction if direction in Payment.Direction.values else "",
                          status=status if status in Payment.Status.values else "",
                          unallocated=request.GET.get("unallocated") == "1")
    page = DeferredJoinPaginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "finance/payments/payment_list.html", {
        "payments": page.object_list, "page_obj": page, "directions": Payment.Direction.choices,
        "statuses": Payment.Status.choices})


def _allocation_rows(request, company, form_data) -> tuple[list[dict], object | None]:
    """The open invoices of the chosen client, each with the amount typed for it."""
    client_id, direction = form_data.get("client", ""), form_data.get("direction") or Payment.Direction.INCOMING
    if not limits.is_id(client_id):
        return [], None
    client = parties_queries.visible_clients(request.user).filter(pk=int(client_id)).first()
    if client is None:
        return [], None
    account = None
    if limits.is_id(form_data.get("payment_account", "")):
        account = PaymentAccount.objects.filter(company=company, pk=int(form_data["payment_account"])).first()
    invoices = queries.open_invoices(company, client=client, direction=direction,
                                     currency=account.currency if account else "")
    rows = [{"invoice": invoice, "value": form_data.get(f"allocate_{invoice.pk}", ""), "error": ""}
            for invoice in invoices[:200]]
    return rows, client


@login_required
@permission_required("finance.add_payment", raise_exception=True)
@require_http_methods(["GET", "POST"])
def payment_create(request):
    """Register a payment; the client's open invoices are listed (htmx on choosing the client) with an amount
    to allocate to each. `?invoice=<id>` starts from one invoice, its amount due filled in."""
    company = _company()
    clients = parties_queries.visible_clients(request.user)
    initial = {"date": timezone.localdate(), "direction": Payment.Direction.INCOMING}
    data = request.POST if request.method == "POST" else request.GET.copy()
    if request.method == "GET":
        invoice_id = request.GET.get("invoice", "")
        invoice = (Invoice.objects.filter(company=company, pk=int(invoice_id), status__in=Invoice.OPEN_STATUSES,
                                          client__in=clients).first() if limits.is_id(invoice_id) else None)
        if invoice is not None:
            due = quantize(invoice.amount_due, invoice.currency)
            initial.update(client=invoice.client_id, amount=due, reference=invoice.number,
                           direction=Payment.Direction.INCOMING if invoice.kind in services.INCOMING_KINDS
                           else Payment.Direction.OUTGOING)
            data = data.copy()
            data.update({"client": str(invoice.client_id), f"allocate_{invoice.pk}": str(due),
                         "direction": initial["direction"]})
        account = PaymentAccount.objects.filter(company=company).active().order_by("name").first()
        if account is not None:
            initial["payment_account"] = account.pk
    form = PaymentForm(request.POST or None, company=company, clients=clients,
                       initial={**initial, **({"client": data.get("client")} if data.get("client") else {})})
    rows, _client = _allocation_rows(request, company, data)
    if request.method == "POST" and form.is_valid():
        allocations, bad = [], False
        for row in rows:
            text = (row["value"] or "").strip()
            if not text:
                continue
            try:
                amount = parse_decimal(text)
            except ValueError:
                amount = None
            if amount is None or amount <= 0:
                row["error"], bad = _("Enter an amount above zero."), True
                continue
            allocations.append((row["invoice"], amount))
        if bad:
            form.add_error(None, _("Check the amounts marked below."))
        else:
            cleaned = form.cleaned_data
            payment = call_service(form, services.register_payment, company, direction=cleaned["direction"],
                                   payment_account=cleaned["payment_account"], date=cleaned["date"],
                                   amount=cleaned["amount"], client=cleaned["client"],
                                   reference=cleaned["reference"], allocations=allocations, by=request.user)
            if payment is not None:
                messages.success(request, _("Payment %(number)s registered.") % {"number": payment.number})
                return redirect("finance:payment-detail", payment.pk)
            refused_field = (form.refusal.field or "") if form.refusal else ""
            if refused_field.startswith("allocations."):
                index = int(refused_field.split(".")[1])
                chosen = [row for row in rows if (row["value"] or "").strip()]
                if index < len(chosen):
                    chosen[index]["error"] = form.refusal.message
    context = {"form": form, "rows": rows, "today": timezone.localdate()}
    status = 400 if request.method == "POST" else 200
    return render(request, "finance/payments/payment_form.html", context, status=status)


def _payment(request, pk) -> Payment:
    return resolve_visible(queries.visible_payments(request.user).select_related("company"), pk)


@login_required
@permission_required("finance.view_payment", raise_exception=True)
def payment_detail(request, pk):
    payment = _payment(request, pk)
    allocations = list(payment.allocations.select_related("invoice").order_by("id"))
    open_invoices = []
    if payment.status == Payment.Status.POSTED and payment.unallocated_amount > 0 and \
            request.user.has_perm("finance.change_payment"):
        open_invoices = list(queries.open_invoices(payment.company, client=payment.client,
                                                   direction=payment.direction, currency=payment.currency)[:100])
    return render(request, "finance/payments/payment_detail.html", {
        "payment": payment, "allocations": allocations, "open_invoices": open_invoices,
        "base_currency": payment.company.base_currency, "form": AllocateForm()})


@login_required
@permission_required("finance.change_payment", raise_exception=True)
@require_POST
def payment_allocate(request, pk):
    payment = _payment(request, pk)
    form = AllocateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an invoice and enter an amount."))
        return redirect("finance:payment-detail", payment.pk)
    invoice = Invoice.objects.filter(company=payment.company, pk=form.cleaned_data["invoice"]).first()
    try:
        if invoice is None:
            raise BusinessRuleError("unknown_reference", _("There is no such invoice."), field="invoice")
        services.allocate_payment(payment, invoice, form.cleaned_data["amount"], by=request.user)
    except BusinessRuleError as refusal:
        _refused(request, refusal)
    else:
        messages.success(request, _("Allocated to %(invoice)s.") % {"invoice": invoice})
    return redirect("finance:payment-detail", payment.pk)


@login_required
@permission_required("finance.change_payment", raise_exception=True)
@require_POST
def payment_reverse(request, pk):
    payment = _payment(request, pk)
    try:
        services.reverse_payment(payment, by=request.user)
    except BusinessRuleError as refusal:
        _refused(request, refusal)
    else:
        messages.success(request, _("Payment %(number)s reversed.") % {"number": payment.number})
    return redirect("finance:payment-detail", payment.pk)


# --- Bank and cash accounts ---------------------------------------------------------------------------------

@login_required
@permission_required("finance.view_paymentaccount", raise_exception=True)
def payment_account_list(request):
    archived = request.GET.get("archived", "false")
    return render(request, "finance/payments/payment_account_list.html", {
        "accounts": queries.payment_accounts(_company(), archived=archived), "archived": archived})


@login_required
@permission_required("finance.add_paymentaccount", raise_exception=True)
@require_http_methods(["GET", "POST"])
def payment_account_create(request):
    return _payment_account_form(request, None)


@login_required
@permission_required("finance.change_paymentaccount", raise_exception=True)
@require_http_methods(["GET", "POST"])
def payment_account_edit(request, pk):
    return _payment_account_form(request, resolve_visible(PaymentAccount.objects.filter(company=_company()), pk))


def _payment_account_form(request, current):
    company = _company()
    initial = ({"name": current.name, "kind": current.kind, "currency": current.currency, "iban": current.iban,
                "account": current.account_id, "journal": current.journal_id} if current else
               {"currency": company.base_currency})
    form = PaymentAccountForm(request.POST or None, company=company, initial=initial)
    if current is not None:
        form.fields["kind"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "kind" or current is None}
        if current is None:
            saved = call_service(form, services.create_payment_account, company, by=request.user, **data)
        else:
            saved = call_service(form, services.update_payment_account, current, by=request.user,
                                 **{k: v for k, v in data.items() if v not in (None, "") or k == "iban"})
        if saved is not None:
            messages.success(request, _("%(account)s saved.") % {"account": saved})
            return redirect("finance:payment-account-list")
    return render(request, "finance/payments/payment_account_form.html", {"form": form, "current": current},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
@permission_required("finance.change_paymentaccount", raise_exception=True)
@require_POST
def payment_account_archive(request, pk):
    account = resolve_visible(PaymentAccount.objects.filter(company=_company()), pk)
    action = services.restore_payment_account if account.is_archived else services.archive_payment_account
    action(account, by=request.user)
    return redirect("finance:payment-account-list")


# --- Bank statements ----------------------------------------------------------------------------------------

@login_required
@permission_required("finance.view_bankstatement", raise_exception=True)
def statement_list(request):
    page = DeferredJoinPaginator(queries.statements(_company()), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "finance/payments/statement_list.html", {"statements": page.object_list,
                                                                    "page_obj": page})


@login_required
@permission_required("finance.add_bankstatement", raise_exception=True)
@require_http_methods(["GET", "POST"])
def statement_import(request):
    company = _company()
    form = StatementImportForm(request.POST or None, request.FILES or None, company=company)
    header = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read(parsers.MAX_FILE_BYTES + 1)
        account = form.cleaned_data["payment_account"]
        outcome = call_service(form, statements.import_statement, account, content, by=request.user,
                               file_name=upload.name, format=form.cleaned_data["format"],
                               csv_options=form.csv_options(account.currency))
        if outcome is not None:
            (messages.success if outcome.created else messages.info)(request, outcome.message)
            if outcome.statement is not None:
                return redirect("finance:statement-detail", outcome.statement.pk)
            return redirect("finance:statement-list")
        try:
            if parsers.detect_format(content) == "csv":
                header = parsers.csv_header(content)
        except BusinessRuleError:
            header = []
    return render(request, "finance/payments/statement_import.html", {"form": form, "header": header},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
@permission_required("finance.view_bankstatement", raise_exception=True)
def statement_detail(request, pk):
    """The matching screen: each line with its suggested invoices; confirm one, pick another, or ignore."""
    statement = resolve_visible(BankStatement.objects.select_related("payment_account"), pk)
    status = request.GET.get("status", "")
    lines = queries.statement_lines(statement, status=status if status in BankStatementLine.Status.values else "")
    page = DeferredJoinPaginator(lines, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "finance/payments/statement_detail.html", {
        "statement": statement, "lines": page.object_list, "page_obj": page,
        "statuses": BankStatementLine.Status.choices})


def _line(pk) -> BankStatementLine:
    return resolve_visible(BankStatementLine.objects.select_related("payment_account__company"), pk)


@login_required
@permission_required("finance.change_bankstatementline", raise_exception=True)
@require_POST
def statement_line_confirm(request, pk):
    line = _line(pk)
    company = line.payment_account.company
    invoice = None
    number = request.POST.get("invoice_number", "").strip()[:32]
    chosen = request.POST.get("invoice", "")
    try:
        if number:
            invoice = Invoice.objects.filter(company=company, number__iexact=number).first()
            if invoice is None:
                raise BusinessRuleError("unknown_reference", _("There is no invoice %(number)s.")
                                        % {"number": number}, field="invoice_number")
        elif limits.is_id(chosen):
            invoice = Invoice.objects.filter(company=company, pk=int(chosen)).first()
        if invoice is None:
            raise BusinessRuleError("required", _("Choose an invoice."), field="invoice")
        payment = statements.confirm_line(line, by=request.user, invoices=[invoice])
    except BusinessRuleError as refusal:
        _refused(request, refusal)
    else:
        messages.success(request, _("Payment %(number)s registered for %(invoice)s.")
                         % {"number": payment.number, "invoice": invoice})
    return redirect(f"{_statement_url(line)}#line-{line.pk}")


@login_required
@permission_required("finance.change_bankstatementline", raise_exception=True)
@require_POST
def statement_line_ignore(request, pk):
    line = _line(pk)
    try:
        statements.ignore_line(line, by=request.user)
    except BusinessRuleError as refusal:
        _refused(request, refusal)
    return redirect(f"{_statement_url(line)}#line-{line.pk}")


def _statement_url(line) -> str:
    return reverse("finance:statement-detail", args=[line.statement_id])

