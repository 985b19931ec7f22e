"""The searchable deal picker (core.pickers): a client's deals first, offered through the deals' record rule."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from tandem.core.pickers import PickerField, PickerOption, PickerSource
from tandem.crm.models import Deal


def search_deals(qs: QuerySet[Deal], text: str) -> QuerySet[Deal]:
    return qs.filter(title__icontains=text.strip()).select_related("client", "stage").order_by("-created_at", "-id")


def exact_deals(qs: QuerySet[Deal], text: str) -> QuerySet[Deal]:
    return qs.filter(title__iexact=text.strip())


def describe_deals(rows: list[Deal]) -> list[PickerOption]:
    """Title; client, stage (or status once closed) and number."""
    return [
        PickerOption(
            deal.pk,
            deal.title,
            " · ".join(
                str(p)
                for p in (
                    deal.client.name,
                    deal.stage if deal.status == Deal.Status.OPEN else deal.get_status_display(),
                    f"#{deal.pk}",
                )
            ),
            parent_id=deal.client_id,
            parent_label=deal.client.name,
        )
        for deal in rows
    ]


DEAL_PICKER = PickerSource(
    url_name="crm:deal-picker",
    noun=gettext_lazy("deal"),
    search=search_deals,
    exact=exact_deals,
    describe=describe_deals,
    parent="client",
    placeholder=gettext_lazy("Type a few letters of the title…"),
)


def deal_field(label, **kwargs) -> PickerField:
    return PickerField(DEAL_PICKER, label=label, queryset=Deal.objects.none(), depends_on="client", **kwargs)
