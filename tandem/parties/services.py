"""Writes for clients, their counterparties (legal entities) and contact persons.

Views and API endpoints parse input into plain values and call one of these; each runs in one
transaction, checks the business rules, and writes an audit entry filed under the client.

Duplicates (same tax ID, email or phone) are looked for inside the writing transaction, under a lock per value
(core.concurrency.lock_values): two people saving the same tax ID at once cannot both pass the check; the
second waits, then sees the first one's record and is refused (409 "duplicate") unless they confirmed
"save anyway" (allow_duplicates). A unique index could not allow those confirmed duplicates, hence the lock.

Clients carry a `version`: update_client(expected_version=…) refuses (409 "stale") an edit based on an older
version, and every change adds one."""

from __future__ import annotations

import datetime
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import formats
from django.utils.translation import gettext as _

from tandem.core import archive, audit, deletion, owners, reference_lists
from tandem.core.concurrency import bump_version, lock_values, refuse_stale
from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.core.models import User
from tandem.core.permissions import require_permission
from tandem.core.search_keys import fold
from tandem.core.services import default_country
from tandem.core.tax_ids import tax_id_key, validate_tax_id
from tandem.parties.channels import CleanChannel, apply_legacy_fields, as_clean, clean_channels, describe
from tandem.parties.models import BankAccount, Client, Contact, ContactChannel, Counterparty, Source, Tag
from tandem.parties.phones import normalize_phone
from tandem.parties.queries import can_see_all_clients, find_duplicates

CLIENT_FIELDS = ("name", "kind", "status", "owner", "first_source", "email", "phone", "website", "notes", "tags")
COUNTERPARTY_FIELDS = ("legal_name", "country", "tax_id", "registration_number", "legal_address", "postal_address",
                       "valid_from", "valid_to")
CONTACT_FIELDS = ("first_name", "last_name", "position", "messengers")
# Accepted by add_contact/update_contact besides CONTACT_FIELDS: the channels, and the former fixed columns
# (each sets the first, or second, channel of its kind: parties.channels.LEGACY_CONTACT_FIELDS).
CONTACT_INPUTS = (*CONTACT_FIELDS, "channels", "email", "alternate_email", "phone", "mobile_phone")
BANK_ACCOUNT_FIELDS = ("bank_name", "account_number", "bic", "currency")


def _refuse_unknown_fields(values: dict, allowed) -> None:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        message = _("Unknown field %(field)s.") % {"field": unknown[0]}
        raise BusinessRuleError("unknown_field", message, field=unknown[0])



def _clean(obj, exclude=()) -> None:
    """Model validation (lengths, choices, email format, constraints) as a BusinessRuleError on the field."""
    try:
        obj.full_clean(exclude=[*exclude, "search_name"], validate_unique=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise BusinessRuleError("invalid", messages[0], field=None if field == "__all__" else field) from None


def _raise_if_duplicates(allow_duplicates: bool, *, by: User, field_names: dict | None = None, **values) -> None:
    """Refuse (409 "duplicate") a tax ID, email or phone already on file. Call inside the writing transaction:
    the values stay locked until it ends, so a concurrent save of the same value waits and then sees ours."""
    if allow_duplicates:
        return
    lock_values("parties.name", [n for n in values.get("names", ()) if n])
    lock_values("parties.tax_id", [t for t in values.get("tax_ids", ()) if t])
    lock_values("parties.email", [e.lower() for e in values.get("emails", ()) if e])
    lock_values("parties.phone", [p for p in values.get("phones", ()) if p])
    duplicates = find_duplicates(user=by, **values)
    if duplicates:
        first = duplicates[0]
        raise ConflictError(
            "duplicate",
            _("%(duplicate)s Check the existing record, or confirm to save anyway.") % {"duplicate": first.message},
            field=(field_names or {}).get(first.field) or {"tax ID": "tax_id"}.get(first.field, first.field),
            extra={"duplicates": [d.as_dict() for d in duplicates]},
        )


def _normalize_client_values(values: dict) -> dict:
    values = dict(values)
    if "email" in values:
        values["email"] = (values["email"] or "").strip().lower()
    if "phone" in values:
        values["phone"] = normalize_phone(values["phone"], field="phone")
    if "name" in values:
        values["name"] = (values["name"] or "").strip()
    return values


def _check_owner(owner: User | None, *, by: User) -> None:
    if owner is None:
        raise BusinessRuleError("required", _("A client needs an owner."), field="owner")
    owners.check_owner(owner)
    if owner != by and not can_see_all_clients(by):
        raise BusinessRuleError("owner_not_allowed", _("You can only create and keep clients you own."), field="owner")


def _set_tags(client: Client, tag_names) -> None:
    """Tags by name, in any letter case: "VIP" finds the existing "vip" (names are unique case-insensitively)."""
    by_key: dict[str, str] = {}
    for n in tag_names or ():
        if n and n.strip():
            by_key.setdefault(n.strip().lower(), n.strip())
    for n in by_key.values():
        if len(n) > 50:
            message = _("Tag “%(tag)s…” is longer than 50 characters.") % {"tag": n[:20]}
            raise BusinessRuleError("too_long", message, field="tags")

    def existing() -> dict[str, Tag]:
        return {t.name.lower(): t for t in Tag.objects.annotate(key=Lower("name")).filter(key__in=list(by_key))}

    found = existing()
    missing = [Tag(name=n) for key, n in sorted(by_key.items()) if key not in found]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)  # a tag created at the same time is kept
        found = existing()
    client.tags.set([found[key] for key in sorted(by_key)])


def _channel_values(channels: list[CleanChannel]) -> dict:
    """Duplicate-check arguments for channels: e-mails and phone numbers (WhatsApp numbers are phones)."""
    return {
        "emails": [c.value for c in channels if c.kind == ContactChannel.Kind.EMAIL],
        "phones": [c.value for c in channels if c.kind in ContactChannel.PHONE_KINDS],
    }


def _new_channel_values(channels: list[CleanChannel], before: list[CleanChannel]) -> dict:
    old = {(c.kind in ContactChannel.PHONE_KINDS, c.search_value) for c in before}
    return _channel_values([c for c in channels if (c.kind in ContactChannel.PHONE_KINDS, c.search_value) not in old])


def _write_channels(client: Client, contact: Contact | None, channels: list[CleanChannel]) -> None:
    """Replace the channels of the client itself (contact None) or of one contact person."""
    ContactChannel.objects.filter(client=client, contact=contact).delete()
    ContactChannel.objects.bulk_create([
        ContactChannel(client=client, contact=contact, kind=c.kind, value=c.value, search_value=c.search_value,
                       position=i)
        for i, c in enumerate(channels)
    ])


def _current_channels(client: Client, contact: Contact | None) -> list[CleanChannel]:
    return as_clean(ContactChannel.objects.filter(client=client, contact=contact).order_by("position", "id"))


# --- Sources ----------------------------------------------------------------------------------------

def create_source(*, by: User, name: str, channel: str = Source.Channel.OTHER) -> Source:
    """A new way clients find us; names are unique (case-insensitively)."""
    require_permission(by, "parties.add_source")
    source = Source(name=(name or "").strip(), channel=channel)
    exists_message = _("Source “%(name)s” already exists.") % {"name": source.name}
    if source.name and Source.objects.filter(name__iexact=source.name).exists():
        raise BusinessRuleError("duplicate", exists_message, field="name")
    _clean(source)
    try:
        with transaction.atomic():
            source.save()
            audit.record(source, "parties.source.created", by=by,
                         changes=audit.snapshot(source, ("name", "channel")))
    except IntegrityError:
        # Someone created the same name between our check and our insert.
        raise ConflictError("duplicate", exists_message, field="name") from None
    return source


def update_source(source: Source, *, by: User, **values) -> Source:
    """Rename a source or change its channel; names stay unique (case-insensitively)."""
    require_permission(by, "parties.change_source")
    _refuse_unknown_fields(values, ("name", "channel"))
    with transaction.atomic():
        locked = Source.objects.select_for_update().get(pk=source.pk)
        before = audit.snapshot(locked, ("name", "channel"))
        if "name" in values:
            locked.name = (values["name"] or "").strip()
        if "channel" in values:
            locked.channel = values["channel"]
        # Before model validation, whose case-insensitive constraint would answer 400 rather than 409.
        if locked.name:
            reference_lists.refuse_duplicate(Source, locked.name, exclude_pk=locked.pk,
                                             message=_("Source “%(name)s” already exists.") % {"name": locked.name})
        _clean(locked, exclude=("archived_by",))
        changes = audit.diff(before, audit.snapshot(locked, ("name", "channel")))
        if changes:
            locked.save(update_fields=list(changes))
            audit.record(locked, "parties.source.updated", by=by, changes=changes)
    return locked


def archive_source(source: Source, *, by: User) -> Source:
    """No longer offered for new clients, leads and deals; records that name it keep showing it."""
    require_permission(by, "parties.change_source")
    return archive.archive(source, by=by)


def restore_source(source: Source, *, by: User) -> Source:
    require_permission(by, "parties.change_source")
    return archive.restore(source, by=by)


def delete_source(source: Source, *, by: User) -> None:
    """Only a source nothing refers to; otherwise refused (409) naming the references."""
    require_permission(by, "parties.delete_source")
    deletion.delete(source, by=by, changes=audit.snapshot(source, ("name", "channel")))


# --- Tags -------------------------------------------------------------------------------------------

def rename_tag(tag: Tag, *, by: User, name: str) -> Tag:
    """Rename a tag on every client that carries it; a name already in use is refused (no silent merge)."""
    require_permission(by, "parties.change_tag")
    return reference_lists.rename_entry(tag, by=by, name=name, action="parties.tag.renamed", max_length=50,
                                        too_long=_("A tag may have at most 50 characters."),
                                        duplicate=_("Tag “%(name)s” already exists."))


def delete_tag(tag: Tag, *, by: User) -> None:
    """Only a tag no client carries; otherwise refused (409) naming how many clients do."""
    require_permission(by, "parties.delete_tag")
    deletion.delete(tag, by=by, changes={"name": tag.name}, hint=_("Remove it from those clients first."))


# --- Clients ----------------------------------------------------------------------------------------

def create_client(
    *,
    by: User,
    name: str,
    owner: User | None = None,
    kind: str = Client.Kind.B2B,
    status: str = Client.Status.PROSPECT,
    first_source: Source | None = None,
    email: str = "",
    phone: str = "",
    website: str = "",
    notes: str = "",
    tags=(),
    channels=(),
    allow_duplicates: bool = False,
) -> Client:
    """A new client. Refused (409 "duplicate", unless allow_duplicates) when a client with the same name
    (ignoring case and accents: "Wisla Hurt" is "Wisła Hurt") or a record with the same e-mail or phone exists."""
    require_permission(by, "parties.add_client")
    owner = owner or by
    _check_owner(owner, by=by)
    values = _normalize_client_values(dict(name=name, email=email, phone=phone))
    cleaned_channels = clean_channels(channels)
    client = Client(
        kind=kind, status=status, owner=owner, first_source=first_source, website=website or "",
        notes=notes or "", created_by=by, **values,
    )
    archive.refuse_archived_links(client)
    _clean(client, exclude=["owner"])
    with transaction.atomic():
        extra = _channel_values(cleaned_channels)
        _raise_if_duplicates(allow_duplicates, by=by, names=[fold(client.name)],
                             emails=[client.email, *extra["emails"]],
                             phones=[client.phone, *extra["phones"]])
        client.save()
        _set_tags(client, tags)
        _write_channels(client, None, cleaned_channels)
        changes = audit.snapshot(client, CLIENT_FIELDS)
        if cleaned_channels:
            changes["channels"] = describe(cleaned_channels)
        audit.record(client, "parties.client.created", by=by, changes=changes)
    return client


def update_client(client: Client, *, by: User, allow_duplicates: bool = False, expected_version: int | None = None,
                  **values) -> Client:
    """Change a client. `expected_version` is the version the user saw: when someone changed the client since,
    nothing is written and 409 "stale" is raised; None changes the current version (no precondition)."""
    require_permission(by, "parties.change_client")
    _refuse_unknown_fields(values, (*CLIENT_FIELDS, "channels"))
    values = _normalize_client_values(values)
    channels = values.pop("channels", None)
    cleaned_channels = clean_channels(channels) if channels is not None else None
    with transaction.atomic():
        client = Client.objects.select_for_update().get(pk=client.pk)
        refuse_stale(client, expected_version)
        before = audit.snapshot(client, CLIENT_FIELDS)
        before_channels = _current_channels(client, None)
        tags = values.pop("tags", None)
        if "owner" in values and values["owner"] != client.owner:
            _check_owner(values["owner"], by=by)
        before_links = {"first_source": client.first_source_id}
        for field, value in values.items():
            setattr(client, field, "" if value is None and field in ("email", "phone", "website", "notes") else value)
        archive.refuse_archived_links(client, before=before_links)
        _clean(client, exclude=["owner"])
        new_emails = [client.email] if client.email and client.email != before["email"] else []
        new_phones = [client.phone] if client.phone and client.phone != before["phone"] else []
        new_names = [fold(client.name)] if fold(client.name) != fold(before["name"]) else []
        if cleaned_channels is not None:
            extra = _new_channel_values(cleaned_channels, before_channels)
            new_emails, new_phones = [*new_emails, *extra["emails"]], [*new_phones, *extra["phones"]]
        if new_emails or new_phones or new_names:
            _raise_if_duplicates(allow_duplicates, by=by, names=new_names, emails=new_emails, phones=new_phones,
                                 exclude_client_id=client.pk)
        if tags is not None:
            _set_tags(client, tags)
        changes = audit.diff(before, audit.snapshot(client, CLIENT_FIELDS))
        if cleaned_channels is not None and cleaned_channels != before_channels:
            _write_channels(client, None, cleaned_channels)
            changes["channels"] = [describe(before_channels), describe(cleaned_channels)]
        if changes:
            bump_version(client)
            client.save()
            audit.record(client, "parties.client.updated", by=by, changes=changes)
    return client


def archive_client(client: Client, *, by: User) -> Client:
    """Out of pickers and the default client list; deals, invoices and the timeline keep showing it."""
    require_permission(by, "parties.change_client")
    return archive.archive(client, by=by)


def restore_client(client: Client, *, by: User) -> Client:
    require_permission(by, "parties.change_client")
    return archive.restore(client, by=by)


def delete_client(client: Client, *, by: User) -> None:
    """Only a client nothing refers to (its own counterparties and contacts go with it); a client with
    deals, interactions or other documents is refused (409) naming them: archive it instead."""
    require_permission(by, "parties.delete_client")
    deletion.delete(client, by=by, changes=audit.snapshot(client, CLIENT_FIELDS))


# --- Counterparties ---------------------------------------------------------------------------------

def _normalize_counterparty_values(values: dict, *, country: str = "") -> dict:
    """Trimmed values; the tax ID checked (python-stdnum, core.tax_ids) for the country it starts with, else
    the counterparty's country, else our default legal entity's, and stored compact."""
    values = dict(values)
    for key in ("legal_name", "tax_id", "registration_number", "country"):
        if key in values:
            values[key] = (values[key] or "").strip()
    if "country" in values:
        values["country"] = values["country"].upper()
    if values.get("tax_id"):
        check_country = values.get("country", country) or default_country()
        values["tax_id"] = validate_tax_id(values["tax_id"], check_country, field="tax_id").value
    return values


def _check_period(cp: Counterparty) -> None:
    if cp.valid_to is not None and cp.valid_from is not None and cp.valid_to < cp.valid_from:
        raise BusinessRuleError("invalid_period", _("“Valid to” must not be before “valid from”."), field="valid_to")


def _check_no_overlap(cp: Counterparty) -> None:
    """Only one counterparty contracts for a client on any day."""
    others = Counterparty.objects.filter(client_id=cp.client_id).exclude(pk=cp.pk)
    end = cp.valid_to or datetime.date.max
    for other in others:
        other_end = other.valid_to or datetime.date.max
        if cp.valid_from <= other_end and other.valid_from <= end:
            raise BusinessRuleError(
                "period_overlap",
                (_("The period overlaps “%(name)s” (%(start)s – %(end)s).") % {
                    "name": other.legal_name, "start": formats.date_format(other.valid_from, "SHORT_DATE_FORMAT"),
                    "end": formats.date_format(other.valid_to, "SHORT_DATE_FORMAT") if other.valid_to else "…"}),
                field="valid_from",
            )


def add_counterparty(
    client: Client,
    *,
    by: User,
    legal_name: str,
    valid_from: datetime.date,
    tax_id: str = "",
    country: str = "",
    registration_number: str = "",
    legal_address: str = "",
    postal_address: str = "",
    valid_to: datetime.date | None = None,
    allow_duplicates: bool = False,
) -> Counterparty:
    """Add a legal entity to a client. If another one is open-ended and started earlier, it stops
    contracting the day before this one starts: that is how the contracting party changes over time."""
    require_permission(by, "parties.add_counterparty")
    values = _normalize_counterparty_values(dict(
        legal_name=legal_name, tax_id=tax_id, country=country, registration_number=registration_number,
        legal_address=legal_address or "", postal_address=postal_address or "",
    ))
    if valid_from is None:
        raise BusinessRuleError("required", _("“Valid from” is required."), field="valid_from")
    cp = Counterparty(client=client, valid_from=valid_from, valid_to=valid_to, created_by=by, **values)
    _check_period(cp)
    _clean(cp, exclude=["client"])
    with transaction.atomic():
        Client.objects.select_for_update().get(pk=client.pk)  # serialize period changes per client
        # Rows first, then value locks (no deadlock).
        _raise_if_duplicates(allow_duplicates, by=by, tax_ids=[tax_id_key(cp.tax_id)])
        predecessor = (
            Counterparty.objects.filter(client=client, valid_to__isnull=True, valid_from__lt=valid_from)
            .order_by("-valid_from").first()
        )
        if predecessor is not None:
            old_to = predecessor.valid_to
            predecessor.valid_to = valid_from - timedelta(days=1)
            predecessor.save(update_fields=["valid_to", "updated_at"])
            audit.record(predecessor, "parties.counterparty.updated", by=by, root=client,
                         changes={"valid_to": [old_to, predecessor.valid_to.isoformat()]})
        _check_no_overlap(cp)
        cp.save()
        audit.record(cp, "parties.counterparty.created", by=by, root=client,
                     changes=audit.snapshot(cp, COUNTERPARTY_FIELDS))
    return cp


def update_counterparty(cp: Counterparty, *, by: User, allow_duplicates: bool = False, **values) -> Counterparty:
    require_permission(by, "parties.change_counterparty")
    _refuse_unknown_fields(values, COUNTERPARTY_FIELDS)
    if "tax_id" in values and tax_id_key(values["tax_id"]) == cp.tax_id_key and values.get("country", cp.country) \
            == cp.country:
        values["tax_id"] = cp.tax_id  # unchanged (perhaps typed differently): kept as it is, not checked again
        values_to_check = {k: v for k, v in values.items() if k != "tax_id"}
        values = {**_normalize_counterparty_values(values_to_check, country=cp.country), "tax_id": cp.tax_id}
    else:
        values = _normalize_counterparty_values(values, country=cp.country)
    with transaction.atomic():
        Client.objects.select_for_update().get(pk=cp.client_id)
        cp = Counterparty.objects.select_for_update().get(pk=cp.pk)
        before = audit.snapshot(cp, COUNTERPARTY_FIELDS)
        for field, value in values.items():
            setattr(cp, field, value)
        _check_period(cp)
        _clean(cp, exclude=["client"])
        if cp.tax_id and tax_id_key(cp.tax_id) != tax_id_key(before["tax_id"]):
            _raise_if_duplicates(allow_duplicates, by=by, tax_ids=[tax_id_key(cp.tax_id)],
                                 exclude_client_id=cp.client_id)
        _check_no_overlap(cp)
        cp.save()
        changes = audit.diff(before, audit.snapshot(cp, COUNTERPARTY_FIELDS))
        if changes:
            audit.record(cp, "parties.counterparty.updated", by=by, root=cp.client, changes=changes)
    return cp


def archive_counterparty(cp: Counterparty, *, by: User) -> Counterparty:
    require_permission(by, "parties.change_counterparty")
    return archive.archive(cp, by=by, root=cp.client)


def restore_counterparty(cp: Counterparty, *, by: User) -> Counterparty:
    require_permission(by, "parties.change_counterparty")
    return archive.restore(cp, by=by, root=cp.client)


def delete_counterparty(cp: Counterparty, *, by: User) -> None:
    require_permission(by, "parties.delete_counterparty")
    deletion.delete(cp, by=by, root=cp.client, changes=audit.snapshot(cp, COUNTERPARTY_FIELDS))


def add_bank_account(cp: Counterparty, *, by: User, bank_name: str, account_number: str, bic: str = "",
                     currency: str = "EUR") -> BankAccount:
    require_permission(by, "parties.change_counterparty")
    account = BankAccount(counterparty=cp, bank_name=(bank_name or "").strip(),
                          account_number=(account_number or "").replace(" ", "").upper(),
                          bic=(bic or "").strip().upper(), currency=(currency or "").upper(), created_by=by)
    _clean(account, exclude=["counterparty"])
    with transaction.atomic():
        account.save()
        audit.record(account, "parties.bankaccount.created", by=by, root=cp.client,
                     changes=audit.snapshot(account, BANK_ACCOUNT_FIELDS))
    return account


def delete_bank_account(account: BankAccount, *, by: User) -> None:
    require_permission(by, "parties.change_counterparty")
    with transaction.atomic():
        audit.record(account, "parties.bankaccount.deleted", by=by, root=account.counterparty.client,
                     changes=audit.snapshot(account, BANK_ACCOUNT_FIELDS))
        account.delete()


# --- Contacts ---------------------------------------------------------------------------------------

CONTACT_DUPLICATE_FIELDS = {"email": "channels", "phone": "channels"}


def _normalize_contact_values(values: dict) -> dict:
    values = dict(values)
    for key in CONTACT_FIELDS:
        if key in values:
            values[key] = (values[key] or "").strip()
    return values


def _contact_channels(values: dict, before: list[CleanChannel]) -> list[CleanChannel] | None:
    """The contact's channels after this change (None: unchanged). `channels` replaces them all; the former
    columns (email, phone, ...) then set the n-th channel of their kind."""
    legacy = {k: values.pop(k) for k in ("email", "alternate_email", "phone", "mobile_phone") if k in values}
    channels = values.pop("channels", None)
    if channels is None and not legacy:
        return None
    cleaned = clean_channels(channels) if channels is not None else list(before)
    return apply_legacy_fields(cleaned, legacy) if legacy else cleaned


def add_contact(client: Client, *, by: User, first_name: str, allow_duplicates: bool = False, **values) -> Contact:
    """A new contact person with any number of channels (`channels=[{"kind": "mobile_phone", "value": …}]`,
    or the former columns email, alternate_email, phone, mobile_phone)."""
    require_permission(by, "parties.add_contact")
    _refuse_unknown_fields(values, CONTACT_INPUTS)
    values = _normalize_contact_values(dict(values, first_name=first_name))
    channels = _contact_channels(values, []) or []
    contact = Contact(client=client, created_by=by, **values)
    _clean(contact, exclude=["client"])
    with transaction.atomic():
        _raise_if_duplicates(allow_duplicates, by=by, field_names=CONTACT_DUPLICATE_FIELDS, **_channel_values(channels))
        contact.save()
        _write_channels(client, contact, channels)
        changes = audit.snapshot(contact, CONTACT_FIELDS)
        if channels:
            changes["channels"] = describe(channels)
        audit.record(contact, "parties.contact.created", by=by, root=client, changes=changes)
    return contact


def update_contact(contact: Contact, *, by: User, allow_duplicates: bool = False, **values) -> Contact:
    require_permission(by, "parties.change_contact")
    _refuse_unknown_fields(values, CONTACT_INPUTS)
    values = _normalize_contact_values(values)
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        before = audit.snapshot(contact, CONTACT_FIELDS)
        before_channels = _current_channels(contact.client, contact)
        channels = _contact_channels(values, before_channels)
        for field, value in values.items():
            setattr(contact, field, value)
        _clean(contact, exclude=["client"])
        if channels is not None:
            new = _new_channel_values(channels, before_channels)
            if new["emails"] or new["phones"]:
                _raise_if_duplicates(allow_duplicates, by=by, exclude_client_id=contact.client_id,
                                     field_names=CONTACT_DUPLICATE_FIELDS, **new)
        contact.save()
        changes = audit.diff(before, audit.snapshot(contact, CONTACT_FIELDS))
        if channels is not None and channels != before_channels:
            _write_channels(contact.client, contact, channels)
            changes["channels"] = [describe(before_channels), describe(channels)]
        if changes:
            audit.record(contact, "parties.contact.updated", by=by, root=contact.client, changes=changes)
    return contact


def archive_contact(contact: Contact, *, by: User) -> Contact:
    require_permission(by, "parties.change_contact")
    return archive.archive(contact, by=by, root=contact.client)


def restore_contact(contact: Contact, *, by: User) -> Contact:
    require_permission(by, "parties.change_contact")
    return archive.restore(contact, by=by, root=contact.client)


def delete_contact(contact: Contact, *, by: User) -> None:
    require_permission(by, "parties.delete_contact")
    changes = audit.snapshot(contact, CONTACT_FIELDS)
    changes["channels"] = describe(contact.channels.all())
    deletion.delete(contact, by=by, root=contact.client, changes=changes)
