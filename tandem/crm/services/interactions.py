"""Interactions: log a meeting, call, SMS, email or note with a client; change or remove one's own.

Each public function is one business action: it checks the rules, writes and files an audit entry under the
client in one transaction. The client card's quick-add form and the API call the same functions. Reads shared
by both (filters) sit at the end."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core import archive, audit, limits
from tandem.core.errors import AccessDenied, BusinessRuleError
from tandem.core.models import User
from tandem.core.permissions import require_permission
from tandem.crm.models import Interaction
from tandem.parties.models import Client

INTERACTION_FIELDS = ("kind", "contact", "counterparty", "deal", "occurred_at", "subject", "text",
                      "duration_minutes", "outcome", "place", "attendees", "source")
CALL_KINDS = frozenset({Interaction.Kind.CALL_IN, Interaction.Kind.CALL_OUT})
# Kinds that last a while: a duration may be given.
TIMED_KINDS = CALL_KINDS | {Interaction.Kind.MEETING}
# The values only some kinds have (the others are common to all): the forms show these fields for those
# kinds only, and _check refuses them for any other kind.
KIND_FIELDS = {
    "duration_minutes": TIMED_KINDS,
    "outcome": CALL_KINDS,
    "place": frozenset({Interaction.Kind.MEETING}),
    "attendees": frozenset({Interaction.Kind.MEETING}),
}
PLACE_MAX = Interaction._meta.get_field("place").max_length
ATTENDEES_MAX = Interaction._meta.get_field("attendees").max_length
# Timeline filter names that stand for several kinds.
KIND_GROUPS = {"call": CALL_KINDS}
SUBJECT_MAX = Interaction._meta.get_field("subject").max_length



def may_modify(user: User, interaction: Interaction) -> bool:
    """Its author changes and removes an interaction; a user who sees every client may too."""
    if not user.has_perm("crm.change_interaction"):
        return False
    return interaction.created_by_id == user.pk or user.has_perm("parties.view_all_clients")


def _check(client: Client, values: dict) -> dict:
    """The rules of an interaction's values (all of them, after a change). Returns them cleaned."""
    kind = values.get("kind")
    if kind not in Interaction.Kind.values:
        raise BusinessRuleError("invalid_kind", _("Choose the type of interaction."), field="kind")
    for name, message in (
        ("contact", _("The contact person belongs to another client.")),
        ("counterparty", _("The counterparty belongs to another client.")),
        ("deal", _("The deal belongs to another client.")),
    ):
        obj = values.get(name)
        if obj is not None and obj.client_id != client.pk:
            raise BusinessRuleError(f"foreign_{name}", message, field=name)
    duration = values.get("duration_minutes")
    if duration is not None:
        if kind not in TIMED_KINDS:
            raise BusinessRuleError("duration_not_allowed", _("Only calls and meetings have a duration."),
                                    field="duration_minutes")
        if duration < 0:
            raise BusinessRuleError("negative_duration", _("The duration cannot be negative."),
                                    field="duration_minutes")
        if duration > limits.MAX_DURATION_MINUTES:
            raise BusinessRuleError("out_of_range", limits.duration_message(), field="duration_minutes")
    outcome = values.get("outcome") or ""
    if outcome:
        if kind not in CALL_KINDS:
            raise BusinessRuleError("outcome_not_allowed", _("Only calls have an outcome."), field="outcome")
        if outcome not in Interaction.Outcome.values:
            raise BusinessRuleError("invalid_outcome", _("Choose a valid outcome."), field="outcome")
    values["outcome"] = outcome
    for name in ("subject", "text", "place", "attendees"):
        values[name] = (values.get(name) or "").strip()
    for name, limit in (("subject", SUBJECT_MAX), ("place", PLACE_MAX), ("attendees", ATTENDEES_MAX)):
        if len(values[name]) > limit:
            raise BusinessRuleError("too_long", _("At most %(max)s characters.") % {"max": limit}, field=name)
    if (values["place"] or values["attendees"]) and kind != Interaction.Kind.MEETING:
        field = "place" if values["place"] else "attendees"
        raise BusinessRuleError(f"{field}_not_allowed", _("Only meetings have a place and attendees."), field=field)
    if not values["subject"] and not values["text"] and kind == Interaction.Kind.NOTE:
        raise BusinessRuleError("required", _("A note needs a text."), field="text")
    if not values["text"] and kind == Interaction.Kind.SMS:
        raise BusinessRuleError("required", _("An SMS needs its text."), field="text")
    if not values["subject"] and not values["text"] and kind == Interaction.Kind.EMAIL:
        raise BusinessRuleError("required", _("An email needs a subject or a text."), field="subject")
    if values.get("occurred_at") is None:
        values["occurred_at"] = timezone.now()
    limits.check_date(values["occurred_at"], field="occurred_at")
    return values


def log_interaction(
    *,
    by: User,
    client: Client,
    kind: str,
    occurred_at: datetime.datetime | None = None,
    subject: str = "",
    text: str = "",
    contact=None,
    counterparty=None,
    deal=None,
    duration_minutes: int | None = None,
    outcome: str = "",
    place: str = "",
    attendees: str = "",
    source=None,
) -> Interaction:
    """Record a contact with a client; the author is `by`, the time now unless given."""
    require_permission(by, "crm.add_interaction")
    values = _check(client, {
        "kind": kind, "occurred_at": occurred_at, "subject": subject, "text": text, "contact": contact,
        "counterparty": counterparty, "deal": deal, "duration_minutes": duration_minutes, "outcome": outcome,
        "place": place, "attendees": attendees, "source": source,
    })
    archive.refuse_archived_links(Interaction(client=client, **values))
    with transaction.atomic():
        interaction = Interaction.objects.create(client=client, created_by=by, **values)
        audit.record(interaction, "crm.interaction.created", by=by, root=client,
                     changes=audit.snapshot(interaction, INTERACTION_FIELDS))
    return interaction


def update_interaction(interaction: Interaction, *, by: User, **changes) -> Interaction:
    """Change some of an interaction's values (the client stays); only its author or a team lead may."""
    if not may_modify(by, interaction):
        raise AccessDenied(_("Only the author can change this interaction."))
    unknown = set(changes) - set(INTERACTION_FIELDS)
    if unknown:
        raise BusinessRuleError("unknown_field", _("These values cannot be changed: %(fields)s.")
                                % {"fields": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    with transaction.atomic():
        locked = Interaction.objects.select_for_update().select_related("client").get(pk=interaction.pk)
        before = audit.snapshot(locked, INTERACTION_FIELDS)
        values = {name: getattr(locked, name) for name in INTERACTION_FIELDS}
        values.update(changes)
        values = _check(locked.client, values)
        links = archive.link_ids(locked)
        for name, value in values.items():
            setattr(locked, name, value)
        archive.refuse_archived_links(locked, before=links)
        locked.save()
        changed = audit.diff(before, audit.snapshot(locked, INTERACTION_FIELDS))
        if changed:
            audit.record(locked, "crm.interaction.updated", by=by, root=locked.client, changes=changed)
    return locked


def delete_interaction(interaction: Interaction, *, by: User) -> None:
    """Remove an interaction; only its author or a team lead may. The audit entry keeps what it said."""
    if not may_modify(by, interaction):
        raise AccessDenied(_("Only the author can delete this interaction."))
    with transaction.atomic():
        locked = Interaction.objects.select_for_update().select_related("client").get(pk=interaction.pk)
        audit.record(locked, "crm.interaction.deleted", by=by, root=locked.client,
                     changes=audit.snapshot(locked, INTERACTION_FIELDS))
        locked.delete()


# --- Reads ------------------------------------------------------------------------------------------

def kinds_for(name: str) -> set[str]:
    """Interaction kinds a filter name stands for ('call' -> both call kinds); empty if unknown."""
    if name in KIND_GROUPS:
        return set(KIND_GROUPS[name])
    return {name} if name in Interaction.Kind.values else set()


def filter_interactions(qs: QuerySet[Interaction], *, client_id: int | None = None,
                        deal_id: int | None = None, kind: str = "", created_by_id: int | None = None,
                        occurred_from: datetime.date | None = None,
                        occurred_to: datetime.date | None = None) -> QuerySet:
    """List filters; occurred_from/occurred_to are local days (inclusive), created_by_id who logged it, deal_id
    the deal it is about."""
    if created_by_id:
        qs = qs.filter(created_by_id=created_by_id)
    if occurred_from:
        qs = qs.filter(occurred_at__gte=timezone.make_aware(datetime.datetime.combine(occurred_from,
                                                                                      datetime.time.min)))
    if occurred_to:
        end = occurred_to + datetime.timedelta(days=1)
        qs = qs.filter(occurred_at__lt=timezone.make_aware(datetime.datetime.combine(end, datetime.time.min)))
    if client_id:
        qs = qs.filter(client_id=client_id)
    if deal_id:
        qs = qs.filter(deal_id=deal_id)
    if kind:
        qs = qs.filter(kind__in=kinds_for(kind))
    return qs.select_related("client", "contact", "counterparty", "deal", "source", "created_by").order_by(
        "-occurred_at", "-id")
