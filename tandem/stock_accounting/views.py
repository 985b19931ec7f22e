"""The "Stock reconciliation" page: per legal entity, the inventory accounts against the stock value and the
postings still waiting for the ledger (thin: parse, call one query or service, render)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tandem.core.errors import BusinessRuleError
from tandem.core.forms import DateField, DateInput
from tandem.core.models import LegalEntity
from tandem.stock_accounting import queries, services

PENDING_SHOWN = 50


class ReconciliationForm(forms.Form):
    date = DateField(label=gettext_lazy("Date"), required=False, widget=DateInput)


@login_required
@permission_required(("stock.view_valuation", "finance.view_account"), raise_exception=True)
def reconciliation_list(request):
    form = ReconciliationForm(request.GET or None)
    day = (form.cleaned_data["date"] if form.is_valid() else None) or timezone.localdate()
    if not request.GET:
        form = ReconciliationForm(initial={"date": day})
    pending = queries.pending_postings()
    return render(request, "stock_accounting/reconciliation.html", {
        "form": form, "date": day, "rows": queries.reconciliations(day),
        "pending": pending[:PENDING_SHOWN], "pending_total": pending.count(),
        "reasons": services.PENDING_REASONS,
        "can_post": request.user.has_perm("finance.add_entry")})


@login_required
@permission_required("finance.add_entry", raise_exception=True)
@require_POST
def pending_post(request, entity_id: int):
    company = get_object_or_404(LegalEntity, pk=entity_id)
    try:
        posted, pending = services.post_pending(company, by=request.user)
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(posted)s stock postings posted, %(pending)s still pending.")
                         % {"posted": posted, "pending": pending})
    return redirect("stock_accounting:reconciliation-list")
