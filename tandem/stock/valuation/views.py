"""The "Stock valuation" page: a warehouse and a date → products with quantity, value and unit cost."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.core.forms import DateField, DateInput, ModelChoiceField
from tandem.stock.models import Warehouse
from tandem.stock.valuation.report import valuation_report


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


app_name = "stock_valuation"
urlpatterns = [path("", valuation_list, name="valuation-list")]
