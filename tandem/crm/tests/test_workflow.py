import pytest

from tandem.core import workflow
from tandem.core.errors import ConflictError
from tandem.core.models import AuditEntry
from tandem.crm.models import Task


@pytest.fixture
def task(admin_user):
    from django.utils import timezone

    return Task.objects.create(title="Call back", assignee=admin_user, due_at=timezone.now())


def test_transition_follows_the_table_and_audits(task, admin_user):
    done = workflow.transition(task, Task.Status.DONE, by=admin_user)
    assert done.status == Task.Status.DONE
    entry = AuditEntry.objects.get(action="crm.task.done")
    assert entry.changes == {"status": ["open", "done"]}
    assert entry.actor == admin_user


def test_transition_outside_the_table_is_refused_and_changes_nothing(task, admin_user):
    workflow.transition(task, Task.Status.CANCELLED, by=admin_user)
    with pytest.raises(ConflictError) as exc:
        workflow.transition(task, Task.Status.DONE, by=admin_user)
    assert exc.value.code == "invalid_transition"
    task.refresh_from_db()
    assert task.status == Task.Status.CANCELLED
    assert AuditEntry.objects.filter(action="crm.task.done").count() == 0
