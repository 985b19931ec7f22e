"""Supplier bill endpoints of purchasing under /api/v1/purchasing/ (thin: the same services as the pages,
purchasing.bills and finance.services). Added to purchasing's router."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Query, Router

from tandem.core.concurrency import etag_for, expected_version
from tandem.core.pagination import Page, PageParams, paginate
from tandem.core.permissions import require_permission
from tandem.core.references import resolve_visible
from tandem.core.schemas import Id
from tandem.finance.models import Invoice
from tandem.purchasing import bills
from tandem.purchasing.bill_schemas import (
    SupplierBillAcceptIn,
    SupplierBillFilters,
    SupplierBillFromOrderIn,
    SupplierBillOut,
    SupplierBillPatch,
    SupplierBillStepIn,
    SupplierBillSummaryOut,
    bill_detail,
    bill_summary,
)
from tandem.purchasing.models import PurchaseOrder, SupplierProfile

router = Router(tags=["purchasing"])


def _bills():
    return (Invoice.objects.filter(kind=Invoice.Kind.SUPPLIER_BILL, bill_match__isnull=False)
            .select_related("company", "client", "counterparty__supplier_profile", "bill_match__order",
                            "bill_match__accepted_by"))


def _bill(request, bill_id: int) -> Invoice:
    require_permission(request, "purchasing.view_billmatch")
    return resolve_visible(_bills(), bill_id)


def _out(bill: Invoice, response: HttpResponse | None = None) -> dict:
    fresh = _bills().get(pk=bill.pk)
    if response is not None:
        response["ETag"] = etag_for(fresh.version)
    matches = bills.match_bill(fresh, fresh.bill_match.order)
    status = bills.verdict(fresh.bill_match, bills.mismatches_of(matches)) \
        if fresh.status == Invoice.Status.DRAFT else fresh.bill_match.status
    return bill_detail(fresh, matches, status)


@router.get("/bills", response=Page[SupplierBillSummaryOut], summary="List supplier bills",
            description="Supplier bills made from purchase orders, newest first; filter by supplier, status, match.")
def list_supplier_bills(request, filters: Query[SupplierBillFilters], pagination: Query[PageParams]):
    require_permission(request, "purchasing.view_billmatch")
    supplier = resolve_visible(SupplierProfile.objects.all(), filters.supplier_id, "supplier_id") \
        if filters.supplier_id else None
    qs = bills.supplier_bills(supplier=supplier, status=filters.status or "", match=filters.match or "",
                              q=(filters.q or "").strip()).filter(bill_match__isnull=False).select_related(
        "counterparty__supplier_profile")
    page = paginate(qs, pagination)
    page["items"] = [bill_summary(bill) for bill in page["items"]]
    return page


@router.post("/orders/{purchase_order_id}/bill", response={201: SupplierBillOut},
             summary="Bill a purchase order",
             description="A draft supplier bill of what the order received and nobody billed yet, at the order's "
                         "prices, with the supplier's reference and date. 409 `not_billable` / `nothing_to_bill`.")
def bill_purchase_order(request, purchase_order_id: Id, payload: SupplierBillFromOrderIn, response: HttpResponse):
    require_permission(request, "purchasing.view_purchaseorder")
    order = resolve_visible(PurchaseOrder.objects.all(), purchase_order_id)
    bill = bills.bill_order(order, by=request.user, supplier_reference=payload.supplier_reference,
                            invoice_date=payload.invoice_date, due_date=payload.due_date, rate=payload.rate,
                            expected_version=expected_version(request, payload.version))
    return 201, _out(bill, response)


@router.get("/bills/{bill_id}", response=SupplierBillOut, summary="Get a supplier bill with its match",
            description="Per line: ordered, received, billed before, billed, order and bill price, verdict.")
def get_supplier_bill(request, bill_id: Id, response: HttpResponse):
    return _out(_bill(request, bill_id), response)


@router.patch("/bills/{bill_id}", response=SupplierBillOut, summary="Correct a draft supplier bill",
              description="Reference, dates and per line (by position) the billed quantity and unit price; the "
                          "match is checked again. A stale version: 409 `stale`.")
def update_supplier_bill(request, bill_id: Id, payload: SupplierBillPatch, response: HttpResponse):
    bill = _bill(request, bill_id)
    values = payload.dict(exclude_unset=True)
    values.pop("version", None)
    lines = values.pop("lines", None)
    values = {key: value for key, value in values.items() if value is not None}
    updated = bills.update_bill(bill, by=request.user, expected_version=expected_version(request, payload.version),
                                lines=[{k: v for k, v in line.items() if v is not None} for line in lines]
                                if lines is not None else None, **values)
    return _out(updated, response)


@router.post("/bills/{bill_id}/accept", response=SupplierBillOut, summary="Accept a supplier bill's difference",
             description="Needs purchasing.accept_bill_mismatch; who and when is stored. 409 `nothing_to_accept`.")
def accept_supplier_bill(request, bill_id: Id, response: HttpResponse, payload: SupplierBillAcceptIn | None = None):
    bill = _bill(request, bill_id)
    bills.accept_bill_mismatch(bill, by=request.user, note=payload.note if payload else "",
                               expected_version=expected_version(request, payload.version if payload else None))
    return _out(bill, response)


@router.post("/bills/{bill_id}/issue", response=SupplierBillOut, summary="Issue (post) a supplier bill",
             description="Needs finance.issue_invoice. A bill differing from its order and receipts beyond the "
                         "tolerances, not accepted: 409 `bill_mismatch` with `lines`.")
def issue_supplier_bill(request, bill_id: Id, response: HttpResponse, payload: SupplierBillStepIn | None = None):
    bill = _bill(request, bill_id)
    bills.issue_bill(bill, by=request.user,
                     expected_version=expected_version(request, payload.version if payload else None))
    return _out(bill, response)
