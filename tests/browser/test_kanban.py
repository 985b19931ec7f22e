"""A representative drags a deal on the kanban board: the move is refused while a stage rule is unmet, the
card goes back, she ticks the checklist item on the deal page, and the same drag then succeeds."""

import pytest
from playwright.sync_api import expect

from tandem.core import roles

pytestmark = pytest.mark.browser


def column(page, name):
    return page.locator(f"section.deal-column[aria-label='{name}']")


def drag(page, title, to):
    page.locator(".deal-card", has_text=title).drag_to(column(page, to).locator(".deal-cards"))


@pytest.mark.django_db(transaction=True)
def test_drag_refused_until_the_checklist_is_done(page, log_in_as, make_user):
    from tandem.crm.services import deals as services
    from tandem.parties.tests.factories import ClientFactory

    rep = make_user(roles.SALES_REPRESENTATIVE, username="rita", first_name="Rita", last_name="Kern")
    pipeline = services.ensure_default_pipeline()
    stages = {s.name: s for s in pipeline.stages.all()}
    deal = services.create_deal(by=rep, client=ClientFactory(owner=rep, name="Havel Bau"), title="Cranes",
                                amount=None)
    services.move_deal_to_stage(deal, stages["Needs analysis"], by=rep)
    log_in_as(rep)

    # Rita drags the deal to "Proposal" before the needs are identified: refused, the card goes back.
    page.goto("/crm/deals/")
    expect(page.locator("#board[data-ready='1']")).to_be_attached()
    expect(column(page, "Needs analysis")).to_contain_text("Cranes")
    drag(page, "Cranes", "Proposal")
    expect(page.locator("#board-message")).to_be_visible()
    expect(page.locator("#board-message")).to_contain_text("Needs identified")
    expect(column(page, "Needs analysis")).to_contain_text("Cranes")
    expect(column(page, "Proposal")).not_to_contain_text("Cranes")

    # She opens the deal and ticks "Needs identified".
    page.locator(".deal-card a", has_text="Cranes").click()
    checkbox = page.get_by_label("Needs identified")
    checkbox.check()
    expect(page.locator("#deal-checklist [data-missing]")).to_contain_text("All rules of this stage are met")

    # Back on the board the same drag succeeds; the column counts follow.
    page.goto("/crm/deals/")
    expect(page.locator("#board[data-ready='1']")).to_be_attached()
    drag(page, "Cranes", "Proposal")
    expect(column(page, "Proposal")).to_contain_text("Cranes")
    expect(column(page, "Proposal").locator("[data-column-count]")).to_have_text("1")
    expect(column(page, "Needs analysis").locator("[data-column-count]")).to_have_text("0")
    expect(page.locator("#board-message")).to_be_hidden()
    deal.refresh_from_db()
    assert deal.stage == stages["Proposal"]



@pytest.mark.django_db(transaction=True)
def test_a_stale_board_does_not_move_a_deal_back(page, log_in_as, make_user):
    from tandem.crm.models import Deal
    from tandem.crm.services import deals as services
    from tandem.parties.tests.factories import ClientFactory

    rep = make_user(roles.SALES_REPRESENTATIVE, username="rita", first_name="Rita", last_name="Kern")
    pipeline = services.ensure_default_pipeline()
    stages = {s.name: s for s in pipeline.stages.all()}
    deal = services.create_deal(by=rep, client=ClientFactory(owner=rep, name="Havel Bau"), title="Cranes")
    services.set_checklist_item(deal, stages["Needs analysis"].rules.get(), True, by=rep)
    services.move_deal_to_stage(deal, stages["Needs analysis"], by=rep)
    log_in_as(rep)

    # Rita opens the board: "Cranes" is in "Needs analysis".
    page.goto("/crm/deals/")
    expect(page.locator("#board[data-ready='1']")).to_be_attached()
    expect(column(page, "Needs analysis")).to_contain_text("Cranes")

    # Meanwhile a colleague moves the deal on to "Proposal".
    services.move_deal_to_stage(deal, stages["Proposal"], by=rep)

    # Rita, on her stale board, drags the card one step back to "Qualification": the server sees that the deal
    # is no longer where her board shows it and refuses (it used to jump back two stages unnoticed).
    drag(page, "Cranes", "Qualification")
    expect(page.locator("#board-message")).to_be_visible()
    expect(page.locator("#board-message")).to_contain_text("changed by someone else since you opened it")
    expect(column(page, "Needs analysis")).to_contain_text("Cranes")
    assert Deal.objects.get(pk=deal.pk).stage == stages["Proposal"]
