"""Segments: create, change, delete; hand-picked members of static groups.

Criteria are checked by crm.segments.validate_criteria (unknown keys and bad values refused, naming
``criteria.<key>``). Members may be added only from clients the acting user may see."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tandem.core import audit
from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.core.models import User
from tandem.core.permissions import require_permission
from tandem.crm.models import Segment
from tandem.crm.segments import validate_criteria
from tandem.parties.models import Client
from tandem.parties.queries import visible_clients

SEGMENT_FIELDS = ("name", "kind", "criteria", "description")



def _clean_values(values: dict, *, kind: str) -> dict:
    unknown = sorted(set(values) - set(SEGMENT_FIELDS))
    if unknown:
        raise BusinessRuleError("unknown_field", _("Unknown field %(field)s.") % {"field": unknown[0]},
                                field=unknown[0])
    values = dict(values)
    if "name" in values:
        values["name"] = (values["name"] or "").strip()
        if not values["name"]:
            raise BusinessRuleError("required", _("A segment needs a name."), field="name")
        if len(values["name"]) > 200:
            raise BusinessRuleError("invalid", _("At most 200 characters."), field="name")
    if kind not in Segment.Kind.values:
        raise BusinessRuleError("invalid", _("“%(value)s” is not a segment type.") % {"value": kind}, field="kind")
    if "description" in values:
        values["description"] = values["description"] or ""
    if "criteria" in values:
        values["criteria"] = validate_criteria(values["criteria"])
        if kind == Segment.Kind.STATIC and values["criteria"]:
            raise BusinessRuleError("invalid_criteria", _("A static group has members, not criteria."),
                                    field="criteria")
    return values


def _save(segment: Segment, fields=None) -> None:
    try:
        with transaction.atomic():
            segment.save(update_fields=fields)
    except IntegrityError:
        raise ConflictError("duplicate", _("A segment with this name already exists."), field="name") from None


def create_segment(*, by: User, name: str, kind: str = Segment.Kind.RULE, criteria: dict | None = None,
                   description: str = "") -> Segment:
    require_permission(by, "crm.add_segment")
    values = _clean_values({"name": name, "criteria": criteria or {}, "description": description}, kind=kind)
    with transaction.atomic():
        segment = Segment(kind=kind, created_by=by, **values)
        _save(segment)
        audit.record(segment, "crm.segment.created", by=by, changes=audit.snapshot(segment, SEGMENT_FIELDS))
    return segment


def update_segment(segment: Segment, *, by: User, **values) -> Segment:
    """Change name, type, description or criteria. Turning a static group into a rule segment drops its
    members; a rule segment turned static starts empty and without criteria."""
    require_permission(by, "crm.change_segment")
    kind = values.get("kind", segment.kind)
    if kind != segment.kind and kind == Segment.Kind.STATIC:
        values.setdefault("criteria", {})
    values = _clean_values(values, kind=kind)
    with transaction.atomic():
        locked = Segment.objects.select_for_update().get(pk=segment.pk)
        before = audit.snapshot(locked, SEGMENT_FIELDS)
        for field, value in values.items():
            setattr(locked, field, value)
        _save(locked)
        if locked.kind == Segment.Kind.RULE and before["kind"] == Segment.Kind.STATIC:
            locked.members.clear()
        changes = audit.diff(before, audit.snapshot(locked, SEGMENT_FIELDS))
        if changes:
            audit.record(locked, "crm.segment.changed", by=by, changes=changes)
    return locked


def delete_segment(segment: Segment, *, by: User) -> None:
    require_permission(by, "crm.delete_segment")
    with transaction.atomic():
        audit.record(segment, "crm.segment.deleted", by=by, changes=audit.snapshot(segment, ("name", "kind")))
        segment.delete()


def _static(segment: Segment) -> None:
    if segment.kind != Segment.Kind.STATIC:
        raise BusinessRuleError("not_static", _("Only a static group has hand-picked members; this segment is "
                                                "evaluated from its criteria."), field="kind")


def add_members(segment: Segment, client_ids, *, by: User) -> list[Client]:
    """Add clients (ids) the user may see; already-present members are left as they are."""
    require_permission(by, "crm.change_segment")
    _static(segment)
    ids = sorted({int(pk) for pk in client_ids})
    if not ids:
        raise BusinessRuleError("required", _("Choose at least one client."), field="client_ids")
    clients = list(visible_clients(by).filter(pk__in=ids).order_by("pk"))
    missing = sorted(set(ids) - {c.pk for c in clients})
    if missing:
        raise BusinessRuleError("unknown_reference", _("There is no client #%(id)s.") % {"id": missing[0]},
                                field="client_ids")
    with transaction.atomic():
        Segment.objects.select_for_update().get(pk=segment.pk)
        present = set(segment.members.filter(pk__in=ids).values_list("pk", flat=True))
        added = [c for c in clients if c.pk not in present]
        segment.members.add(*added)
        if added:
            audit.record(segment, "crm.segment.members_added", by=by,
                         changes={"members": [[], [str(c) for c in added]]})
    return added


def remove_member(segment: Segment, client: Client, *, by: User) -> None:
    require_permission(by, "crm.change_segment")
    _static(segment)
    with transaction.atomic():
        Segment.objects.select_for_update().get(pk=segment.pk)
        if not segment.members.filter(pk=client.pk).exists():
            raise BusinessRuleError("not_member", _("This client is not in the group."), field="client_id")
        segment.members.remove(client)
        audit.record(segment, "crm.segment.member_removed", by=by, changes={"members": [[str(client)], []]})
