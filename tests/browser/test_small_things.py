"""Small things a representative meets every day: the reminder bell, the favicon, the token header hint and
the lost-at-stage report's pipeline picker — on a desktop and on a phone-sized screen."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tandem.crm.tests.factories import PipelineFactory
from tandem.crm.tests.factories_planning import TaskFactory

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_reminders_are_a_bell_with_a_count_that_dismissing_lowers(page, log_in_as, sales_rep, width):
    page.set_viewport_size({"width": width, "height": 800})
    hour_ago = timezone.now() - datetime.timedelta(hours=1)
    TaskFactory(assignee=sales_rep, title="Ring Bob", remind_at=hour_ago)
    TaskFactory(assignee=sales_rep, title="Send the price list", remind_at=hour_ago)
    log_in_as(sales_rep)

    page.goto("/clients/")
    bell = page.locator("#crm-reminders .reminder-bell")
    expect(bell.locator(".bell-count")).to_have_text("2")
    # The list is folded away until the bell is opened: no panel repeated on every page.
    expect(bell.get_by_text("Ring Bob", exact=True)).to_be_hidden()
    assert bell.locator("summary").bounding_box()["y"] < 120  # in the header

    bell.locator("summary").click()
    reminder = bell.locator("li", has_text="Ring Bob")
    expect(reminder).to_be_visible()
    reminder.get_by_role("button", name="Dismiss").click()
    expect(page.locator("#crm-reminders .bell-count")).to_have_text("1")


def test_favicon_token_hint_and_the_report_shows_its_pipeline(page, log_in_as, sales_manager, live_server):
    PipelineFactory(name="Aardvark projects", stages=["Intro"])
    default = PipelineFactory(name="Wholesale", is_default=True, stages=["Lead", "Offer"])
    log_in_as(sales_manager)

    page.goto("/account/tokens/")
    expect(page.get_by_text("Authorization: Bearer <token>", exact=False)).to_be_visible()
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(live_server.url + icon).ok

    page.goto("/crm/reports/lost-at-stage/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Wholesale")
    expect(page.locator("select[name=pipeline] option:checked")).to_have_text(default.name)
