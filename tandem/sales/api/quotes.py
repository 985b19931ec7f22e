"""REST endpoints of quotes (thin: look up with the record rules of sales.queries, call one service)."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Query, Router

from tandem.core.concurrency import etag_for, expected_version
from tandem.core.pagination import Page, PageParams, paginate
from tandem.core.permissions import require_permission
from tandem.core.references import resolve_visible
from tandem.core.schemas import Id
from tandem.sales import pdf
from tandem.sales.api.common import header_values, line_values
from tandem.sales.models import Order, Quote, QuoteLine
from tandem.sales.queries import document_with_lines, filter_documents, visible_quotes
from tandem.sales.schemas import (
    LineIn,
    LinePatch,
    OrderOut,
    QuoteFilters,
    QuoteIn,
    QuoteOut,
    QuotePatch,
    QuoteSummaryOut,
    StepIn,
)
from tandem.sales.services import quotes as services

router = Router(tags=["sales"])
_VERSION = ("Optimistic locking: send the version you saw, as `If-Match: \"<version>\"` or `version` in the "
            "body; when someone changed the quote since, nothing is written: 409 `stale`.")


def _quote(request, quote_id: Id):
    return document_with_lines(visible_quotes(request.user), quote_id)


def _out(quote, response: HttpResponse):
    """The quote as it is now (after a service changed it), its version in the ETag."""
    fresh = document_with_lines(Quote.objects.all(), quote.pk)
    response["ETag"] = etag_for(fresh.version)
    return fresh


@router.get("/quotes", response=Page[QuoteSummaryOut], summary="List quotes")
def list_quotes(request, filters: Query[QuoteFilters], pagination: Query[PageParams]):
    require_permission(request, "sales.view_quote")
    qs = filter_documents(visible_quotes(request.user), **filters.dict())
    return paginate(qs.order_by("-quote_date", "-id"), pagination)


@router.post("/quotes", response={201: QuoteOut}, summary="Make a quote (from a deal or for a client)",
             description="Lines are priced from the client's price lists unless `unit_price`/`discount_percent` "
                         "are sent (a different one needs the permission to override prices: 400 "
                         "`price_override_not_allowed`). The counterparty must be the client's and valid on "
                         "the quote date.")
def create_quote(request, payload: QuoteIn, response: HttpResponse):
    require_permission(request, "sales.add_quote")
    quote = services.create_quote(by=request.user, **header_values(request, payload.dict(exclude_unset=True)))
    return 201, _out(quote, response)


@router.get("/quotes/{quote_id}", response=QuoteOut, summary="Get a quote",
            description="The `ETag` header carries the quote's `version`.")
def get_quote(request, quote_id: Id, response: HttpResponse):
    quote = _quote(request, quote_id)
    response["ETag"] = etag_for(quote.version)
    return quote


@router.patch("/quotes/{quote_id}", response=QuoteOut, summary="Change a draft quote's header",
              description=_VERSION)
def update_quote(request, quote_id: Id, payload: QuotePatch, response: HttpResponse):
    quote = _quote(request, quote_id)
    require_permission(request, "sales.change_quote")
    values = payload.dict(exclude_unset=True)
    seen = expected_version(request, values.pop("version", None))
    quote = services.update_quote(quote, by=request.user, expected_version=seen, **header_values(request, values))
    return _out(quote, response)


@router.post("/quotes/{quote_id}/lines", response={201: QuoteOut}, summary="Add a line to a draft quote",
             description=_VERSION)
def add_quote_line(request, quote_id: Id, payload: LineIn, response: HttpResponse):
    quote = _quote(request, quote_id)
    require_permission(request, "sales.change_quote")
    seen = expected_version(request, None)
    services.add_quote_line(quote, by=request.user, expected_version=seen, **line_values(payload.dict()))
    return 201, _out(quote, response)


def _line(quote, quote_line_id: Id) -> QuoteLine:
    return resolve_visible(QuoteLine.objects.filter(quote=quote).select_related("quote__client", "product", "unit"),
                           quote_line_id)


@router.patch("/quotes/{quote_id}/lines/{quote_line_id}", response=QuoteOut, summary="Change a line of a draft quote",
              description=_VERSION)
def update_quote_line(request, quote_id: Id, quote_line_id: Id, payload: LinePatch, response: HttpResponse):
    quote = _quote(request, quote_id)
    require_permission(request, "sales.change_quote")
    values = payload.dict(exclude_unset=True)
    seen = expected_version(request, values.pop("version", None))
    services.update_quote_line(_line(quote, quote_line_id), by=request.user, expected_version=seen,
                               **line_values(values))
    return _out(quote, response)


@router.delete("/quotes/{quote_id}/lines/{quote_line_id}", response=QuoteOut, summary="Remove a line of a draft quote",
               description=_VERSION)
def remove_quote_line(request, quote_id: Id, quote_line_id: Id, response: HttpResponse):
    quote = _quote(request, quote_id)
    require_permission(request, "sales.change_quote")
    services.remove_quote_line(_line(quote, quote_line_id), by=request.user,
                               expected_version=expected_version(request, None))
    return _out(quote, response)


def _step(request, quote_id, payload, service):
    quote = _quote(request, quote_id)
    require_permission(request, "sales.change_quote")
    seen = expected_version(request, payload.version if payload else None)
    return service(quote, by=request.user, expected_version=seen)


@router.post("/quotes/{quote_id}/send", response=QuoteOut, summary="Send a draft quote",
             description="Draft → sent (409 `invalid_transition` from another status; 400 `no_lines` when empty).")
def send_quote(request, quote_id: Id, response: HttpResponse, payload: StepIn | None = None):
    return _out(_step(request, quote_id, payload, services.send_quote), response)


@router.post("/quotes/{quote_id}/accept", response=OrderOut, summary="Accept a sent quote: makes the sales order",
             description="Sent → accepted; answers the new draft sales order (a copy of the lines). The deal, if "
                         "any, gets the quote's total as amount and is won; when its stage rules refuse the win, "
                         "nothing is written: 409 `stage_rule_unmet` with `missing`. A quote past its `valid_until` "
                         "(before today in the company's time zone) is refused with 409 "
                         "`quote_expired` and becomes expired.")
def accept_quote(request, quote_id: Id, payload: StepIn | None = None):
    require_permission(request, "sales.add_order")
    order = _step(request, quote_id, payload, services.accept_quote)
    return document_with_lines(Order.objects.all(), order.pk)


@router.post("/quotes/{quote_id}/reject", response=QuoteOut, summary="Mark a sent quote rejected")
def reject_quote(request, quote_id: Id, response: HttpResponse, payload: StepIn | None = None):
    return _out(_step(request, quote_id, payload, services.reject_quote), response)


@router.post("/quotes/{quote_id}/expire", response=QuoteOut, summary="Mark a sent quote expired")
def expire_quote(request, quote_id: Id, response: HttpResponse, payload: StepIn | None = None):
    return _out(_step(request, quote_id, payload, services.expire_quote), response)


@router.get("/quotes/{quote_id}/pdf", summary="The quote as a PDF",
            description="application/pdf, in the caller's language, with our legal entity's details and logo.",
            response={200: bytes})
def quote_pdf(request, quote_id: Id):
    quote = _quote(request, quote_id)
    return pdf.pdf_response(pdf.render_quote_pdf(quote, request=request), f"{quote.number}.pdf")
