"""Concurrent edits: versions the user saw (stale edits are refused), per-value locks for check-then-insert
rules, and the database's own refusal (IntegrityError) turned into a 409 "conflict".

- A record that people edit (client, deal) carries `version`; a service locks the row, compares the version
  the user saw with `refuse_stale`, changes it and adds one (`bump_version`).
- A rule such as "no second counterparty with this tax ID" reads then inserts; `lock_values` serialises the
  writers of one value (a PostgreSQL transaction-level advisory lock; SQLite runs every write transaction
  IMMEDIATE, so writers are serialised already).
- A constraint the database enforces is the backstop behind the services' friendly checks: when a race slips
  through, `conflict_from_integrity_error` names the constraint's field and message (409, never a 500)."""

from __future__ import annotations

import hashlib
import re

from django.apps import apps
from django.db import IntegrityError, connection, models
from django.utils.translation import gettext as _

from tandem.core.errors import ConflictError

# --- Versions -----------------------------------------------------------------------------------------

def refuse_stale(locked: models.Model, seen_version: int | None) -> None:
    """Refuse (409 "stale") an edit based on an older version of the locked row; None means "no precondition"."""
    if seen_version is None:
        return
    if int(seen_version) != locked.version:
        raise ConflictError(
            "stale",
            _("This %(record)s was changed by someone else since you opened it. Nothing was saved; "
              "reload it to see the change.") % {"record": locked._meta.verbose_name},
            field=None,  # the whole record, shown on top of a form
            extra={"current_version": locked.version},
        )


def bump_version(locked: models.Model) -> list[str]:
    """Count one more change on a locked row; returns the update_fields to save."""
    locked.version += 1
    return ["version"]


def etag_for(version: int) -> str:
    return f'"{version}"'


def version_from_if_match(header: str | None) -> int | None:
    """The version an `If-Match` header names ("3", "W/\"3\"" or "*" for any), None when absent or "*"."""
    if not header:
        return None
    value = header.split(",")[0].strip()
    if value == "*":
        return None
    value = value.removeprefix("W/").strip('"')
    if not value.isdigit():
        raise ConflictError("stale", _("If-Match must name a version this API returned in ETag, e.g. \"3\"."),
                            field="If-Match")
    return int(value)


# --- Per-value locks ----------------------------------------------------------------------------------

def lock_values(namespace: str, values) -> None:
    """Hold, until the end of the current transaction, a lock per (namespace, value): a second writer of the
    same value waits, then reads what the first committed. Call inside transaction.atomic()."""
    keys = sorted({f"{namespace}:{v}" for v in values if v})
    if not keys or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in keys:  # sorted: two writers of overlapping values never wait for each other in a circle
            number = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [number])


# --- The database's refusals --------------------------------------------------------------------------

def _constraint_fields() -> dict[str, tuple[str | None, str | None]]:
    """Every named constraint of every model: name -> (field, custom violation message)."""
    found: dict[str, tuple[str | None, str | None]] = {}
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            field = None
            if getattr(constraint, "fields", None):
                field = constraint.fields[-1]
            elif getattr(constraint, "expressions", None):
                names = [ref for expr in constraint.expressions for ref in _field_refs(expr)]
                field = names[0] if names else None
            elif isinstance(constraint, models.CheckConstraint):
                names = _field_refs(constraint.condition)
                field = names[0] if names else None
            message = constraint.violation_error_message
            custom = None if message == constraint.default_violation_error_message else str(message)
            found[constraint.name] = (field, custom)
    return found


def _field_refs(node) -> list[str]:
    if isinstance(node, models.F):
        return [node.name]
    if isinstance(node, models.Q):
        names = []
        for child in node.children:
            if isinstance(child, tuple):
                names.append(child[0].split("__")[0])
            else:
                names += _field_refs(child)
        return names
    names = []
    for source in getattr(node, "get_source_expressions", lambda: [])():
        names += _field_refs(source)
    return names


def conflict_from_integrity_error(exc: IntegrityError) -> ConflictError:
    """The 409 for a constraint the database refused (a race past a service's check)."""
    text = str(exc)
    field, message = None, None
    for name, (constraint_field, custom) in _constraint_fields().items():
        if re.search(rf"\b{re.escape(name)}\b", text):
            field, message = constraint_field, custom
            break
    else:
        # SQLite names the columns of a unique index on columns, not the index: "… failed: crm_deal.stage_id".
        columns = re.search(r"UNIQUE constraint failed: \w+\.(\w+)", text)
        if columns:
            field = columns.group(1).removesuffix("_id")
    return ConflictError(
        "conflict",
        message or _("This clashes with a change saved at the same time. Reload and try again."),
        field=field,
    )



def expected_version(request, body_version: int | None) -> int | None:
    """The version an API client saw: `If-Match` and/or `version` in the body (when both are sent and differ,
    one of them is stale, so the older one is checked and the change refused)."""
    header = version_from_if_match(request.headers.get("If-Match"))
    if header is None:
        return body_version
    if body_version is None:
        return header
    return min(header, body_version)
