"""Forms of the planning pages (they only parse: the services decide)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from tandem.core.forms import AmountField, ModelChoiceField
from tandem.planning.models import PlanningParameter
from tandem.stock.models import Warehouse


class PlanningParameterForm(forms.Form):
    """A product's planning parameters in one warehouse (the product is the page's)."""

    warehouse = ModelChoiceField(label=gettext_lazy("warehouse"), queryset=Warehouse.objects.active())
    minimum_stock = AmountField(label=gettext_lazy("minimum stock (reorder point)"), required=False,
                                help_text=gettext_lazy("Planning proposes enough to keep minimum plus safety stock "
                                                       "on hand."))
    safety_stock = AmountField(label=gettext_lazy("safety stock"), required=False)
    source = forms.ChoiceField(label=gettext_lazy("buy or make"), choices=PlanningParameter.Source.choices,
                               initial=PlanningParameter.Source.AUTO)
    make_lead_time_days = forms.IntegerField(label=gettext_lazy("make lead time (days)"), min_value=0, max_value=3650,
                                             initial=1)

    def __init__(self, *args, prefix_id: str = "planning", **kwargs):
        kwargs.setdefault("auto_id", f"{prefix_id}_%s")
        super().__init__(*args, **kwargs)
