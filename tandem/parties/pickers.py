"""The searchable pickers of clients, counterparties and contact persons (core.pickers): how each is
searched, what tells two rows apart, and the form fields other apps' forms use.

Searches follow the indexes of parties.queries' lists: names by `search_name LIKE '%…%'` in (search_name, id)
order, so the first rows come without sorting every match; tax IDs by prefix. Which rows a user may choose
comes from the record rules (visible_clients, visible_counterparties, visible_contacts), the same as the
lists, so a representative is offered only their own clients."""

from __future__ import annotations

import re

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy

from tandem.core.pickers import PickerField, PickerOption, PickerSource
from tandem.core.search_keys import fold
from tandem.core.tax_ids import tax_id_key
from tandem.parties.models import Client, Contact, ContactChannel, Counterparty
from tandem.parties.queries import channel_match, prefix_q


def city_of(address: str) -> str:
    """The town of an address written "street, postcode town, country" (or one part a line): the part
    before the country, without its postcode."""
    parts = [p.strip() for p in re.split(r"[,\n]", address or "") if p.strip()]
    if not parts:
        return ""
    town = parts[-2] if len(parts) >= 3 else parts[-1]
    return re.sub(r"^[A-Z]{0,2}-?[\d\s-]{3,}\s+", "", town).strip()


def _detail(*parts) -> str:
    return " · ".join(str(p) for p in parts if p)


def _tax_id_text(text: str) -> str:
    """The comparison key of a typed tax ID (no separators, no country prefix), as parties stores it."""
    return tax_id_key(text)


def _has_digits(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


# --- Clients ----------------------------------------------------------------------------------------------


def search_clients(qs: QuerySet[Client], text: str) -> QuerySet[Client]:
    """Clients whose name contains `text`, or (text with digits) one of whose counterparties' tax ID starts
    with it; in name order."""
    folded = fold(text)
    cond = Q(search_name__contains=folded)
    if _has_digits(text) and _tax_id_text(text):
        tax = Counterparty.objects.filter(prefix_q("tax_id_key", _tax_id_text(text)), client=OuterRef("pk"))
        cond |= Exists(tax)
    return qs.filter(cond).select_related("owner").order_by("search_name", "id")


def exact_clients(qs: QuerySet[Client], text: str) -> QuerySet[Client]:
    return qs.filter(search_name=fold(text))


def describe_clients(rows: list[Client]) -> list[PickerOption]:
    """Name; owner, the current legal entity's tax ID and town (one query for all rows)."""
    legal: dict[int, Counterparty] = {}
    for cp in (
        Counterparty.objects.filter(client_id__in=[c.pk for c in rows], is_archived=False)
        .only("client_id", "tax_id", "legal_address", "postal_address", "valid_from")
        .order_by("client_id", "-valid_from", "-id")
    ):
        legal.setdefault(cp.client_id, cp)
    options = []
    for client in rows:
        cp = legal.get(client.pk)
        town = city_of(cp.legal_address or cp.postal_address) if cp else ""
        options.append(
            PickerOption(client.pk, client.name, _detail(town, cp.tax_id if cp else "", client.owner, f"#{client.pk}"))
        )
    return options


CLIENT_PICKER = PickerSource(
    url_name="parties:client-picker",
    noun=gettext_lazy("client"),
    search=search_clients,
    exact=exact_clients,
    describe=describe_clients,
    placeholder=gettext_lazy("Type a name or tax ID…"),
)


# --- Counterparties (legal entities of a client) -----------------------------------------------------------


def search_counterparties(qs: QuerySet[Counterparty], text: str) -> QuerySet[Counterparty]:
    cond = Q(search_name__contains=fold(text))
    if _has_digits(text):
        if _tax_id_text(text):
            cond |= prefix_q("tax_id_key", _tax_id_text(text))
        cond |= Q(registration_number=text.strip())
    return qs.filter(cond).order_by("search_name", "id")


def exact_counterparties(qs: QuerySet[Counterparty], text: str) -> QuerySet[Counterparty]:
    key = _tax_id_text(text)
    return qs.filter(Q(search_name=fold(text)) | (Q(tax_id_key=key) if key else Q(pk__in=[])))


def describe_counterparties(rows: list[Counterparty]) -> list[PickerOption]:
    """Legal name; tax ID, town, and the client it belongs to."""
    return [
        PickerOption(
            cp.pk,
            cp.legal_name,
            _detail(cp.tax_id, city_of(cp.legal_address or cp.postal_address), cp.client.name),
            parent_id=cp.client_id,
            parent_label=cp.client.name,
        )
        for cp in rows
    ]


COUNTERPARTY_PICKER = PickerSource(
    url_name="parties:counterparty-picker",
    noun=gettext_lazy("counterparty"),
    search=search_counterparties,
    exact=exact_counterparties,
    describe=describe_counterparties,
    parent="client",
    placeholder=gettext_lazy("Type a legal name or tax ID…"),
)


# --- Contact persons --------------------------------------------------------------------------------------


def search_contacts(qs: QuerySet[Contact], text: str) -> QuerySet[Contact]:
    """Contacts by name (folded) or any of their channels (a phone in any form, part of an e-mail…)."""
    text = text.strip()
    cond = Q(search_name__contains=fold(text))
    if "@" in text or _has_digits(text):
        cond |= Q(pk__in=ContactChannel.objects.filter(channel_match(text), contact__isnull=False)
                  .values("contact_id"))
    return qs.filter(cond).prefetch_related("channels").order_by("search_name", "id")


def exact_contacts(qs: QuerySet[Contact], text: str) -> QuerySet[Contact]:
    return qs.filter(search_name=fold(" ".join(text.split()))).prefetch_related("channels")


def describe_contacts(rows: list[Contact]) -> list[PickerOption]:
    """Full name; position, email or phone, and the client."""
    return [
        PickerOption(
            ct.pk,
            ct.full_name,
            _detail(ct.position, ct.email or ct.phone or ct.mobile_phone, ct.client.name),
            parent_id=ct.client_id,
            parent_label=ct.client.name,
        )
        for ct in rows
    ]


CONTACT_PICKER = PickerSource(
    url_name="parties:contact-picker",
    noun=gettext_lazy("contact person"),
    search=search_contacts,
    exact=exact_contacts,
    describe=describe_contacts,
    parent="client",
    placeholder=gettext_lazy("Type a name, email or phone…"),
)


# --- Form fields -----------------------------------------------------------------------------------------


def client_field(label, **kwargs) -> PickerField:
    return PickerField(CLIENT_PICKER, label=label, queryset=Client.objects.none(), **kwargs)


def counterparty_field(label, **kwargs) -> PickerField:
    return PickerField(
        COUNTERPARTY_PICKER, label=label, queryset=Counterparty.objects.none(), depends_on="client", **kwargs
    )


def contact_field(label, **kwargs) -> PickerField:
    return PickerField(CONTACT_PICKER, label=label, queryset=Contact.objects.none(), depends_on="client", **kwargs)
