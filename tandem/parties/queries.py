"""Reads shared by the web UI and the API: record rules, filters, search, duplicates."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from tandem.core.references import resolve_visible
from tandem.parties.models import Client, Contact, Counterparty
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
    """Clients matching the filters; archived ones only with archived="true" (or "all")."""
    qs = qs.in_archive_state(archived)
    if q:
        qs = qs.filter(search_name__contains=q.strip().lower())
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    if tag:
        qs = qs.filter(tags__name=tag)
    if source_id:
        qs = qs.filter(first_source_id=source_id)
    return qs.order_by(*CLIENT_SORTS.get(sort, CLIENT_SORTS["name"]))


def filter_contacts(qs: QuerySet[Contact], *, q: str = "", client_id: int | None = None,
                    archived: str = "false") -> QuerySet[Contact]:
    """Contacts by name, email or phone digits (q), optionally of one client; archived ones only with
    archived="true" (or "all")."""
    qs = qs.in_archive_state(archived)
    q = (q or "").strip()
    if q:
        cond = Q(search_name__contains=q.lower()) | Q(email__iexact=q) | Q(alternate_email__iexact=q)
        digits = phone_digits(q)
        if len(digits) >= 5:
            cond |= Q(phone__contains=digits) | Q(mobile_phone__contains=digits)
        qs = qs.filter(cond)
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
    """E.164 prefixes a phone number typed with its country code may start: '+49 151 1007', '0049…',
    '49151…'. Empty when the text is not a phone number (letters, or fewer than 5 digits)."""
    digits = phone_digits(text)
    if len(digits) < 5 or not set(text) <= PHONE_CHARACTERS:
        return []
    if text.startswith("00"):
        return ["+" + digits[2:]]
    return ["+" + digits]


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


def global_search(user, text: str, *, limit: int = 20) -> list[SearchHit]:
    """Find clients, counterparties and contacts by name, phone, email or tax ID.

    Each query is answered from one index and stops after ``limit`` rows: names by
    ``search_name LIKE '%…%'`` in search_name order (the index order: no sort of all matches; a trigram
    index on PostgreSQL); phone numbers (stored E.164) and tax IDs by prefix ranges; emails (stored lower
    case) and registration numbers exactly. A text that looks like a number is not looked for in names.
    A phone number typed without its country code ('30 1234567') falls back to looking for the digits
    anywhere in phone numbers (a scan), only when the prefix finds nothing.
    """
    text = (text or "").strip()
    if len(text) < 2:
        return []
    digits = phone_digits(text)
    compact = text.replace(" ", "").upper()
    by_name = ("search_name", "id")
    clients = visible_clients(user).only("id", "name", "email", "phone")
    counterparties = visible_counterparties(user).only("id", "legal_name", "tax_id", "client_id", "client__name")
    contacts = visible_contacts(user).only(
        "id", "first_name", "last_name", "email", "phone", "client_id", "client__name"
    )

    if "@" in text:
        email = text.lower()
        found_clients = _first(limit, clients.filter(email=email).order_by(*by_name))
        found_counterparties = []
        found_contacts = _first(limit, contacts.filter(Q(email=email) | Q(alternate_email=email)).order_by("id"))
    elif _looks_like_a_number(text, digits, compact):
        prefixes = _phone_prefixes(text)
        found_clients = _first(limit, clients.filter(_any_prefix(("phone",), prefixes)).order_by("phone", "id"))
        found_contacts = _first(
            limit, contacts.filter(_any_prefix(("phone", "mobile_phone"), prefixes)).order_by("id")
        )
        if prefixes and not found_clients and not found_contacts and not text.startswith(("+", "00")):
            # Perhaps a number without its country code: the digits anywhere in a phone number (a scan).
            found_clients = _first(limit, clients.filter(phone__contains=digits).order_by("id"))
            found_contacts = _first(limit, contacts.filter(
                Q(phone__contains=digits) | Q(mobile_phone__contains=digits)).order_by("id"))
        found_counterparties = _first(
            limit,
            counterparties.filter(prefix_q("tax_id", compact)).order_by("tax_id", "id"),
            counterparties.filter(registration_number=text).order_by("id"),
        )
    else:
        lowered = text.lower()
        found_clients = _first(limit, clients.filter(search_name__contains=lowered).order_by(*by_name))
        found_counterparties = _first(
            limit,
            *([counterparties.filter(tax_id=compact).order_by("id")] if any(ch.isdigit() for ch in text) else []),
            counterparties.filter(search_name__contains=lowered).order_by(*by_name),
        )
        found_contacts = _first(limit, contacts.filter(search_name__contains=lowered).order_by(*by_name))

    hits: list[SearchHit] = []
    for c in found_clients:
        hits.append(SearchHit("client", c.id, c.id, c.name, c.email or c.phone))
    for cp in found_counterparties:
        hits.append(SearchHit("counterparty", cp.id, cp.client_id, cp.legal_name,
                              f"{cp.tax_id} · {cp.client.name}".strip(" ·")))
    for ct in found_contacts:
        hits.append(SearchHit("contact", ct.id, ct.client_id, ct.full_name,
                              f"{ct.email or ct.phone} · {ct.client.name}".strip(" ·")))
    return hits


# --- Duplicates -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Duplicate:
    field: str
    value: str
    client_id: int
    client_name: str
    record: str  # what holds the value: "client X", "counterparty Y", "contact Z"

    @property
    def message(self) -> str:
        labels = {"tax ID": _("tax ID"), "email": _("email"), "phone": _("phone")}
        return _("%(record)s of client “%(client)s” (#%(id)s) already has %(field)s %(value)s.") % {
            "record": self.record, "client": self.client_name, "id": self.client_id,
            "field": labels.get(self.field, self.field), "value": self.value,
        }

    def as_dict(self) -> dict:
        return {"field": self.field, "value": self.value, "client_id": self.client_id,
                "client_name": self.client_name, "record": self.record, "message": self.message}


def find_duplicates(
    *, tax_ids=(), emails=(), phones=(), exclude_client_id: int | None = None
) -> list[Duplicate]:
    """Existing records with the same tax ID, email or phone, across all clients (whoever owns them)."""
    tax_ids = {t for t in tax_ids if t}
    emails = {e.lower() for e in emails if e}
    phones = {p for p in phones if p}
    found: list[Duplicate] = []

    def keep(qs):
        return qs.exclude(client_id=exclude_client_id) if exclude_client_id else qs

    if tax_ids:
        for cp in keep(Counterparty.objects.filter(tax_id__in=tax_ids).select_related("client"))[:5]:
            found.append(Duplicate("tax ID", cp.tax_id, cp.client_id, cp.client.name,
                                   _("Counterparty “%(name)s”") % {"name": cp.legal_name}))
    if emails or phones:
        client_q = Q(pk__in=[])
        contact_q = Q(pk__in=[])
        if emails:
            client_q |= Q(email__in=emails)
            contact_q |= Q(email__in=emails) | Q(alternate_email__in=emails)
        if phones:
            client_q |= Q(phone__in=phones)
            contact_q |= Q(phone__in=phones) | Q(mobile_phone__in=phones)
        clients = Client.objects.filter(client_q)
        if exclude_client_id:
            clients = clients.exclude(pk=exclude_client_id)
        for c in clients[:5]:
            field, value = ("email", c.email) if c.email in emails else ("phone", c.phone)
            found.append(Duplicate(field, value, c.id, c.name, _("Client “%(name)s”") % {"name": c.name}))
        for ct in keep(Contact.objects.filter(contact_q).select_related("client"))[:5]:
            if ct.email in emails or ct.alternate_email in emails:
                field, value = "email", ct.email if ct.email in emails else ct.alternate_email
            else:
                field, value = "phone", ct.phone if ct.phone in phones else ct.mobile_phone
            record = _("Contact “%(name)s”") % {"name": ct.full_name}
            found.append(Duplicate(field, value, ct.client_id, ct.client.name, record))
    return found
