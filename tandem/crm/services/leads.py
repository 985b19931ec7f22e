"""Leads: record unqualified interest, qualify it into a client and a deal, disqualify with a reason, reopen.

Each public function is one business action in one transaction with its audit entry; the web UI and the
API call the same functions."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tandem.core import archive, audit, owners, workflow
from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.core.models import User
from tandem.core.permissions import require_permission
from tandem.crm.models import Campaign, EventAttendee, Interaction, Lead, MarketingEvent
from tandem.crm.services.deals import create_deal
from tandem.parties import services as party_services
from tandem.parties.models import Client, Contact, Source
from tandem.parties.phones import normalize_phone
from tandem.parties.queries import find_duplicates, visible_clients

LEAD_FIELDS = ("name", "company_name", "email", "phone", "owner", "status", "source", "campaign", "event", "notes")
EDITABLE_FIELDS = ("name", "company_name", "email", "phone", "owner", "source", "campaign", "event", "notes")



def _normalize(values: dict) -> dict:
    values = dict(values)
    for key in ("name", "company_name", "notes"):
        if key in values:
            values[key] = (values[key] or "").strip()
    if "email" in values:
        values["email"] = (values["email"] or "").strip().lower()
    if "phone" in values:
        values["phone"] = normalize_phone(values["phone"], field="phone")
    return values


def _check_owner(owner: User | None, *, by: User) -> None:
    if owner is None:
        raise BusinessRuleError("required", _("A lead needs an owner."), field="owner")
    owners.check_owner(owner)
    if owner != by and not by.has_perm("crm.view_all_leads"):
        raise BusinessRuleError("owner_not_allowed", _("You can only create and keep leads you own."),
                                field="owner")


def _fill_attribution(lead: Lead) -> None:
    """An event implies its campaign and source; a campaign implies its source (when not given)."""
    if lead.event is not None:
        if lead.campaign is None and lead.event.campaign_id:
            lead.campaign = lead.event.campaign
        if lead.source is None and lead.event.source_id:
            lead.source = lead.event.source
    if lead.source is None and lead.campaign is not None and lead.campaign.source_id:
        lead.source = lead.campaign.source


def _validate(lead: Lead) -> None:
    if not lead.name:
        raise BusinessRuleError("required", _("A lead needs a contact name."), field="name")
    if not lead.email and not lead.phone:
        raise BusinessRuleError("contact_required", _("Give an email or a phone number to reach the lead."),
                                field="email")
    try:
        lead.full_clean(exclude=["owner", "source", "campaign", "event", "client", "deal", "status_changed_by"],
                        validate_unique=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise BusinessRuleError("invalid", messages[0], field=None if field == "__all__" else field) from None


def create_lead(
    *,
    by: User,
    name: str,
    company_name: str = "",
    email: str = "",
    phone: str = "",
    owner: User | None = None,
    source: Source | None = None,
    campaign: Campaign | None = None,
    event: MarketingEvent | None = None,
    notes: str = "",
) -> Lead:
    require_permission(by, "crm.add_lead")
    owner = owner or by
    _check_owner(owner, by=by)
    values = _normalize(dict(name=name, company_name=company_name, email=email, phone=phone, notes=notes))
    lead = Lead(owner=owner, source=source, campaign=campaign, event=event, created_by=by, **values)
    archive.refuse_archived_links(lead)
    _fill_attribution(lead)
    _validate(lead)
    with transaction.atomic():
        lead.save()
        if event is not None:
            EventAttendee.objects.create(event=event, lead=lead)
        audit.record(lead, "crm.lead.created", by=by, changes=audit.snapshot(lead, LEAD_FIELDS))
    return lead


def update_lead(lead: Lead, *, by: User, **values) -> Lead:
    require_permission(by, "crm.change_lead")
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        field = sorted(unknown)[0]
        raise BusinessRuleError("unknown_field", _("Unknown field %(field)s.") % {"field": field}, field=field)
    values = _normalize(values)
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead.pk)
        before = audit.snapshot(lead, LEAD_FIELDS)
        if "owner" in values and values["owner"] != lead.owner:
            _check_owner(values["owner"], by=by)
        links = archive.link_ids(lead)
        for field, value in values.items():
            setattr(lead, field, value)
        archive.refuse_archived_links(lead, before=links)
        _fill_attribution(lead)
        _validate(lead)
        changes = audit.diff(before, audit.snapshot(lead, LEAD_FIELDS))
        frozen = sorted(set(changes) - {"notes"})
        if lead.status == Lead.Status.QUALIFIED and frozen:
            raise BusinessRuleError("lead_qualified", _("A qualified lead keeps its data; only its notes may change. "
                                                        "Change the client or the deal instead."), field=frozen[0])
        lead.save()
        if lead.event_id and "event" in changes:
            EventAttendee.objects.get_or_create(event_id=lead.event_id, lead=lead)
        if changes:
            audit.record(lead, "crm.lead.updated", by=by, changes=changes)
    return lead


def _client_name(lead: Lead) -> str:
    return lead.company_name or lead.name


def _split_name(name: str) -> tuple[str, str]:
    """"Anna Maria Schulz" -> ("Anna Maria", "Schulz"): the last word is the last name."""
    words = name.split()
    if len(words) < 2:
        return name.strip(), ""
    return " ".join(words[:-1]), words[-1]


def _contact_for(lead: Lead, client: Client, *, by: User) -> Contact | None:
    """The lead's person as a contact person of the client, when the client is a company (a company lead,
    or a lead linked to a business client). A contact of that client with the same email or phone is
    reused rather than doubled. A private person's lead (a B2C client that is the person) makes none."""
    if not lead.company_name and client.kind != Client.Kind.B2B:
        return None
    # Channels keep e-mails in lower case and phones in E.164 as their search values (parties.models).
    keys = [value for value in (lead.email.lower(), lead.phone) if value]
    existing = (client.contacts.filter(channels__search_value__in=keys, is_archived=False).order_by("pk").first()
                if keys else None)
    if existing is not None:
        return existing
    first_name, last_name = _split_name(lead.name)
    return party_services.add_contact(client, by=by, first_name=first_name, last_name=last_name, email=lead.email,
                                      phone=lead.phone, allow_duplicates=True)


def _carry_notes(lead: Lead, client: Client, *, contact, deal, by: User) -> None:
    """The lead's notes go on the client's timeline as a note dated when the lead came in."""
    if not lead.notes.strip():
        return
    interaction = Interaction.objects.create(
        client=client, contact=contact, deal=deal, kind=Interaction.Kind.NOTE, occurred_at=lead.created_at,
        subject=_("Notes of the lead “%(lead)s”") % {"lead": lead}, text=lead.notes, created_by=by,
    )
    audit.record(interaction, "crm.interaction.created", by=by, root=client,
                 changes=audit.snapshot(interaction, ("kind", "subject", "text", "contact", "deal")))


def qualify_lead(
    lead: Lead,
    *,
    by: User,
    client: Client | None = None,
    create_client: bool = False,
    deal_title: str | None = None,
    amount: Decimal | None = None,
    currency: str | None = None,
    pipeline=None,
    expected_close_date=None,
) -> Lead:
    """Link the lead to a client (the given one, or a new one) and open a deal carrying its attribution.

    Without a client and without `create_client`, existing clients with the lead's email or phone refuse
    the step (ConflictError "duplicate", candidates in `duplicates`): the user then links one of them
    (`client=`) or confirms a new client (`create_client=True`)."""
    require_permission(by, "crm.change_lead")
    if not lead.can_qualify():
        raise ConflictError("invalid_transition",
                            _("A lead that is %(status)s cannot be qualified.") % {"status": lead.get_status_display()},
                            field="status")
    if client is not None and not visible_clients(by).filter(pk=client.pk).exists():
        raise BusinessRuleError("client_not_visible", _("You cannot link the lead to that client."), field="client")
    if client is None and not create_client:
        duplicates = find_duplicates(emails=[lead.email], phones=[lead.phone], user=by)
        if duplicates:
            first = duplicates[0]
            raise ConflictError(
                "duplicate",
                _("%(duplicate)s Link the lead to the existing client, or confirm creating a new one.")
                % {"duplicate": first.message},
                field="client",
                extra={"duplicates": [d.as_dict() for d in duplicates]},
            )
    with transaction.atomic():
        locked = Lead.objects.select_for_update(of=("self",)).select_related("source", "campaign", "event").get(
            pk=lead.pk)
        if not locked.can_qualify():
            raise ConflictError("invalid_transition", _("The lead has just been changed by someone else."),
                                field="status")
        if client is None:
            # A company lead: the client is the company; the person's phone and email are the contact's.
            company = bool(locked.company_name)
            client = party_services.create_client(
                by=by, name=_client_name(locked), owner=locked.owner,
                kind=Client.Kind.B2B if company else Client.Kind.B2C, first_source=locked.source,
                email="" if company else locked.email, phone="" if company else locked.phone,
                allow_duplicates=True,
            )
        elif client.first_source_id is None and locked.source_id is not None:
            client = party_services.update_client(client, by=by, first_source=locked.source)
        contact = _contact_for(locked, client, by=by)
        deal = create_deal(
            by=by, client=client, title=deal_title or _client_name(locked), owner=locked.owner, amount=amount,
            currency=currency, pipeline=pipeline, expected_close_date=expected_close_date,
            source=locked.source or client.first_source, campaign=locked.campaign, event=locked.event,
            contact=contact, inherited_attribution=True,
        )
        _carry_notes(locked, client, contact=contact, deal=deal, by=by)
        # Event attendance follows the lead to its client.
        for attendance in EventAttendee.objects.filter(lead=locked, client__isnull=True):
            if not EventAttendee.objects.filter(event_id=attendance.event_id, client=client).exists():
                attendance.client = client
                attendance.save(update_fields=["client"])
        locked.client = client
        locked.deal = deal
        locked.save(update_fields=["client", "deal", "updated_at"])
        # The step is filed under the client, so its card shows where it came from.
        return workflow.transition(locked, Lead.Status.QUALIFIED, by=by,
                                   data={"client": str(client), "deal": str(deal)})


def disqualify_lead(lead: Lead, *, by: User, reason: str) -> Lead:
    require_permission(by, "crm.change_lead")
    reason = (reason or "").strip()
    if not reason:
        raise BusinessRuleError("required", _("Say why the lead is disqualified."), field="reason")
    with transaction.atomic():
        locked = workflow.transition(lead, Lead.Status.DISQUALIFIED, by=by, data={"reason": reason})
        locked.disqualify_reason = reason
        locked.save(update_fields=["disqualify_reason", "updated_at"])
    return locked


def reopen_lead(lead: Lead, *, by: User) -> Lead:
    require_permission(by, "crm.change_lead")
    with transaction.atomic():
        locked = workflow.transition(lead, Lead.Status.NEW, by=by)
        locked.disqualify_reason = ""
        locked.save(update_fields=["disqualify_reason", "updated_at"])
    return locked
