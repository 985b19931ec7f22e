"""The per-user calendar feed: secret URL, iCalendar content parsed with the icalendar library."""

import datetime

from django.utils import timezone
from icalendar import Calendar

from tandem.core import roles
from tandem.crm import calendar
from tandem.crm.models import CalendarFeed, Interaction, Task
from tandem.crm.tests.factories_planning import InteractionFactory, TaskFactory
from tandem.parties.tests.factories import ClientFactory

UTC = datetime.UTC


def test_feed_has_tasks_and_meetings_with_their_times(client, sales_rep, make_user):
    other = make_user(roles.SALES_REPRESENTATIVE, username="rep2")
    now = timezone.now().replace(microsecond=0)
    due = (now + datetime.timedelta(days=1)).replace(second=0)
    task = TaskFactory(assignee=sales_rep, title="Send offer", due_at=due, remind_at=due - datetime.timedelta(hours=2),
                       priority=Task.Priority.HIGH)
    TaskFactory(assignee=sales_rep, title="Cancelled", due_at=due, status=Task.Status.CANCELLED)
    TaskFactory(assignee=other, title="Not mine", due_at=due)
    acme = ClientFactory(owner=sales_rep, name="Acme")
    start = (now + datetime.timedelta(days=2)).replace(second=0)
    meeting = InteractionFactory(client=acme, kind=Interaction.Kind.MEETING, occurred_at=start, duration_minutes=45,
                                 subject="Kick-off", created_by=sales_rep)
    InteractionFactory(client=acme, kind=Interaction.Kind.CALL_OUT, occurred_at=start, created_by=sales_rep)

    key = calendar.regenerate_feed(by=sales_rep)
    feed = CalendarFeed.objects.get(user=sales_rep)
    assert key not in feed.key_hash and feed.key_hash == calendar.key_hash(key)

    response = client.get(f"/crm/calendar/{key}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    events = {str(e["uid"]).split("@")[0]: e for e in cal.walk("VEVENT")}
    assert set(events) == {f"task-{task.pk}", f"meeting-{meeting.pk}"}
    task_event = events[f"task-{task.pk}"]
    assert str(task_event["summary"]) == "Send offer"
    assert task_event.decoded("dtstart") == due
    assert task_event.decoded("dtend") == due + datetime.timedelta(minutes=calendar.TASK_MINUTES)
    assert int(task_event["priority"]) == 1
    alarm, = task_event.walk("VALARM")
    assert alarm.decoded("trigger") == due - datetime.timedelta(hours=2)
    meeting_event = events[f"meeting-{meeting.pk}"]
    assert str(meeting_event["summary"]) == "Kick-off · Acme"
    assert meeting_event.decoded("dtstart") == start
    assert meeting_event.decoded("dtend") == start + datetime.timedelta(minutes=45)


def test_wrong_or_old_key_is_404(client, sales_rep):
    old = calendar.regenerate_feed(by=sales_rep)
    new = calendar.regenerate_feed(by=sales_rep)
    assert CalendarFeed.objects.count() == 1
    assert client.get(f"/crm/calendar/{old}.ics").status_code == 404
    assert client.get("/crm/calendar/" + "x" * 43 + ".ics").status_code == 404
    assert client.get(f"/crm/calendar/{new}.ics").status_code == 200


def test_deactivated_user_feed_is_404(client, sales_rep):
    key = calendar.regenerate_feed(by=sales_rep)
    sales_rep.is_active = False
    sales_rep.save()
    assert client.get(f"/crm/calendar/{key}.ics").status_code == 404


def test_settings_page_shows_new_url_once(client, sales_rep):
    client.force_login(sales_rep)
    assert client.get("/crm/calendar/").status_code == 200
    response = client.post("/crm/calendar/")
    url = response.context["url"]
    assert url.startswith("http://testserver/crm/calendar/") and url.endswith(".ics")
    assert url not in client.get("/crm/calendar/").content.decode()
    client.logout()
    assert client.get(url.removeprefix("http://testserver")).status_code == 200
