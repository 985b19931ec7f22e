"""A sales team's working day, in the browser: rules hold to the end (winning checks every later stage; the
manager's approval only the manager ticks), a qualified lead keeps its person, and a relative segment stays
true. Each journey also checks the page on a 390 px wide phone."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from tandem.core import roles

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

APPROVAL = "Quote approved by the sales manager"
PHONE = {"width": 390, "height": 844}


def fits_the_phone(page) -> None:
    """At 390 px the page's content needs no sideways scrolling: nothing in <main> reaches past the screen's
    edge, except inside a box that scrolls on its own (wide tables)."""
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(100)
    wide = page.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter(e => e.getBoundingClientRect().right > 391 && e.getClientRects().length
                     && !e.closest('.overflow-auto, figure, [data-scrolls]'))
        .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
    assert not wide, f"wider than a 390px phone: {wide}"


def test_won_is_refused_until_every_later_rule_is_met_and_the_manager_approves(page, log_in_as, make_user):
    from tandem.crm.models import StageRule
    from tandem.crm.services import deals as services
    from tandem.parties.tests.factories import ClientFactory

    rep = make_user(roles.SALES_REPRESENTATIVE, username="rita", first_name="Rita", last_name="Kern")
    manager = make_user(roles.SALES_MANAGER, username="markus", first_name="Markus", last_name="Brandt")
    pipeline = services.ensure_default_pipeline()
    stages = {s.name: s for s in pipeline.stages.all()}
    services.add_stage_rule(stages["Closing"], by=manager, kind=StageRule.Kind.CHECKLIST, label=APPROVAL,
                            required_role=Group.objects.get(name=roles.SALES_MANAGER))
    deal = services.create_deal(by=rep, client=ClientFactory(owner=rep, name="Havel Bau"), title="Cranes",
                                amount="48000")
    for rule in StageRule.objects.filter(stage__in=[stages["Needs analysis"], stages["Proposal"]],
                                         kind=StageRule.Kind.CHECKLIST):
        services.set_checklist_item(deal, rule, True, by=rep)
    services.move_deal_to_stage(deal, stages["Negotiation"], by=rep)

    # Rita clicks "Won" in Negotiation without a close date: refused, the page says what is missing.
    log_in_as(rep)
    page.goto(f"/crm/deals/{deal.pk}/")
    page.get_by_role("button", name="Won").click()
    error = page.locator("#win-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Expected close date")
    expect(error).to_contain_text(APPROVAL)
    expect(page.locator("h1 .badge")).to_have_text("Open")
    # The approval is the manager's: her checkbox is disabled and says why.
    approval = page.get_by_label(APPROVAL)
    expect(approval).to_be_disabled()
    expect(page.locator("[data-tick-reason]")).to_have_text(f"Only a Sales manager may tick “{APPROVAL}”.")
    fits_the_phone(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Markus approves the quote; the page says who ticked it.
    log_in_as(manager)
    page.goto(f"/crm/deals/{deal.pk}/")
    page.get_by_label(APPROVAL).check()
    expect(page.locator("[data-checklist-item] [data-ticked-by]")).to_contain_text("Ticked by Markus Brandt")

    # Rita enters the close date and wins the deal.
    log_in_as(rep)
    page.goto(f"/crm/deals/{deal.pk}/edit/")
    page.locator("main form [name=expected_close_date]").fill("2030-01-31")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("Cranes")
    page.get_by_role("button", name="Won").click()
    expect(page.locator("h1 .badge")).to_have_text("Won")
    expect(page.locator("#win-error")).to_have_count(0)


def test_qualified_lead_keeps_the_person_and_the_notes(page, log_in_as, make_user):
    from tandem.crm.services import deals as deal_services
    from tandem.crm.services import leads as services

    rep = make_user(roles.SALES_REPRESENTATIVE, username="rita", first_name="Rita", last_name="Kern")
    deal_services.ensure_default_pipeline()
    lead = services.create_lead(by=rep, name="Eva Krause", company_name="Krause Bau AG", email="eva@krause.example",
                                phone="+49 30 5551234", notes="Met at our stand, wants a quote for 3 cranes.")

    # Rita qualifies the lead into a new client.
    log_in_as(rep)
    page.goto(f"/crm/leads/{lead.pk}/")
    page.get_by_role("button", name="Qualify", exact=True).click()
    page.locator("main form button[type=submit]").click()
    expect(page.locator("[data-lead-contact]")).to_have_text("Eva Krause")

    # The client is the company; Eva is its contact person with her phone and email.
    lead.refresh_from_db()
    page.goto(f"/clients/{lead.client_id}/")
    expect(page.locator("main")).to_contain_text("Krause Bau AG")
    expect(page.locator("main")).to_contain_text("Eva Krause")
    expect(page.locator("main")).to_contain_text("eva@krause.example")
    # The lead's notes and history are on the client's timeline.
    page.goto(f"/crm/clients/{lead.client_id}/timeline/")
    expect(page.locator("main")).to_contain_text("Met at our stand, wants a quote for 3 cranes.")
    expect(page.locator("main")).to_contain_text("created the lead")
    fits_the_phone(page)
    expect(page.locator("main")).to_contain_text("Met at our stand")


def test_not_contacted_for_90_days_is_a_segment_that_stays_true(page, log_in_as, make_user):
    from tandem.crm.tests.factories_activity import InteractionFactory
    from tandem.parties.tests.factories import ClientFactory

    manager = make_user(roles.SALES_MANAGER, username="markus", first_name="Markus", last_name="Brandt")
    now = timezone.now()
    quiet, busy = ClientFactory(name="Quiet Mühle KG"), ClientFactory(name="Busy Werft AG")
    InteractionFactory(client=quiet, occurred_at=now - datetime.timedelta(days=120))
    InteractionFactory(client=busy, occurred_at=now - datetime.timedelta(days=5))

    log_in_as(manager)
    page.goto("/crm/segments/new/")
    page.locator("main form [name=name]").fill("Not contacted for 90 days")
    page.locator("main form [name=no_interaction_days]").fill("0")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("Ensure this value is greater than or equal to 1")
    page.locator("main form [name=no_interaction_days]").fill("90")
    page.locator("main form button[type=submit]").click()

    expect(page.locator("h1")).to_contain_text("Not contacted for 90 days")
    criteria = page.locator("dl.fields")
    expect(criteria).to_contain_text("No interaction in the last")
    expect(criteria).to_contain_text("90 days")
    expect(page.locator("main table")).to_contain_text("Quiet Mühle KG")
    expect(page.locator("main table")).not_to_contain_text("Busy Werft AG")
    fits_the_phone(page)
    expect(page.locator("main table")).to_contain_text("Quiet Mühle KG")
