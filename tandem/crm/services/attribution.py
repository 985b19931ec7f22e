"""Attribution: marketing campaigns, marketing events (exhibitions, seminars) and who attended them.

Sources (channels) live in parties (parties.services.create_source). Campaign and event costs feed the
attribution report (crm.reports.attribution)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tandem.core import archive, audit, deletion, limits
from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.core.models import User
from tandem.core.money import parse_decimal, quantize
from tandem.core.permissions import require_permission
from tandem.core.services import get_company
from tandem.crm.models import Campaign, EventAttendee, MarketingEvent

CAMPAIGN_FIELDS = ("name", "source", "starts_on", "ends_on", "cost", "currency")
EVENT_FIELDS = ("name", "kind", "starts_on", "ends_on", "location", "cost", "currency", "responsible", "campaign",
                "source")



def _clean(obj, exclude=()) -> None:
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise BusinessRuleError("invalid", messages[0], field=None if field == "__all__" else field) from None


def _money_values(values: dict) -> dict:
    values = dict(values)
    if "currency" in values:
        values["currency"] = (values["currency"] or get_company().base_currency).strip().upper()
    if "cost" in values:
        if isinstance(values["cost"], float):
            raise BusinessRuleError("invalid", _("Send the cost as a string, e.g. \"1500.00\"."), field="cost")
        try:
            cost = parse_decimal(values["cost"])
        except ValueError:
            raise BusinessRuleError("invalid", _("The cost is not a number."), field="cost") from None
        if cost is None:
            cost = Decimal(0)
        if cost < 0:
            raise BusinessRuleError("negative_amount", _("The cost cannot be negative."), field="cost")
        limits.check_amount(cost, field="cost")
        values["cost"] = cost
    if "name" in values:
        values["name"] = (values["name"] or "").strip()
    return values


def _round_cost(obj) -> None:
    obj.cost = quantize(obj.cost, obj.currency) if obj.currency else obj.cost
    limits.check_amount(obj.cost, field="cost")  # rounding to the currency may carry it past the range


def _check_period(obj) -> None:
    if obj.starts_on and obj.ends_on and obj.ends_on < obj.starts_on:
        raise BusinessRuleError("invalid_period", _("The end date must not be before the start date."),
                                field="ends_on")


def _check_name(obj, field="name") -> None:
    if not obj.name:
        raise BusinessRuleError("required", _("A name is required."), field=field)


# --- Campaigns --------------------------------------------------------------------------------------

def _check_campaign_name_free(campaign: Campaign) -> None:
    if Campaign.objects.filter(name__iexact=campaign.name).exclude(pk=campaign.pk).exists():
        raise ConflictError("duplicate", _("Campaign “%(name)s” already exists.") % {"name": campaign.name},
                            field="name")


def create_campaign(*, by: User, name: str, source=None, starts_on=None, ends_on=None, cost=Decimal(0),
                    currency: str | None = None) -> Campaign:
    require_permission(by, "crm.add_campaign")
    values = _money_values(dict(name=name, cost=cost, currency=currency))
    campaign = Campaign(source=source, starts_on=starts_on, ends_on=ends_on, created_by=by, **values)
    archive.refuse_archived_links(campaign)
    _check_name(campaign)
    _check_period(campaign)
    _clean(campaign, exclude=["source"])
    _round_cost(campaign)
    _check_campaign_name_free(campaign)
    try:
        with transaction.atomic():
            campaign.save()
            audit.record(campaign, "crm.campaign.created", by=by, changes=audit.snapshot(campaign, CAMPAIGN_FIELDS))
    except IntegrityError:
        raise ConflictError("duplicate", _("Campaign “%(name)s” already exists.") % {"name": campaign.name},
                            field="name") from None
    return campaign


def update_campaign(campaign: Campaign, *, by: User, **values) -> Campaign:
    require_permission(by, "crm.change_campaign")
    unknown = set(values) - set(CAMPAIGN_FIELDS)
    if unknown:
        field = sorted(unknown)[0]
        raise BusinessRuleError("unknown_field", _("Unknown field %(field)s.") % {"field": field}, field=field)
    values = _money_values(values)
    try:
        with transaction.atomic():
            campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
            before = audit.snapshot(campaign, CAMPAIGN_FIELDS)
            before_links = {"source": campaign.source_id}
            for field, value in values.items():
                setattr(campaign, field, value)
            archive.refuse_archived_links(campaign, before=before_links)
            _check_name(campaign)
            _check_period(campaign)
            _clean(campaign, exclude=["source"])
            _round_cost(campaign)
            _check_campaign_name_free(campaign)
            campaign.save()
            changes = audit.diff(before, audit.snapshot(campaign, CAMPAIGN_FIELDS))
            if changes:
                audit.record(campaign, "crm.campaign.updated", by=by, changes=changes)
    except IntegrityError:
        raise ConflictError("duplicate", _("A campaign with this name already exists."), field="name") from None
    return campaign


def archive_campaign(campaign: Campaign, *, by: User) -> Campaign:
    """No longer offered for new leads, deals and events; records that name it keep showing it."""
    require_permission(by, "crm.change_campaign")
    return archive.archive(campaign, by=by)


def restore_campaign(campaign: Campaign, *, by: User) -> Campaign:
    require_permission(by, "crm.change_campaign")
    return archive.restore(campaign, by=by)


def delete_campaign(campaign: Campaign, *, by: User) -> None:
    """Only a campaign nothing refers to; otherwise refused (409) naming the leads, deals and events."""
    require_permission(by, "crm.delete_campaign")
    deletion.delete(campaign, by=by, changes=audit.snapshot(campaign, CAMPAIGN_FIELDS))


# --- Marketing events -------------------------------------------------------------------------------

def _event_defaults(event: MarketingEvent) -> None:
    if event.source is None and event.campaign is not None and event.campaign.source_id:
        event.source = event.campaign.source


def create_event(*, by: User, name: str, starts_on, kind: str = MarketingEvent.Kind.EXHIBITION, ends_on=None,
                 location: str = "", cost=Decimal(0), currency: str | None = None, responsible: User | None = None,
                 campaign: Campaign | None = None, source=None) -> MarketingEvent:
    require_permission(by, "crm.add_marketingevent")
    if starts_on is None:
        raise BusinessRuleError("required", _("An event needs a start date."), field="starts_on")
    values = _money_values(dict(name=name, cost=cost, currency=currency))
    event = MarketingEvent(kind=kind, starts_on=starts_on, ends_on=ends_on, location=(location or "").strip(),
                           responsible=responsible, campaign=campaign, source=source, created_by=by, **values)
    archive.refuse_archived_links(event)
    _check_name(event)
    _check_period(event)
    _event_defaults(event)
    _clean(event, exclude=["responsible", "campaign", "source"])
    _round_cost(event)
    with transaction.atomic():
        event.save()
        audit.record(event, "crm.marketingevent.created", by=by, changes=audit.snapshot(event, EVENT_FIELDS))
    return event


def update_event(event: MarketingEvent, *, by: User, **values) -> MarketingEvent:
    require_permission(by, "crm.change_marketingevent")
    unknown = set(values) - set(EVENT_FIELDS)
    if unknown:
        field = sorted(unknown)[0]
        raise BusinessRuleError("unknown_field", _("Unknown field %(field)s.") % {"field": field}, field=field)
    if "starts_on" in values and values["starts_on"] is None:
        raise BusinessRuleError("required", _("An event needs a start date."), field="starts_on")
    values = _money_values(values)
    if "location" in values:
        values["location"] = (values["location"] or "").strip()
    with transaction.atomic():
        event = MarketingEvent.objects.select_for_update().get(pk=event.pk)
        before = audit.snapshot(event, EVENT_FIELDS)
        before_links = {"campaign": event.campaign_id, "source": event.source_id}
        for field, value in values.items():
            setattr(event, field, value)
        archive.refuse_archived_links(event, before=before_links)
        _check_name(event)
        _check_period(event)
        _clean(event, exclude=["responsible", "campaign", "source"])
        _round_cost(event)
        event.save()
        changes = audit.diff(before, audit.snapshot(event, EVENT_FIELDS))
        if changes:
            audit.record(event, "crm.marketingevent.updated", by=by, changes=changes)
    return event


# --- Attendees --------------------------------------------------------------------------------------

def add_attendee(event: MarketingEvent, *, by: User, client=None, lead=None, contact=None) -> EventAttendee:
    """Record that a client (optionally one of its contact persons) or a lead attended the event."""
    require_permission(by, "crm.add_eventattendee")
    if (client is None) == (lead is None):
        raise BusinessRuleError("client_or_lead", _("Choose either a client or a lead."), field="client")
    if contact is not None and (client is None or contact.client_id != client.pk):
        raise BusinessRuleError("foreign_contact", _("The contact person belongs to another client."),
                                field="contact")
    who = client or lead
    attendee = EventAttendee(event=event, client=client, lead=lead, contact=contact)
    archive.refuse_archived_links(attendee)
    exists = EventAttendee.objects.filter(event=event, **({"client": client} if client else {"lead": lead}))
    if exists.exists():
        raise ConflictError("already_attending", _("%(who)s is already on the list of this event.") % {"who": who},
                            field="client" if client else "lead")
    try:
        with transaction.atomic():
            attendee.save()
            audit.record(attendee, "crm.eventattendee.added", by=by, root=client or event,
                         changes={"event": str(event), "client": str(client or ""), "lead": str(lead or ""),
                                  "contact": str(contact or "")})
    except IntegrityError:
        raise ConflictError("already_attending", _("%(who)s is already on the list of this event.") % {"who": who},
                            field="client" if client else "lead") from None
    return attendee


def remove_attendee(attendee: EventAttendee, *, by: User) -> None:
    require_permission(by, "crm.delete_eventattendee")
    with transaction.atomic():
        audit.record(attendee, "crm.eventattendee.removed", by=by, root=attendee.client or attendee.event,
                     changes={"event": str(attendee.event), "client": str(attendee.client or ""),
                              "lead": str(attendee.lead or "")})
        attendee.delete()
