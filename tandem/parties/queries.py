"""Reads shared by the web UI and the API: record rules, filters, search, duplicates."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from tandem.core.references import resolve_visible
from tandem.core.search_keys import fold
from tandem.core.services import default_country
from tandem.core.tax_ids import compact as compact_tax_id
from tandem.core.tax_ids import tax_id_key
from tandem.parties.models import Client, Contact, ContactChannel, Counterparty
from tandem.parties.phones import phone_digits

CLIENT_SORTS = {
    "name": ("search_name", "id"), "-name": ("-search_name", "-id"),
    "created": ("created_at", "id"), "-created": ("-created_at", "-id"),
    "status": ("status", "search_name", "id"), "-status": ("-status", "-search_name", "-id"),
}  # fmt: skip


def can_see_all_clients(user) -> bool:
    return user.has_perm("parties.view_all_clients")


def visible_clients(user) -> QuerySet[Client]:
    """The record rule: without team visibility a user sees only the clients they own."""
    if not user.is_authenticated or not user.has_perm("parties.view_client"):
        return Client.objects.none()
    qs = Client.objects.all()
    if not can_see_all_clients(user):
        qs = qs.filter(owner=user)
    return qs


def get_visible_client(user, pk) -> Client:
    return resolve_visible(visible_clients(user).select_related("owner", "first_source"), pk)


def visible_counterparties(user) -> QuerySet[Counterparty]:
    qs = Counterparty.objects.select_related("client")
    if not can_see_all_clients(user):
        qs = qs.filter(client__owner=user)
    return qs if user.has_perm("parties.view_counterparty") else qs.none()


def visible_contacts(user) -> QuerySet[Contact]:
    qs = Contact.objects.select_related("client")
    if not can_see_all_clients(user):
        qs = qs.filter(client__owner=user)
    return qs if user.has_perm("parties.view_contact") else qs.none()


def get_visible_counterparty(user, pk) -> Counterparty:
    return resolve_visible(visible_counterparties(user), pk)


def get_visible_contact(user, pk) -> Contact:
    return resolve_visible(visible_contacts(user), pk)


def filter_clients(
    qs: QuerySet[Client],
    *,
    q: str = "",
    status: str = "",
    kind: str = "",
    owner_id: int | None = None,
    tag: str = "",
    source_id: int | None = None,
    sort: str = "name",
    archived: str = "false",
) -> QuerySet[Client]:
    """Clients matching the filters; archived ones only with archived="true" (or "all"). `q` finds the name
    (ignoring case and accents), the client's e-mail or phone, and any channel of the client or its contacts."""
    qs = qs.in_archive_state(archived)
    q = (q or "").strip()
    if q:
        channels = ContactChannel.objects.filter(channel_match(q)).values("client_id")
        qs = qs.filter(Q(search_name__contains=fold(q)) | _client_columns_match(q) | Q(pk__in=channels))
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    if tag:
        qs = qs.filter(tags__name__iexact=tag)
    if source_id:
        qs = qs.filter(first_source_id=source_id)
    return qs.order_by(*CLIENT_SORTS.get(sort, CLIENT_SORTS["name"]))


def filter_contacts(qs: QuerySet[Contact], *, q: str = "", client_id: int | None = None,
                    archived: str = "false") -> QuerySet[Contact]:
    """Contacts by name or any channel (q: a phone in any form, part of an e-mail or its domain, a Telegram or
    Skype name), optionally of one client; archived ones only with
    archived="true" (or "all")."""
    qs = qs.in_archive_state(archived)
    q = (q or "").strip()
    if q:
        channels = ContactChannel.objects.filter(channel_match(q), contact__isnull=False).values("contact_id")
        qs = qs.filter(Q(search_name__contains=fold(q)) | Q(pk__in=channels))
    if client_id:
        qs = qs.filter(client_id=client_id)
    return qs.order_by("last_name", "first_name", "id")


# --- Global search ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SearchHit:
    kind: str  # "client" | "counterparty" | "contact"
    id: int
    client_id: int
    title: str
    detail: str


PHONE_CHARACTERS = frozenset("0123456789+-()./ ")


def next_prefix(prefix: str) -> str:
    """The smallest string after every string that starts with prefix ('+49301' -> '+49302')."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def prefix_q(field: str, prefix: str) -> Q:
    """``field`` starts with ``prefix``, as a range a B-tree index answers on every database.

    Django's ``startswith`` is ``LIKE 'p%' ESCAPE …``, which SQLite never answers from an index (and
    PostgreSQL only with a ``*_pattern_ops`` index or the C collation). Ranges compare by the column's
    collation, so this needs a collation that orders strings by code point (SQLite's BINARY; ``C`` or
    ``C.UTF-8`` on PostgreSQL) for values made of digits, '+' and upper-case letters.
    """
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": next_prefix(prefix)})


def _phone_prefixes(text: str) -> list[str]:
    """E.164 prefixes the typed phone number may be the start of: with its country code ('+48 22 654',
    '0048 22…', '4822…') or in local form, read in the default legal entity's country ('22 654 32 10',
    '030 1234' in Germany: the trunk prefix dropped). Empty when the text is not a phone number."""
    digits = phone_digits(text)
    if len(digits) < 5 or not set(text) <= PHONE_CHARACTERS:
        return []
    if text.startswith("+"):
        return ["+" + digits]
    if text.startswith("00"):
        return ["+" + digits[2:]]
    prefixes = ["+" + digits]
    region = default_country()
    if region:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            number = None
        if number is not None and phonenumbers.is_possible_number(number):
            prefixes.append(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
        country_code = phonenumbers.country_code_for_region(region)
        if country_code:
            prefixes.append(f"+{country_code}{digits.lstrip('0')}")
    return list(dict.fromkeys(prefixes))


def channel_match(text: str) -> Q:
    """Channels the typed text finds: a phone number in any form (E.164 prefix), part of an e-mail address or
    its domain ('linden-metall.de'), a Telegram or Skype name, part of a URL."""
    text = (text or "").strip()
    if not text:
        return Q(pk__in=[])
    prefixes = _phone_prefixes(text)
    if prefixes:
        # The prefixes use the index; the digits anywhere (a scan) find a number typed without its beginning.
        digits = phone_digits(text)
        return _any_prefix(("search_value",), prefixes) | Q(kind__in=ContactChannel.PHONE_KINDS,
                                                            search_value__contains=digits)
    lowered = text.lower().lstrip("@")
    if len(lowered) < 3:
        return Q(search_value=lowered)
    return Q(search_value__contains=lowered) & ~Q(kind__in=ContactChannel.PHONE_KINDS)


def _client_columns_match(text: str) -> Q:
    """The client's own e-mail (part of it, or its domain) and phone (E.164 prefix)."""
    prefixes = _phone_prefixes(text)
    if prefixes:
        return _any_prefix(("phone",), prefixes) | Q(phone__contains=phone_digits(text))
    lowered = text.lower()
    return Q(email__contains=lowered) if len(lowered) >= 3 and " " not in lowered else Q(pk__in=[])


def _any_prefix(fields: tuple[str, ...], prefixes: list[str]) -> Q:
    cond = Q(pk__in=[])
    for field in fields:
        for prefix in prefixes:
            cond |= prefix_q(field, prefix)
    return cond


def _looks_like_a_number(text: str, digits: str, compact: str) -> bool:
    """A phone, tax or registration number ('+49 (30) 123-4567', 'DE123456789', 'HRB 12345'), not a name."""
    return len(digits) >= 5 and (len(digits) >= len(compact) - 3 or set(text) <= PHONE_CHARACTERS)


def _first(limit: int, *querysets: QuerySet) -> list:
    """Up to ``limit`` distinct rows from the querysets in turn (each one access path, one index)."""
    rows: dict = {}
    for qs in querysets:
        if len(rows) >= limit:
            break
        for row in qs[:limit]:
            rows.setdefault(row.pk, row)
    return list(rows.values())[:limit]


def _visible_channels(user) -> QuerySet[ContactChannel]:
    qs = ContactChannel.objects.all()
    return qs if can_see_all_clients(user) else qs.filter(client__owner=user)


def global_search(user, text: str, *, limit: int = 20) -> list[SearchHit]:
    """Find clients, counterparties and contacts by name, phone, e-mail, messenger or tax ID.

    Names compare folded (core.search_keys.fold: "wisla" finds "Wisła") by ``search_name LIKE '%…%'`` in
    search_name order; phone numbers (stored E.164, in the clients' phone column and in contact channels)
    by prefix ranges, typed in any form ('+48 22 654 32 10', '0048…', or local '22 654 32 10' read in the
    default legal entity's country); tax IDs by their key without separators and country prefix
    ('PL 525-281-23-49' finds '5252812349'); e-mails, Telegram and Skype names by a part ('linden-metall.de').
    A text that looks like a number is not looked for in names. A phone number that no prefix finds falls
    back to looking for the digits anywhere in phone numbers (a scan).
    """
    text = (text or "").strip()
    if len(text) < 2:
        return []
    digits = phone_digits(text)
    compact = compact_tax_id(text)
    by_name = ("search_name", "id")
    clients = visible_clients(user).only("id", "name", "email", "phone")
    counterparties = visible_counterparties(user).only("id", "legal_name", "tax_id", "client_id", "client__name")
    contacts = visible_contacts(user).only("id", "first_name", "last_name", "client_id", "client__name") \
        .prefetch_related("channels")
    channels = _visible_channels(user)
    found_counterparties: list = []

    def owners(channel_q: Q) -> tuple[list[int], list[int]]:
        rows = list(channels.filter(channel_q).values_list("client_id", "contact_id")[: limit * 2])
        return [c for c, ct in rows if ct is None], [ct for _c, ct in rows if ct is not None]

    if "@" in text:
        lowered = text.lower()
        client_ids, contact_ids = owners(Q(kind=ContactChannel.Kind.EMAIL, search_value__contains=lowered))
        found_clients = _first(limit, clients.filter(email=lowered).order_by(*by_name),
                               clients.filter(Q(email__contains=lowered) | Q(pk__in=client_ids)).order_by(*by_name))
        found_contacts = _first(limit, contacts.filter(pk__in=contact_ids).order_by(*by_name))
    elif _looks_like_a_number(text, digits, compact):
        prefixes = _phone_prefixes(text)
        client_ids, contact_ids = owners(_any_prefix(("search_value",), prefixes))
        found_clients = _first(limit, clients.filter(_any_prefix(("phone",), prefixes)).order_by("phone", "id"),
                               clients.filter(pk__in=client_ids).order_by(*by_name))
        found_contacts = _first(limit, contacts.filter(pk__in=contact_ids).order_by(*by_name))
        if prefixes and not found_clients and not found_contacts and not text.startswith(("+", "00")):
            # Perhaps part of a number: the digits anywhere in a phone number (a scan).
            client_ids, contact_ids = owners(Q(kind__in=ContactChannel.PHONE_KINDS, search_value__contains=digits))
            found_clients = _first(limit, clients.filter(Q(phone__contains=digits) | Q(pk__in=client_ids))
                                   .order_by("id"))
            found_contacts = _first(limit, contacts.filter(pk__in=contact_ids).order_by("id"))
        key = tax_id_key(text)
        found_counterparties = _first(
            limit,
            counterparties.filter(prefix_q("tax_id_key", key)).order_by("tax_id_key", "id") if key else
            counterparties.none(),
            counterparties.filter(registration_number=text).order_by("id"),
        )
    else:
        folded = fold(text)
        client_ids, contact_ids = owners(channel_match(text)) if len(text) >= 3 else ([], [])
        found_clients = _first(limit, clients.filter(search_name__contains=folded).order_by(*by_name),
                               clients.filter(_client_columns_match(text) | Q(pk__in=client_ids)).order_by(*by_name))
        found_counterparties = _first(
            limit,
            *([counterparties.filter(tax_id_key=tax_id_key(text)).order_by("id")]
              if any(ch.isdigit() for ch in text) else []),
            counterparties.filter(search_name__contains=folded).order_by(*by_name),
        )
        found_contacts = _first(limit, contacts.filter(search_name__contains=folded).order_by(*by_name),
                                contacts.filter(pk__in=contact_ids).order_by(*by_name))

    hits: list[SearchHit] = []
    for c in found_clients:
        hits.append(SearchHit("client", c.id, c.id, c.name, c.email or c.phone))
    for cp in found_counterparties:
        hits.append(SearchHit("counterparty", cp.id, cp.client_id, cp.legal_name,
                              f"{cp.tax_id} · {cp.client.name}".strip(" ·")))
    for ct in found_contacts:
        first_channel = next(iter(ct.channels.all()), None)
        hits.append(SearchHit("contact", ct.id, ct.client_id, ct.full_name,
                              f"{first_channel.display if first_channel else ''} · {ct.client.name}".strip(" ·")))
    return hits


# --- Duplicates -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Duplicate:
    field: str
    value: str
    client_id: int | None  # None when the user may not open that client
    client_name: str | None
    record: str | None  # what holds the value: "client X", "counterparty Y", "contact Z" (None when hidden)
    owner_name: str = ""
    visible: bool = True

    @property
    def message(self) -> str:
        labels = {"tax ID": _("tax ID"), "email": _("email"), "phone": _("phone"), "name": _("name")}
        if not self.visible:
            return _("A client you cannot open (owner: %(owner)s) already has %(field)s %(value)s.") % {
                "owner": self.owner_name or _("nobody"), "field": labels.get(self.field, self.field),
                "value": self.value,
            }
        if self.field == "name":
            return _("Client “%(client)s” (#%(id)s) has the same name.") % {
                "client": self.client_name, "id": self.client_id}
        return _("%(record)s of client “%(client)s” (#%(id)s) already has %(field)s %(value)s.") % {
            "record": self.record, "client": self.client_name, "id": self.client_id,
            "field": labels.get(self.field, self.field), "value": self.value,
        }

    def hidden(self) -> Duplicate:
        """What a user who may not open the client may learn: that it exists, and who owns it."""
        return Duplicate(self.field, self.value, None, None, None, self.owner_name, visible=False)

    def as_dict(self) -> dict:
        return {"field": self.field, "value": self.value, "client_id": self.client_id,
                "client_name": self.client_name, "record": self.record, "owner": self.owner_name,
                "visible": self.visible, "message": self.message}


def _owner_name(client: Client) -> str:
    return str(client.owner) if client.owner_id else ""


def find_duplicates(
    *, names=(), tax_ids=(), emails=(), phones=(), exclude_client_id: int | None = None, user=None
) -> list[Duplicate]:
    """Existing records with the same client name (folded: ignoring case and accents), tax ID (compared by
    its key: without separators and country prefix), e-mail or phone (any channel), across all clients.

    With `user`, a match on a client the user may not open says only that it exists and who owns it."""
    found = _find_duplicates(names=names, tax_ids=tax_ids, emails=emails, phones=phones,
                             exclude_client_id=exclude_client_id)
    if user is None or not found:
        return found
    visible = set(visible_clients(user).filter(pk__in={d.client_id for d in found}).values_list("pk", flat=True))
    return [d if d.client_id in visible else d.hidden() for d in found]


def _find_duplicates(*, names, tax_ids, emails, phones, exclude_client_id) -> list[Duplicate]:
    names = {fold(n) for n in names if n and fold(n)}
    tax_ids = {tax_id_key(t) for t in tax_ids if t and tax_id_key(t)}
    emails = {e.lower() for e in emails if e}
    phones = {p for p in phones if p}
    found: list[Duplicate] = []

    def keep(qs):
        return qs.exclude(client_id=exclude_client_id) if exclude_client_id else qs

    if names:
        clients = Client.objects.filter(search_name__in=names).select_related("owner")
        if exclude_client_id:
            clients = clients.exclude(pk=exclude_client_id)
        for c in clients[:5]:
            found.append(Duplicate("name", c.name, c.id, c.name, _("Client “%(name)s”") % {"name": c.name},
                                   _owner_name(c)))
    if tax_ids:
        for cp in keep(Counterparty.objects.filter(tax_id_key__in=tax_ids).select_related("client__owner"))[:5]:
            found.append(Duplicate("tax ID", cp.tax_id, cp.client_id, cp.client.name,
                                   _("Counterparty “%(name)s”") % {"name": cp.legal_name}, _owner_name(cp.client)))
    if emails or phones:
        client_q = Q(pk__in=[])
        if emails:
            client_q |= Q(email__in=emails)
        if phones:
            client_q |= Q(phone__in=phones)
        clients = Client.objects.filter(client_q).select_related("owner")
        if exclude_client_id:
            clients = clients.exclude(pk=exclude_client_id)
        for c in clients[:5]:
            field, value = ("email", c.email) if c.email in emails else ("phone", c.phone)
            found.append(Duplicate(field, value, c.id, c.name, _("Client “%(name)s”") % {"name": c.name},
                                   _owner_name(c)))
        channel_q = Q(pk__in=[])
        if emails:
            channel_q |= Q(kind=ContactChannel.Kind.EMAIL, search_value__in=emails)
        if phones:
            channel_q |= Q(kind__in=ContactChannel.PHONE_KINDS, search_value__in=phones)
        for ch in keep(ContactChannel.objects.filter(channel_q).select_related("client__owner", "contact"))[:5]:
            field = "email" if ch.kind == ContactChannel.Kind.EMAIL else "phone"
            if ch.contact_id:
                record = _("Contact “%(name)s”") % {"name": ch.contact.full_name}
            else:
                record = _("Client “%(name)s”") % {"name": ch.client.name}
            found.append(Duplicate(field, ch.value, ch.client_id, ch.client.name, record, _owner_name(ch.client)))
    return found
