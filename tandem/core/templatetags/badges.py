"""Badges coloured by meaning: one table from a status, priority or severity value to a tone, used by every
template through `{% include "core/partials/_badge.html" with value=... label=... %}` (or `value|tone`), so
"critical" and "overdue" look the same wherever they appear."""

from __future__ import annotations

from django import template

register = template.Library()

# Tone of a value; the CSS gives each tone its colour (core/tandem.css, `.badge-<tone>`).
TONES = {
    # Needs attention now.
    "critical": "danger",
    "overdue": "danger",
    "stale": "danger",
    # Needs attention soon.
    "high": "warning",
    "no_activity": "warning",
    # Under way.
    "new": "info",
    "open": "info",
    "in_progress": "info",
    "prospect": "info",
    "medium": "info",
    # Done, in a good way.
    "won": "success",
    "done": "success",
    "resolved": "success",
    "qualified": "success",
    "active": "success",
    # Closed the other way.
    "lost": "negative",
    "rejected": "negative",
    "disqualified": "negative",
    # Nothing to do.
    "low": "muted",
    "normal": "muted",
    "cancelled": "muted",
    "inactive": "muted",
    "archived": "muted",
}


@register.filter
def tone(value) -> str:
    """The CSS class of a badge for a value: `badge-danger` for "critical", `badge-neutral` if unknown."""
    return f"badge-{TONES.get(str(value or ''), 'neutral')}"
