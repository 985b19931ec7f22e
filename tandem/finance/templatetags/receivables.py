"""`{% load receivables %}{% client_exposure client %}`: the client's balance, overdue amount and credit limit,
for pages of upper apps (the sales order page); empty for users who may not read them."""

from django import template
from django.utils.safestring import mark_safe

from tandem.finance.receivables.views import exposure_html

register = template.Library()


@register.simple_tag(takes_context=True)
def client_exposure(context, client):
    request = context.get("request")
    if request is None or client is None:
        return ""
    html = exposure_html(request, client)
    return mark_safe(html) if html else ""  # noqa: S308 - rendered by our own template, escaped there
