"""The "Stock valuation" page: a warehouse and a date → products with quantity, value and unit cost."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tandem.core.forms import AmountField, DateField, DateInput, ModelChoiceField, call_service
from tandem.stock.models import StockMove, Warehouse
from tandem.stock.valuation.models import CostCorrection
from tandem.stock.valuation.report import valuation_report
from tandem.stock.valuation.services import correct_cost


class ValuationForm(forms.Form):
    warehouse = ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.filter(is_archived=False)
                                 .select_related("company"), required=False)
    date = DateField(label=_("Date"), required=False, widget=DateInput)


@login_required
@permission_required("stock.view_valuation", raise_exception=True)
def valuation_list(request):
    params = request.GET.copy()
    first = Warehouse.objects.filter(is_archived=False).order_by("code").first()
    if first is not None and not params.get("warehouse"):
        params["warehouse"] = str(first.pk)
    if not params.get("date"):
        params["date"] = timezone.localdate().isoformat()
    form = ValuationForm(params)
    report = None
    if form.is_valid() and form.cleaned_data["warehouse"] is not None:
        report = valuation_report(form.cleaned_data["warehouse"], form.cleaned_data["date"] or timezone.localdate())
    return render(request, "stock/valuation.html", {"form": form, "report": report})


class CostCorrectionForm(forms.Form):
    unit_cost = AmountField(label=_("Right unit cost"), min_value=0, decimal_places=6)
    effective_date = DateField(label=_("Effective date"), required=False, widget=DateInput,
                               help_text=_("Of the correction; today when left empty."))
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False,
                             help_text=_("E.g. the supplier's invoice number."))


@login_required
@permission_required("stock.add_costcorrection", raise_exception=True)
def cost_correction_new(request, move_pk: int):
    """The receipt move's cost, corrected by accounting: later outgoing moves are revalued."""
    move = get_object_or_404(StockMove.objects.select_related("product", "product__unit", "to_location",
                                                             "to_location__warehouse", "lot"), pk=move_pk)
    form = CostCorrectionForm(request.POST or None, initial={"unit_cost": move.unit_cost})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if call_service(form, correct_cost, move, unit_cost=data["unit_cost"], effective_date=data["effective_date"],
                        reason=data["reason"], by=request.user):
            messages.success(request, gettext("Cost corrected: the later moves are revalued."))
            return redirect("stock_valuation:cost-correction-new", move_pk=move.pk)
    corrections = CostCorrection.objects.filter(move=move).select_related("created_by").order_by("-id")
    return render(request, "stock/cost_correction_form.html", {"form": form, "move": move,
                                                               "corrections": corrections})


app_name = "stock_valuation"
urlpatterns = [path("", valuation_list, name="valuation-list"),
               path("moves/<int:move_pk>/cost/new/", cost_correction_new, name="cost-correction-new")]
