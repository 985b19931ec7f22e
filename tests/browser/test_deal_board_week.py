"""A representative runs her week from the board, the deal page and the client card, on a laptop and on a
phone (390 px): the board stays one screen high however many deals there are, filters live in the URL, cards
say what happens next; the deal page logs a meeting with its place and adds a task without leaving the page;
the client card starts a meeting with the client."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from tandem.core import roles

pytestmark = pytest.mark.browser

SIZES = [(1280, 800), (390, 844)]


@pytest.fixture
def week(make_user):
    from django.utils import timezone

    from tandem.core.services import default_legal_entity
    from tandem.crm.models import Deal
    from tandem.crm.services import deals as services
    from tandem.crm.tests.factories_planning import TaskFactory
    from tandem.parties.tests.factories import ClientFactory

    default_legal_entity()
    rep = make_user(roles.SALES_MANAGER, username="rita", first_name="Rita", last_name="Kern")
    other = make_user(roles.SALES_REPRESENTATIVE, username="otto", first_name="Otto", last_name="Lang")
    pipeline = services.ensure_default_pipeline()
    first = pipeline.stages.order_by("position").first()
    client = ClientFactory(owner=rep, name="Havel Bau")
    deals = [services.create_deal(by=rep, client=client, title=f"Crane {n}", amount="1000") for n in range(45)]
    services.create_deal(by=other, client=ClientFactory(owner=other, name="Lang GmbH"), title="Otto's deal")
    TaskFactory(deal=deals[-1], assignee=rep, title="Send the offer",
                due_at=timezone.now() - datetime.timedelta(hours=3))
    Deal.objects.filter(pk=deals[0].pk).update(stage_entered_at=timezone.now() - datetime.timedelta(days=30))
    first.max_days = 14
    first.save()
    return {"rep": rep, "client": client, "deal": deals[-1], "first": first}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width, height", SIZES)
def test_board_fits_the_screen_filters_and_marks_cards(page, log_in_as, week, width, height):
    page.set_viewport_size({"width": width, "height": height})
    log_in_as(week["rep"])
    page.goto("/crm/deals/")
    expect(page.locator("#board[data-ready='1']")).to_be_attached()
    column = page.locator(f"section.deal-column[aria-label='{week['first'].name}']")
    # 46 open deals in the first stage: the column counts them all and shows the 25 newest, then "21 more".
    expect(column.locator("[data-column-count]")).to_have_text("46")
    expect(column.locator("[data-column-totals]")).to_contain_text("45,000.00")  # every deal, not the shown ones
    expect(column.locator(".deal-card")).to_have_count(25)
    expect(column.locator(".deal-card", has_text="Otto's deal")).to_have_count(1)
    expect(column.locator(".deal-card", has_text=re.compile(r"Crane 0\b"))).to_have_count(0)
    more = column.locator("[data-column-more]")
    expect(more).to_have_text("21 more")
    more.scroll_into_view_if_needed()
    expect(more).to_be_visible()
    more.click()
    expect(column.locator(".deal-card")).to_have_count(46)
    expect(column.locator("[data-column-more]")).to_have_count(0)  # all shown: the link is gone
    expect(page).to_have_url(re.compile(r"/crm/deals/$"))  # loaded in place

    # 46 cards, yet the page is about one screen high: the column scrolls, not the page.
    document_height = page.evaluate("document.documentElement.scrollHeight")
    assert document_height <= height + 120, document_height
    cards = column.locator(".deal-cards")
    assert cards.evaluate("el => el.scrollHeight > el.clientHeight + 100")
    board = page.locator("#board")
    assert board.evaluate("el => el.scrollWidth > el.clientWidth")  # the stages scroll sideways

    # Cards say what comes next, and which deal waited too long (a card loaded by "more" as well).
    overdue = page.locator(".deal-card", has_text="Crane 44")
    expect(overdue.locator("[data-next-activity='overdue']")).to_contain_text("Send the offer")
    expect(overdue.locator("[data-next-activity='overdue'] .badge-danger")).to_be_visible()
    idle = page.locator(".deal-card", has_text=re.compile(r"Crane 0\b"))
    expect(idle.locator("[data-stale]")).to_contain_text("30 days in stage")
    expect(idle.locator("[data-stale] .badge-danger")).to_be_visible()
    expect(idle.locator("[data-next-activity='none']")).to_contain_text("No next activity")
    expect(page.locator("[data-board-weighted]")).to_be_visible()

    # "My deals": the URL keeps the filter, Otto's deal goes away.
    page.locator("#board-filters select[name=owner]").select_option("me")
    expect(page).to_have_url(re.compile(r"owner=me"))
    expect(page.locator(".deal-card", has_text="Otto's deal")).to_have_count(0)
    expect(column.locator("[data-column-count]")).to_have_text("45")
    expect(column.locator("[data-column-more]")).to_have_text("20 more")

    # "20 more" keeps the filter; a card it loaded can be dragged to the next stage like any other.
    column.locator("[data-column-more]").click()
    expect(column.locator(".deal-card")).to_have_count(45)
    expect(column.locator(".deal-card", has_text="Otto's deal")).to_have_count(0)
    second = page.locator("section.deal-column").nth(1)
    loaded = column.locator(".deal-card", has_text=re.compile(r"Crane 19\b"))  # the first card "more" loaded
    if width < 600:
        # On a phone one column fills the screen: scroll the board until the next column shows, then drag.
        loaded.scroll_into_view_if_needed()
        page.locator("#board").evaluate(
            "el => { el.scrollLeft = el.querySelector('section.deal-column').offsetWidth - 140; }")
        source, target = loaded.bounding_box(), second.locator(".deal-cards").bounding_box()
        page.mouse.move(source["x"] + source["width"] - 30, source["y"] + 10)
        page.mouse.down()
        # A few small steps first so the drag starts on the card, then over to the next column's list.
        page.mouse.move(source["x"] + source["width"] - 20, source["y"] + 20, steps=5)
        page.mouse.move(target["x"] + 30, target["y"] + 30, steps=20)
        page.wait_for_timeout(150)
        page.mouse.up()
    else:
        loaded.drag_to(second.locator(".deal-cards"))
    expect(second.locator("[data-column-count]")).to_have_text("1", timeout=15_000)
    expect(second.locator(".deal-card", has_text=re.compile(r"Crane 19\b"))).to_have_count(1)
    expect(column.locator("[data-column-count]")).to_have_text("44")
    expect(column.locator(".deal-card")).to_have_count(25)  # the board is redrawn: 25 again, and "19 more"
    expect(column.locator("[data-column-more]")).to_have_text("19 more")
    expect(page.locator(".deal-card", has_text="Otto's deal")).to_have_count(0)  # the filter is kept


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width, height", SIZES)
def test_deal_page_feed_and_quick_add(page, log_in_as, week, width, height):
    page.set_viewport_size({"width": width, "height": height})
    log_in_as(week["rep"])
    deal = week["deal"]
    page.goto(f"/crm/deals/{deal.pk}/")
    feed = page.locator("[data-feed]")
    expect(feed).to_contain_text("Send the offer")
    expect(feed.locator(".feed-item", has_text="Send the offer").locator(".badge-danger")).to_have_text("overdue")

    # Log a meeting: its place and attendees show; a note has neither duration nor outcome.
    page.locator("[data-quick=interaction] summary").click()
    form = page.locator("[data-quick=interaction] form")
    kind = form.locator("select[name=log-kind]")
    kind.select_option("note")
    expect(form.locator("[name=log-duration_minutes]")).to_be_hidden()
    expect(form.locator("[name=log-outcome]")).to_be_hidden()
    expect(form.locator("[name=log-place]")).to_be_hidden()
    kind.select_option("call_out")
    expect(form.locator("[name=log-outcome]")).to_be_visible()
    expect(form.locator("[name=log-place]")).to_be_hidden()
    kind.select_option("meeting")
    expect(form.locator("[name=log-place]")).to_be_visible()
    form.locator("[name=log-occurred_at]").fill("2030-05-04T10:30")
    form.locator("[name=log-duration_minutes]").fill("45")
    form.locator("[name=log-place]").fill("Site office Potsdam")
    form.locator("[name=log-attendees]").fill("Site manager")
    form.locator("[name=log-subject]").fill("Site visit")
    form.locator("button[type=submit]").click()
    first = feed.locator(".feed-item").first
    expect(first).to_contain_text("Site visit")
    expect(first).to_contain_text("Site office Potsdam")
    expect(first.locator(".feed-type")).to_have_text("Meeting")

    # Add a task without leaving the page.
    page.locator("[data-quick=task] summary").click()
    task_form = page.locator("[data-quick=task] form")
    task_form.locator("[name=title]").fill("Order the crane permit")
    task_form.locator("[name=due_at]").fill("2030-06-01T09:00")
    task_form.locator("button[type=submit]").click()
    expect(feed.locator(".feed-item").first).to_contain_text("Order the crane permit")
    expect(page).to_have_url(re.compile(rf"/crm/deals/{deal.pk}/$"))

    # The client is a link.
    page.locator("[data-client-link]").click()
    expect(page.locator("h1")).to_contain_text("Havel Bau")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width, height", SIZES)
def test_client_card_buttons_and_sections(page, log_in_as, week, width, height):
    page.set_viewport_size({"width": width, "height": height})
    log_in_as(week["rep"])
    page.goto(f"/clients/{week['client'].pk}/")
    for key in ("deal", "task", "call", "meeting", "sms", "email"):
        expect(page.locator(f".client-actions [data-action={key}]")).to_be_visible()
    deals = page.locator("#deals")
    expect(deals.locator("[data-open-total]")).to_contain_text("45,000.00")
    expect(page.locator("#open-tasks")).to_contain_text("Send the offer")
    # The long timeline and history are folded: the card stays a few screens high.
    expect(page.locator("#timeline")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollHeight") < 4 * height

    page.locator(".client-actions [data-action=meeting]").click()
    expect(page.locator("select[name=kind]")).to_have_value("meeting")
    expect(page.locator("[name=place]")).to_be_visible()
    expect(page.locator("[name=outcome]")).to_be_hidden()
