"""Per-user calendar feed in iCalendar format (RFC 5545).

A calendar app cannot log in, so the feed's URL carries a secret key. Only its SHA-256 is stored
(CalendarFeed.key_hash): the URL is shown once, when the key is (re)generated, and regenerating it turns
the old URL off. The feed holds the user's tasks (assigned to them, not cancelled; each a VEVENT starting
at its due time, lasting TASK_MINUTES, with a VALARM at the reminder time) and the meetings they logged
(Interaction kind=meeting, from occurred_at for duration_minutes or MEETING_MINUTES). Both go back
PAST_DAYS; what the user may no longer see (visibility rules, deactivated account) is left out."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from icalendar import Alarm, Calendar, Event

from tandem.core import audit
from tandem.core.models import User
from tandem.crm.models import CalendarFeed, Interaction, Task
from tandem.crm.queries.visibility import visible_interactions, visible_tasks

PAST_DAYS = 90
TASK_MINUTES = 30
MEETING_MINUTES = 60
PRIORITY = {Task.Priority.HIGH: 1, Task.Priority.NORMAL: 5, Task.Priority.LOW: 9}


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def regenerate_feed(*, by: User) -> str:
    """A new secret key for the user's feed (the old URL stops working). Returns the key: shown once."""
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        feed, created = CalendarFeed.objects.select_for_update().get_or_create(
            user=by, defaults={"key_hash": key_hash(key)})
        if not created:
            feed.key_hash = key_hash(key)
            feed.save(update_fields=["key_hash"])
        audit.record(feed, "crm.calendarfeed.regenerated", by=by, root=by)
    return key


def feed_path(key: str) -> str:
    return reverse("crm:calendar-feed-ics", args=[key])


def user_for_key(key: str) -> User | None:
    feed = CalendarFeed.objects.select_related("user").filter(key_hash=key_hash(key)).first()
    if feed is None or not feed.user.is_active:
        return None
    return feed.user


def _uid(kind: str, pk: int, host: str) -> str:
    return f"{kind}-{pk}@{host}"


def build_feed(user: User, *, host: str = "tandem", base_url: str = "") -> bytes:
    now = timezone.now()
    since = now - datetime.timedelta(days=PAST_DAYS)
    cal = Calendar()
    cal.add("prodid", "-//Tandem//CRM calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"Tandem: {user.display_name}")
    tasks = (visible_tasks(user).filter(assignee=user, due_at__gte=since)
             .exclude(status=Task.Status.CANCELLED).select_related("client").order_by("due_at", "id"))
    for task in tasks:
        event = Event()
        event.add("uid", _uid("task", task.pk, host))
        event.add("dtstamp", now)
        event.add("summary", task.title)
        event.add("dtstart", task.due_at)
        event.add("dtend", task.due_at + datetime.timedelta(minutes=TASK_MINUTES))
        event.add("priority", PRIORITY.get(task.priority, 5))
        event.add("categories", ["TASK"])
        event.add("status", "CONFIRMED")
        if task.status == Task.Status.DONE:
            event.add("x-tandem-status", "done")
        if task.description:
            event.add("description", task.description)
        if base_url:
            event.add("url", base_url + reverse("crm:task-edit", args=[task.pk]))
        if task.remind_at and task.status == Task.Status.OPEN:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", task.title)
            alarm.add("trigger", task.remind_at)
            event.add_component(alarm)
        cal.add_component(event)
    meetings = (visible_interactions(user).filter(kind=Interaction.Kind.MEETING, created_by=user,
                                                  occurred_at__gte=since)
                .select_related("client").order_by("occurred_at", "id"))
    for meeting in meetings:
        event = Event()
        event.add("uid", _uid("meeting", meeting.pk, host))
        event.add("dtstamp", now)
        event.add("summary", f"{meeting.subject or meeting.get_kind_display()} · {meeting.client}")
        event.add("dtstart", meeting.occurred_at)
        event.add("dtend", meeting.occurred_at
                  + datetime.timedelta(minutes=meeting.duration_minutes or MEETING_MINUTES))
        event.add("categories", ["MEETING"])
        if meeting.text:
            event.add("description", meeting.text)
        cal.add_component(event)
    return cal.to_ical()
