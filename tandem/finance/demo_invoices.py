"""The invoices of the demo (`tandem demo`): finance's half. An upper app (sales) hands over a function that
makes draft invoices of its demo documents (orders over the past year); here the fiscal years they need are
opened, most drafts are issued (numbered and posted), a few are credited in part and a few stay drafts.
Deterministic for a seed; skipped when the legal entity has no chart (finance's own demo installs it)."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.db import transaction

from tandem.core.errors import BusinessRuleError
from tandem.core.services import default_legal_entity
from tandem.finance import services
from tandem.finance.models import FiscalYear, Invoice, Journal


def open_years_for(company, dates: Iterable[datetime.date], *, by) -> None:
    """Open the calendar fiscal years covering `dates` that are not there yet."""
    for year in sorted({day.year for day in dates}):
        start = datetime.date(year, 1, 1)
        if not FiscalYear.objects.filter(company=company, start_date__lte=start, end_date__gte=start).exists():
            services.create_fiscal_year(company, start_date=start, by=by)


def build_invoice_demo(make_drafts: Callable[[], list[Invoice]], *, by, seed: int = 0) -> list[str]:
    company = default_legal_entity()
    if not Journal.objects.filter(company=company, kind=Journal.Kind.SALES).exists() or \
            Invoice.objects.filter(company=company).exists():
        return []
    rng = random.Random(f"invoices-{seed}")
    issued = credited = 0
    with transaction.atomic():
        drafts = make_drafts()
        open_years_for(company, [draft.invoice_date for draft in drafts], by=by)
        for draft in drafts:
            if rng.random() < 0.1:
                continue  # left a draft for an accountant to look at
            try:
                with transaction.atomic():
                    invoice = services.issue_invoice(draft, by=by)
                    issued += 1
                    if rng.random() < 0.08:
                        line = invoice.lines.order_by("position").first()
                        services.create_credit_note(invoice, by=by, invoice_date=invoice.invoice_date, lines=[
                            {"line": line, "quantity": min(line.quantity, Decimal(1))}])
                        credited += 1
            except BusinessRuleError:
                continue  # a closed period or a missing rate: the draft stays
    return [f"finance: {issued} invoices issued, {credited} credit notes, "
            f"{len(drafts) - issued} drafts"]
