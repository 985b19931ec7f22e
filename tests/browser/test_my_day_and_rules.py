"""A representative with a backlog: My day lists the ten longest overdue tasks, says how many there are and
opens the task list with all of them (hers only). The sales manager changes who may tick an existing checklist
item in the pipeline settings. On a 390 px phone neither page scrolls sideways."""

import datetime

import pytest
from playwright.sync_api import expect

from tandem.core import roles

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_my_day_caps_the_overdue_list_and_links_to_all(page, log_in_as, make_user):
    from django.utils import timezone

    from tandem.crm.queries.tasks import OVERDUE_SHOWN
    from tandem.crm.tests.factories_planning import TaskFactory

    rep = make_user(roles.SALES_REPRESENTATIVE, username="rita", first_name="Rita", last_name="Kern")
    colleague = make_user(roles.SALES_REPRESENTATIVE, username="otto", first_name="Otto", last_name="Lang")
    now = timezone.now()
    for n in range(OVERDUE_SHOWN + 4):
        TaskFactory(assignee=rep, created_by=rep, title=f"Call back {n:02d}",
                    due_at=now - datetime.timedelta(days=n + 1))
    TaskFactory(assignee=colleague, created_by=rep, title="Otto's call", due_at=now - datetime.timedelta(days=1))
    log_in_as(rep)

    page.goto("/crm/my-day/")
    overdue = page.locator("#overdue")
    expect(overdue.locator("h2 .badge")).to_have_text(str(OVERDUE_SHOWN + 4))
    expect(overdue.locator("tbody tr")).to_have_count(OVERDUE_SHOWN)
    expect(overdue).to_contain_text("Call back 13")  # the longest overdue come first
    expect(overdue).not_to_contain_text("Call back 03")
    expect(page.locator("#more-overdue")).to_contain_text("4 more not shown here.")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 900})

    page.locator("#more-overdue a").click()
    page.wait_for_url("**/crm/tasks/?*")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(OVERDUE_SHOWN + 4)
    expect(page.locator("table")).to_contain_text("Call back 03")
    expect(page.locator("table")).not_to_contain_text("Otto's call")


@pytest.mark.django_db(transaction=True)
def test_manager_changes_who_ticks_a_checklist_item(page, log_in_as, make_user):
    from django.contrib.auth.models import Group

    from tandem.crm.models import StageRule
    from tandem.crm.services import deals as services

    manager = make_user(roles.SALES_MANAGER, username="mara", first_name="Mara", last_name="Boss")
    services.ensure_default_pipeline()
    rule = StageRule.objects.filter(kind=StageRule.Kind.CHECKLIST).order_by("pk").first()
    log_in_as(manager)

    page.goto("/crm/pipelines/")
    form = page.locator(f"form.rule-role-form[data-rule='{rule.pk}']")
    form.get_by_role("combobox").select_option(label=roles.SALES_MANAGER)
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_text(f"Checklist item “{rule}” saved.")).to_be_visible()
    rule.refresh_from_db()
    assert rule.required_role == Group.objects.get(name=roles.SALES_MANAGER)
    # The page shows the saved choice; "anyone" clears it again.
    form = page.locator(f"form.rule-role-form[data-rule='{rule.pk}']")
    expect(form.get_by_role("combobox")).to_have_value(str(rule.required_role_id))
    form.get_by_role("combobox").select_option(value="")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_text(f"Checklist item “{rule}” saved.")).to_be_visible()
    rule.refresh_from_db()
    assert rule.required_role is None
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/crm/pipelines/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
