"""Tasks: links checked against visibility, reminders, my day, transitions, pages."""

import datetime
import re

import pytest
from django.utils import timezone

from tandem.core import roles
from tandem.core.errors import AccessDenied, BusinessRuleError, ConflictError
from tandem.core.models import AuditEntry
from tandem.crm.models import Task
from tandem.crm.queries import tasks as agenda
from tandem.crm.queries.visibility import visible_tasks
from tandem.crm.services import tasks as services
from tandem.crm.tests.factories import DealFactory
from tandem.crm.tests.factories_planning import TaskFactory
from tandem.parties.tests.factories import ClientFactory

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def other_rep(make_user):
    return make_user(roles.SALES_REPRESENTATIVE, username="rep2")


def test_create_task_linked_to_a_deal_takes_its_client(sales_rep):
    deal = DealFactory(owner=sales_rep)
    due = timezone.now() + 3 * HOUR
    task = services.create_task(by=sales_rep, title=" Call back ", due_at=due, remind_at=due - HOUR, deal=deal.pk,
                                priority=Task.Priority.HIGH)
    assert (task.title, task.assignee, task.client, task.deal, task.status) == (
        "Call back", sales_rep, deal.client, deal, Task.Status.OPEN)
    assert AuditEntry.objects.filter(action="crm.task.created", object_id=str(task.pk)).count() == 1


@pytest.mark.parametrize(("change", "field"), [
    ({"title": "  "}, "title"),
    ({"remind_at_after_due": True}, "remind_at"),
    ({"priority": "urgent"}, "priority"),
    ({"assignee": 999999}, "assignee"),
])
def test_bad_task_input_is_refused_and_nothing_written(sales_rep, change, field):
    due = timezone.now() + HOUR
    values = {"title": "T", "due_at": due}
    if change.pop("remind_at_after_due", False):
        values["remind_at"] = due + HOUR
    values.update(change)
    with pytest.raises(BusinessRuleError) as exc:
        services.create_task(by=sales_rep, **values)
    assert exc.value.field == field
    assert not Task.objects.exists()


def test_linked_record_must_be_visible_and_consistent(sales_rep, other_rep):
    foreign_client = ClientFactory(owner=other_rep)
    foreign_deal = DealFactory(owner=other_rep)
    own_deal = DealFactory(owner=sales_rep)
    own_client = ClientFactory(owner=sales_rep)
    due = timezone.now() + HOUR
    with pytest.raises(BusinessRuleError) as exc:
        services.create_task(by=sales_rep, title="T", due_at=due, client=foreign_client.pk)
    assert exc.value.field == "client"
    with pytest.raises(BusinessRuleError) as exc:
        services.create_task(by=sales_rep, title="T", due_at=due, deal=foreign_deal)
    assert exc.value.field == "deal"
    with pytest.raises(BusinessRuleError) as exc:
        services.create_task(by=sales_rep, title="T", due_at=due, deal=own_deal, client=own_client)
    assert (exc.value.code, exc.value.field) == ("client_mismatch", "client")
    assert not Task.objects.exists()


def test_representative_sees_only_own_tasks(sales_rep, other_rep, sales_manager):
    mine = TaskFactory(assignee=sales_rep)
    delegated = TaskFactory(assignee=other_rep, created_by=sales_rep)
    TaskFactory(assignee=other_rep)
    assert set(visible_tasks(sales_rep)) == {mine, delegated}
    assert visible_tasks(sales_manager).count() == 3


def test_complete_cancel_reopen(sales_rep):
    task = TaskFactory(assignee=sales_rep)
    task = services.complete_task(task, by=sales_rep)
    assert task.status == Task.Status.DONE and task.completed_at is not None
    with pytest.raises(ConflictError):
        services.cancel_task(task, by=sales_rep)
    with pytest.raises(BusinessRuleError) as exc:
        services.update_task(task, by=sales_rep, title="Changed")
    assert exc.value.code == "not_open"
    task = services.reopen_task(task, by=sales_rep)
    assert task.status == Task.Status.OPEN and task.completed_at is None
    task = services.cancel_task(task, by=sales_rep)
    assert task.status == Task.Status.CANCELLED
    assert AuditEntry.objects.filter(object_id=str(task.pk), action__startswith="crm.task.").count() == 3


def test_update_keeps_links_and_resets_dismissed_reminder(sales_rep):
    deal = DealFactory(owner=sales_rep)
    due = timezone.now() + 5 * HOUR
    task = services.create_task(by=sales_rep, title="T", due_at=due, remind_at=due - 2 * HOUR, deal=deal)
    task.reminder_dismissed_at = timezone.now()
    task.save()
    task = services.update_task(task, by=sales_rep, remind_at=due - HOUR, deal=deal.pk, client=deal.client_id,
                                lead=None, complaint=None)
    assert (task.deal, task.client, task.reminder_dismissed_at) == (deal, deal.client, None)


def test_reminders_due_not_dismissed_open_and_own(sales_rep, other_rep):
    now = timezone.now()
    due = TaskFactory(assignee=sales_rep, title="Due", remind_at=now - HOUR, due_at=now + HOUR)
    TaskFactory(assignee=sales_rep, title="Later", remind_at=now + HOUR, due_at=now + 2 * HOUR)
    TaskFactory(assignee=sales_rep, title="Dismissed", remind_at=now - HOUR, reminder_dismissed_at=now)
    TaskFactory(assignee=sales_rep, title="Done", remind_at=now - HOUR, status=Task.Status.DONE)
    TaskFactory(assignee=other_rep, title="Not mine", remind_at=now - HOUR)
    assert list(agenda.due_reminders(sales_rep)) == [due]
    with pytest.raises(AccessDenied):
        services.dismiss_reminder(due, by=other_rep)
    services.dismiss_reminder(due, by=sales_rep)
    assert not agenda.due_reminders(sales_rep).exists()


def test_my_day_sections(sales_rep, settings):
    now = timezone.make_aware(datetime.datetime(2025, 6, 10, 12, 0))
    overdue_yesterday = TaskFactory(assignee=sales_rep, due_at=now - 24 * HOUR)
    overdue_today = TaskFactory(assignee=sales_rep, due_at=now - HOUR)
    later_today = TaskFactory(assignee=sales_rep, due_at=now + 3 * HOUR)
    tomorrow = TaskFactory(assignee=sales_rep, due_at=now + 24 * HOUR)
    TaskFactory(assignee=sales_rep, due_at=now + 30 * 24 * HOUR)  # beyond the upcoming week
    TaskFactory(assignee=sales_rep, due_at=now + HOUR, status=Task.Status.DONE)
    day = agenda.my_day(sales_rep, now)
    assert day.overdue == [overdue_yesterday, overdue_today]
    assert day.today == [later_today]
    assert day.upcoming == [tomorrow]


# --- Pages ------------------------------------------------------------------------------------------

def test_task_pages(client, sales_rep):
    client.force_login(sales_rep)
    own = ClientFactory(owner=sales_rep, name="Acme")
    assert client.get(f"/crm/tasks/new/?client={own.pk}").status_code == 200
    response = client.post("/crm/tasks/new/", {"title": "Send offer", "assignee": sales_rep.pk,
                                               "due_at": "2030-01-02T10:00", "priority": "normal", "client": own.pk})
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.client == own
    page = client.get("/crm/my-day/")
    assert page.status_code == 200
    assert client.get("/crm/tasks/").status_code == 200
    assert "Send offer" in client.get("/crm/tasks/").content.decode()
    assert client.get(f"/crm/tasks/{task.pk}/edit/").status_code == 200
    assert client.post(f"/crm/tasks/{task.pk}/complete/").status_code == 302
    task.refresh_from_db()
    assert task.status == Task.Status.DONE


def test_task_form_shows_service_refusal_on_field(client, sales_rep, other_rep):
    client.force_login(sales_rep)
    foreign = ClientFactory(owner=other_rep)
    response = client.post("/crm/tasks/new/", {"title": "X", "assignee": sales_rep.pk, "due_at": "2030-01-02T10:00",
                                               "priority": "normal", "client": foreign.pk})
    assert response.status_code == 400
    assert response.context["form"].errors["client"]
    assert not Task.objects.exists()


def test_other_users_task_is_404(client, sales_rep, other_rep):
    task = TaskFactory(assignee=other_rep)
    client.force_login(sales_rep)
    assert client.get(f"/crm/tasks/{task.pk}/edit/").status_code == 404
    assert client.post(f"/crm/tasks/{task.pk}/complete/").status_code == 404


def test_reminder_widget_and_dismiss(client, sales_rep):
    task = TaskFactory(assignee=sales_rep, title="Ring Bob", remind_at=timezone.now() - HOUR)
    client.force_login(sales_rep)
    home = client.get("/crm/my-day/").content.decode()
    assert 'hx-get="/crm/reminders/"' in home and "every 60s" in home
    partial = client.get("/crm/reminders/").content.decode()
    assert "Ring Bob" in partial
    response = client.post(f"/crm/reminders/{task.pk}/dismiss/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Ring Bob" not in response.content.decode()
    task.refresh_from_db()
    assert task.reminder_dismissed_at is not None


def test_my_day_lists_the_first_tasks_of_each_section_and_counts_them_all(client, api, sales_rep, other_rep):
    """A representative with many tasks: each section shows its first few by due time, its badge the total,
    and a link to the task list narrowed to exactly those tasks (the user's own, open)."""
    now = timezone.now()
    overdue = [TaskFactory(assignee=sales_rep, title=f"Late {n:02d}", due_at=now - (n + 2) * 24 * HOUR)
               for n in range(agenda.OVERDUE_SHOWN + 3)]
    upcoming = [TaskFactory(assignee=sales_rep, title=f"Soon {n:02d}", due_at=now + 2 * 24 * HOUR + n * HOUR)
                for n in range(agenda.UPCOMING_SHOWN + 2)]
    TaskFactory(assignee=other_rep, created_by=sales_rep, title="Late of a colleague", due_at=now - 24 * HOUR)
    day = agenda.my_day(sales_rep, now)
    assert day.overdue == sorted(overdue, key=lambda t: t.due_at)[:agenda.OVERDUE_SHOWN]
    assert (day.overdue_count, day.more_overdue) == (agenda.OVERDUE_SHOWN + 3, 3)
    assert day.upcoming == upcoming[:agenda.UPCOMING_SHOWN] and day.upcoming_count == agenda.UPCOMING_SHOWN + 2
    assert (day.today, day.today_count, day.more_today) == ([], 0, 0)
    assert agenda.my_day_counts(sales_rep, now) == (agenda.OVERDUE_SHOWN + 3, 0)

    client.force_login(sales_rep)
    html = client.get("/crm/my-day/").content.decode()
    assert html.count("Late ") == agenda.OVERDUE_SHOWN and "Late 12" in html and "Late 00" not in html
    assert f'<small class="badge">{agenda.OVERDUE_SHOWN + 3}</small>' in html
    assert "3 more not shown here." in html and "Show all 13 in the task list" in html
    link = re.search(r'id="more-overdue".*?href="([^"]+)"', html).group(1).replace("&amp;", "&")
    listed = client.get(link).content.decode()
    assert all(t.title in listed for t in overdue) and "Late of a colleague" not in listed
    assert "Soon" not in listed
    link = re.search(r'id="more-upcoming".*?href="([^"]+)"', html).group(1).replace("&amp;", "&")
    listed = client.get(link).content.decode()
    assert all(t.title in listed for t in upcoming) and "Late" not in listed

    body = api(sales_rep).get("/api/v1/crm/tasks/my-day").json()
    assert len(body["overdue"]) == agenda.OVERDUE_SHOWN and body["overdue_count"] == agenda.OVERDUE_SHOWN + 3
    assert len(body["upcoming"]) == agenda.UPCOMING_SHOWN and body["upcoming_count"] == agenda.UPCOMING_SHOWN + 2
    assert body["today"] == [] and body["today_count"] == 0
