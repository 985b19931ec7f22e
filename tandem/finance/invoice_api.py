"""REST endpoints of invoices, credit notes and tax rates under /api/v1/finance/ (thin: the record rule of
finance.invoice_queries, one service call). Drafts: finance.add/change_invoice; issue and credit:
finance.issue_invoice."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Query, Router

from tandem.catalog.models import Product, TaxCategory
from tandem.core.concurrency import etag_for, expected_version
from tandem.core.pagination import Page, PageParams, paginate
from tandem.core.permissions import require_permission
from tandem.core.references import resolve_visible
from tandem.core.schemas import Id
from tandem.finance import invoice_queries, services
from tandem.finance.banking import services as banking_services
from tandem.finance.invoice_schemas import (
    INVOICE_ACTIONS,
    CreditApplyIn,
    CreditIn,
    InvoiceFilters,
    InvoiceIn,
    InvoiceOut,
    InvoicePatch,
    InvoiceSummaryOut,
    TaxRateFilters,
    TaxRateIn,
    TaxRateOut,
    TaxRatePatch,
    VersionIn,
)
from tandem.finance.models import Account, Invoice, TaxRate
from tandem.parties.models import Counterparty
from tandem.parties.queries import visible_clients

router = Router(tags=["finance"])


def actions(user, invoice: Invoice) -> list[str]:
    may_draft = user.has_perm("finance.change_invoice")
    may_issue = services.invoices.can_issue(user)
    allowed = {"edit": may_draft and invoice.can_edit(), "cancel": may_draft and invoice.can_cancel(),
               "issue": may_issue and invoice.can_issue(), "credit": may_issue and invoice.can_credit()}
    return [name for name in INVOICE_ACTIONS if allowed[name]]


def _invoice(request, invoice_id) -> Invoice:
    require_permission(request, "finance.view_invoice")
    return invoice_queries.get_visible_invoice(request.user, invoice_id)


def _out(request, invoice: Invoice, response: HttpResponse) -> Invoice:
    fresh = invoice_queries.get_visible_invoice(request.user, invoice.pk)
    fresh.actions = actions(request.user, fresh)
    response["ETag"] = etag_for(fresh.version)
    return fresh


def _lines(lines, company) -> list[dict]:
    out = []
    for index, line in enumerate(lines):
        data = line.dict(exclude_unset=True)
        values = {key: data[key] for key in ("description", "quantity", "unit_price", "discount_percent",
                                             "tax_percent", "tax_kind") if data.get(key) is not None}
        values["product"] = resolve_visible(Product.objects.select_related("unit", "tax_category"),
                                            data.get("product_id"), f"lines.{index}.product_id")
        values["tax_rate"] = resolve_visible(TaxRate, data.get("tax_rate_id"), f"lines.{index}.tax_rate_id")
        values["account"] = resolve_visible(Account.objects.filter(company=company), data.get("account_id"),
                                            f"lines.{index}.account_id")
        out.append(values)
    return out


@router.get("/invoices", response=Page[InvoiceSummaryOut], summary="List invoices and credit notes",
            description="Newest first. `overdue=true`: issued or partly paid with the due date passed.")
def list_invoices(request, filters: Query[InvoiceFilters], pagination: Query[PageParams]):
    require_permission(request, "finance.view_invoice")
    qs = invoice_queries.filter_invoices(
        invoice_queries.visible_invoices(request.user), client=filters.client_id, status=filters.status or "",
        kind=filters.kind or "", overdue=filters.overdue, date_from=filters.date_from, date_to=filters.date_to,
        q=filters.q)
    return paginate(qs, pagination)


@router.post("/invoices", response={201: InvoiceOut}, summary="Make a draft invoice",
             description="Totals are computed (tax per line or per document; prices with or without tax). Refused: "
                         "400 with `field` `lines.<i>.<name>` for a bad line, 400 `no_exchange_rate`.")
def create_invoice(request, payload: InvoiceIn, response: HttpResponse):
    require_permission(request, "finance.add_invoice")
    client = resolve_visible(visible_clients(request.user), payload.client_id, "client_id")
    from tandem.finance.queries import company_for

    company = company_for(payload.company_id) if payload.company_id else None
    if payload.company_id and company is None:
        resolve_visible(Invoice.objects.none(), payload.company_id, "company_id")
    company = company or company_for()
    invoice = services.create_invoice(
        by=request.user, client=client, company=company,
        counterparty=resolve_visible(Counterparty.objects.filter(client=client), payload.counterparty_id,
                                     "counterparty_id"),
        invoice_date=payload.invoice_date, due_date=payload.due_date, currency=payload.currency,
        rate=payload.rate, prices_include_tax=payload.prices_include_tax, tax_rounding=payload.tax_rounding,
        payment_terms=payload.payment_terms, notes=payload.notes, lines=_lines(payload.lines, company))
    return 201, _out(request, invoice, response)


@router.get("/invoices/{invoice_id}", response=InvoiceOut, summary="Get an invoice with its lines and actions")
def get_invoice(request, invoice_id: Id, response: HttpResponse):
    return _out(request, _invoice(request, invoice_id), response)


@router.patch("/invoices/{invoice_id}", response=InvoiceOut, summary="Change a draft invoice",
              description="Send `version` (or If-Match) to refuse a stale change (409 `stale`); `lines` replaces "
                          "every line. An issued invoice is never changed (409 `not_draft`).")
def update_invoice(request, invoice_id: Id, payload: InvoicePatch, response: HttpResponse):
    invoice = _invoice(request, invoice_id)
    require_permission(request, "finance.change_invoice")
    data = payload.dict(exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    lines = data.pop("lines", None)
    if "counterparty_id" in data:
        data["counterparty"] = resolve_visible(Counterparty.objects.filter(client_id=invoice.client_id),
                                               data.pop("counterparty_id"), "counterparty_id")
    values = {key: value for key, value in data.items() if value is not None or key == "counterparty"}
    invoice = services.update_invoice(invoice, by=request.user, expected_version=version,
                                      lines=_lines(lines, invoice.company) if lines is not None else None,
                                      **values)
    return _out(request, invoice, response)


@router.post("/invoices/{invoice_id}/issue", response=InvoiceOut, summary="Issue a draft invoice",
             description="Gives the next number (gapless per legal entity, kind and year) and posts it in the "
                         "sales journal. Needs finance.issue_invoice. 409 `period_closed`, `not_draft`, `stale`.")
def issue_invoice(request, invoice_id: Id, payload: VersionIn, response: HttpResponse):
    invoice = _invoice(request, invoice_id)
    invoice = services.issue_invoice(invoice, by=request.user,
                                     expected_version=expected_version(request, payload.version))
    return _out(request, invoice, response)


@router.post("/invoices/{invoice_id}/cancel", response=InvoiceOut, summary="Cancel a draft invoice")
def cancel_invoice(request, invoice_id: Id, payload: VersionIn, response: HttpResponse):
    invoice = _invoice(request, invoice_id)
    invoice = services.cancel_invoice(invoice, by=request.user,
                                      expected_version=expected_version(request, payload.version))
    return _out(request, invoice, response)


@router.post("/invoices/{invoice_id}/credit", response={201: InvoiceOut},
             summary="Credit an issued invoice (whole, or chosen lines and quantities)",
             description="Makes and issues a credit note at the invoice's prices, taxes and rate; it settles the "
                         "invoice's amount due. 400 `over_credit` when a quantity is more than is left.")
def credit_invoice(request, invoice_id: Id, payload: CreditIn, response: HttpResponse):
    invoice = _invoice(request, invoice_id)
    lines = None if payload.lines is None else [{"line": item.line_id, "quantity": item.quantity}
                                                for item in payload.lines]
    note = services.create_credit_note(invoice, by=request.user, lines=lines, invoice_date=payload.invoice_date,
                                       notes=payload.notes)
    return 201, _out(request, note, response)


@router.post("/invoices/{invoice_id}/apply-credit", response=InvoiceOut,
             summary="Apply a credit note's remaining credit to another open invoice of its client",
             description="Lowers both amounts due (the credit note becomes paid when used up). 400 "
                         "`client_mismatch` / `currency_mismatch` / `invalid_invoice` (field `invoice_id`); 409 "
                         "`over_allocation` (field `amount`) / `invoice_not_open` / `credit_used`. A refund is an "
                         "outgoing payment (`POST /payments`, direction `out`) allocated to the credit note.")
def apply_credit(request, invoice_id: Id, payload: CreditApplyIn, response: HttpResponse):
    require_permission(request, "finance.change_payment")
    note = _invoice(request, invoice_id)
    target = resolve_visible(invoice_queries.visible_invoices(request.user), payload.invoice_id, field="invoice_id")
    banking_services.apply_credit_note(note, target, payload.amount, by=request.user, date=payload.date)
    return _out(request, note, response)


# --- Tax rates --------------------------------------------------------------------------------------------------

@router.get("/tax-rates", response=list[TaxRateOut], summary="List tax rates",
            description="The shipped rates of our markets and the accountants' own; `on` keeps those in force.")
def list_tax_rates(request, filters: Query[TaxRateFilters]):
    require_permission(request, "finance.view_taxrate")
    return list(invoice_queries.tax_rates(country=filters.country, on=filters.on)[:1000])


@router.post("/tax-rates", response={201: TaxRateOut}, summary="Create a tax rate")
def create_tax_rate(request, payload: TaxRateIn):
    require_permission(request, "finance.add_taxrate")
    data = payload.dict()
    data["tax_category"] = resolve_visible(TaxCategory, data.pop("tax_category_id"), "tax_category_id")
    return 201, services.create_tax_rate(by=request.user, **data)


@router.patch("/tax-rates/{rate_id}", response=TaxRateOut, summary="Change a tax rate",
              description="A rate used on issued invoices keeps its percentage and kind (409 `rate_in_use`).")
def update_tax_rate(request, rate_id: Id, payload: TaxRatePatch):
    require_permission(request, "finance.change_taxrate")
    rate = resolve_visible(TaxRate, rate_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version", None)
    if "tax_category_id" in data:
        data["tax_category"] = resolve_visible(TaxCategory, data.pop("tax_category_id"), "tax_category_id")
    return services.update_tax_rate(rate, by=request.user, expected_version=version, **data)
