"""REST API for tasks, my day and the calendar feed address."""

import datetime

from django.utils import timezone
from icalendar import Calendar

from tandem.core import roles
from tandem.crm.models import Task
from tandem.crm.tests.factories import DealFactory
from tandem.crm.tests.factories_planning import TaskFactory
from tandem.parties.tests.factories import ClientFactory

JSON = "application/json"


def test_task_crud_and_transitions(api, sales_rep):
    http = api(sales_rep)
    deal = DealFactory(owner=sales_rep)
    response = http.post("/api/v1/crm/tasks", {"title": "Call", "due_at": "2030-05-01T09:30:00Z",
                                               "remind_at": "2030-05-01T09:00:00Z", "deal_id": deal.pk,
                                               "priority": "high"}, content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["assignee_id"], body["client_id"], body["deal_id"], body["actions"]) == (
        sales_rep.pk, deal.client_id, deal.pk, ["cancel", "complete"])
    pk = body["id"]
    patched = http.patch(f"/api/v1/crm/tasks/{pk}", {"title": "Call back"}, content_type=JSON)
    assert patched.status_code == 200 and patched.json()["title"] == "Call back"
    done = http.post(f"/api/v1/crm/tasks/{pk}/complete")
    assert done.json()["status"] == "done" and done.json()["actions"] == ["reopen"]
    assert http.post(f"/api/v1/crm/tasks/{pk}/cancel").status_code == 409
    assert http.post(f"/api/v1/crm/tasks/{pk}/reopen").json()["status"] == "open"
    assert http.post(f"/api/v1/crm/tasks/{pk}/cancel").json()["status"] == "cancelled"
    assert http.get("/api/v1/crm/tasks?status=cancelled").json()["count"] == 1
    assert http.get("/api/v1/crm/tasks?status=open").json()["count"] == 0
    assert http.delete(f"/api/v1/crm/tasks/{pk}").status_code == 403  # representatives do not delete tasks


def test_manager_deletes_task(api, sales_manager):
    task = TaskFactory(assignee=sales_manager)
    assert api(sales_manager).delete(f"/api/v1/crm/tasks/{task.pk}").status_code == 204
    assert not Task.objects.exists()


def test_bad_task_input_answers_4xx_with_field(api, sales_rep, make_user):
    other = make_user(roles.SALES_REPRESENTATIVE, username="rep2")
    foreign = ClientFactory(owner=other)
    http = api(sales_rep)
    cases = [
        ({"title": "T"}, 400, "due_at"),
        ({"title": "T", "due_at": "tomorrow"}, 400, "due_at"),
        ({"title": "T", "due_at": "2030-01-01T10:00:00Z", "client_id": foreign.pk}, 400, "client"),
        ({"title": "T", "due_at": "2030-01-01T10:00:00Z", "remind_at": "2030-01-01T11:00:00Z"}, 400, "remind_at"),
        ({"title": "T", "due_at": "2030-01-01T10:00:00Z", "priority": "urgent"}, 400, "priority"),
        ({"title": "T", "due_at": "2030-01-01T10:00:00Z", "colour": "red"}, 400, "colour"),
    ]
    for payload, status, field in cases:
        response = http.post("/api/v1/crm/tasks", payload, content_type=JSON)
        assert response.status_code == status, (payload, response.content)
        assert response.json()["field"] == field, payload
    assert not Task.objects.exists()


def test_representative_cannot_reach_other_users_tasks(api, sales_rep, make_user):
    other = make_user(roles.SALES_REPRESENTATIVE, username="rep2")
    theirs = TaskFactory(assignee=other)
    mine = TaskFactory(assignee=sales_rep)
    http = api(sales_rep)
    assert [t["id"] for t in http.get("/api/v1/crm/tasks").json()["items"]] == [mine.pk]
    assert http.get(f"/api/v1/crm/tasks/{theirs.pk}").status_code == 404
    assert http.post(f"/api/v1/crm/tasks/{theirs.pk}/complete").status_code == 404


def test_my_day(api, sales_rep):
    now = timezone.now()
    overdue = TaskFactory(assignee=sales_rep, due_at=now - datetime.timedelta(days=2))
    upcoming = TaskFactory(assignee=sales_rep, due_at=now + datetime.timedelta(days=3))
    body = api(sales_rep).get("/api/v1/crm/tasks/my-day").json()
    assert [t["id"] for t in body["overdue"]] == [overdue.pk]
    assert [t["id"] for t in body["upcoming"]] == [upcoming.pk]


def test_calendar_feed_url_returned_once_and_serves_ics(api, client, sales_rep):
    TaskFactory(assignee=sales_rep, title="Ship", due_at=timezone.now() + datetime.timedelta(days=1))
    response = api(sales_rep).post("/api/v1/crm/calendar-feed")
    assert response.status_code == 201
    url = response.json()["url"]
    ics = client.get(url.removeprefix("http://testserver"))
    assert ics.status_code == 200
    assert [str(e["summary"]) for e in Calendar.from_ical(ics.content).walk("VEVENT")] == ["Ship"]
    second = api(sales_rep).post("/api/v1/crm/calendar-feed").json()["url"]
    assert second != url
    assert client.get(url.removeprefix("http://testserver")).status_code == 404
