"""The client card's "Price group" section (registered through the client-card panel hook) and its small form:
sales managers put the client in a price group; everyone who reads client prices sees which one."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tandem.catalog.models import PriceGroup
from tandem.core.forms import call_service
from tandem.core.references import resolve_visible
from tandem.parties.queries import visible_clients
from tandem.sales.models import ClientPricing
from tandem.sales.services.client_pricing import set_client_price_group


class PriceGroupForm(forms.Form):
    price_group = forms.ModelChoiceField(label=gettext_lazy("Price group"), required=False,
                                         queryset=PriceGroup.objects.filter(is_archived=False).order_by("name"),
                                         empty_label=gettext_lazy("General price lists only"))


def _current(client):
    row = ClientPricing.objects.select_related("price_group").filter(client=client).first()
    return row.price_group if row else None


def client_card_panels(request, client) -> list[dict]:
    user = request.user
    if not user.has_perm("sales.view_clientpricing"):
        return []
    group = _current(client)
    can_change = user.has_perm("sales.change_clientpricing") and not client.is_archived
    html = render_to_string("sales/partials/_client_price_group.html", {
        "client": client, "group": group,
        "form": PriceGroupForm(initial={"price_group": group}) if can_change else None}, request=request)
    return [{"id": "price-group", "title": _("Price group"), "count": None, "open": False, "html": html}]


@login_required
@permission_required("sales.change_clientpricing", raise_exception=True)
@require_POST
def client_price_group_change(request, client_pk: int):
    client = resolve_visible(visible_clients(request.user), client_pk)
    form = PriceGroupForm(request.POST)
    if form.is_valid():
        call_service(form, set_client_price_group, client, form.cleaned_data["price_group"], by=request.user)
    if not form.errors:
        messages.success(request, _("Price group saved."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("parties:client-detail", pk=client.pk)


urlpatterns = [path("clients/<int:client_pk>/price-group/", client_price_group_change,
                    name="client-price-group-change")]
