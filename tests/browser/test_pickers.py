"""Searchable pickers on the deal form: a few letters list at most twenty matches, each telling namesakes
apart; the chosen client's legal entities and contact persons are offered, a new client clears a choice of
the old one, and the deal is saved with what the user saw. On a desktop and on a 390 px wide phone."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from tandem.core import roles
from tests.browser.test_content_security_policy import LISTEN_FOR_VIOLATIONS

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def world(make_user):
    from tandem.crm.services import deals as deal_services
    from tandem.parties.models import Contact, Counterparty
    from tandem.parties.tests.factories import ClientFactory

    deal_services.ensure_default_pipeline()
    manager = make_user(roles.SALES_MANAGER, username="mara", first_name="Mara", last_name="Manager")
    anna = make_user(roles.SALES_REPRESENTATIVE, username="anna", first_name="Anna", last_name="Berg")
    otto = make_user(roles.SALES_REPRESENTATIVE, username="otto", first_name="Otto", last_name="Kranz")
    berlin = ClientFactory(name="Müller Bau", owner=anna)
    hamburg = ClientFactory(name="Müller Bau", owner=otto)
    acme = ClientFactory(name="Acme Pumps", owner=anna)
    for n in range(30):  # many more clients than a picker ever shows
        ClientFactory(name=f"Filler {n:02d} GmbH", owner=anna)
    start = datetime.date(2024, 1, 1)
    Counterparty.objects.create(
        client=berlin,
        legal_name="Müller Bau Berlin GmbH",
        tax_id="DE123456789",
        legal_address="Hauptstr. 1, 10115 Berlin, Germany",
        valid_from=start,
    )
    Counterparty.objects.create(
        client=hamburg,
        legal_name="Müller Bau Nord GmbH",
        tax_id="DE987654321",
        legal_address="Elbweg 2, 20095 Hamburg, Germany",
        valid_from=start,
    )
    Counterparty.objects.create(
        client=acme,
        legal_name="Acme Pumps AG",
        tax_id="DE555",
        legal_address="Ring 3, 80331 München, Germany",
        valid_from=start,
    )
    Contact.objects.create(client=hamburg, first_name="Hanna", last_name="Hafen", position="Buyer")
    return {"manager": manager, "anna": anna, "hamburg": hamburg, "acme": acme}


def _pick(page, field, text, option_text):
    box = page.locator(f"input[name={field}_search]")
    box.fill(text)
    option = page.locator(f"[data-picker={field}] [role=option]", has_text=option_text)
    expect(option.first).to_be_visible()
    option.first.click()
    return box


def _deal_story(page, log_in_as, world):
    page.add_init_script(LISTEN_FOR_VIOLATIONS)
    log_in_as(world["manager"])
    page.goto("/crm/deals/new/")
    page.fill("input[name=title]", "Excavator pumps")
    # The page lists no clients: the picker fetches them as the user types.
    expect(page.locator("[data-picker=client] [role=option]")).to_have_count(0)
    assert "Filler" not in page.content()
    # The currency is a choice preset to the company's base currency.
    expect(page.locator("select[name=currency]")).to_have_value("EUR")

    # Two clients are called "Müller Bau": town, tax ID and owner tell them apart.
    page.locator("input[name=client_search]").fill("müll")
    options = page.locator("[data-picker=client] [role=option]")
    expect(options).to_have_count(2)
    expect(options.nth(0)).to_contain_text("Berlin")
    expect(options.nth(0)).to_contain_text("DE123456789")
    expect(options.nth(0)).to_contain_text("Anna Berg")
    hamburg = options.filter(has_text="Hamburg")
    expect(hamburg).to_contain_text("Otto Kranz")
    hamburg.click()
    expect(page.locator("input[name=client_search]")).to_have_value("Müller Bau")
    expect(page.locator("[data-picker=client] [data-picker-detail]")).to_contain_text("Hamburg")

    # The chosen client's legal entities and contacts are offered, nobody else's.
    page.locator("input[name=counterparty_search]").focus()
    counterparties = page.locator("[data-picker=counterparty] [role=option]")
    expect(counterparties).to_have_count(1)
    expect(counterparties).to_contain_text("Müller Bau Nord GmbH")
    counterparties.click()
    _pick(page, "contact", "han", "Hanna Hafen")
    expect(page.locator("input[name=contact_search]")).to_have_value("Hanna Hafen")

    # Another client clears the choices that belong to the first one.
    _pick(page, "client", "acme", "Acme Pumps")
    expect(page.locator("input[name=counterparty_search]")).to_have_value("")
    expect(page.locator("input[name=contact_search]")).to_have_value("")
    page.locator("input[name=counterparty_search]").focus()
    expect(page.locator("[data-picker=counterparty] [role=option]")).to_have_count(1)
    page.locator("[data-picker=counterparty] [role=option]").click()
    expect(page.locator("input[name=counterparty_search]")).to_have_value("Acme Pumps AG")

    # Owners offered: users with a sales role.
    _pick(page, "owner", "anna", "Anna Berg")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/crm/deals/\d+/$"))
    body = page.locator("main")
    expect(body).to_contain_text("Acme Pumps")
    expect(body).to_contain_text("Acme Pumps AG")
    expect(body).to_contain_text("Anna Berg")
    # The pickers ran under the Content-Security-Policy without a single violation.
    assert page.evaluate("window.__cspViolations") == []


def test_manager_opens_a_deal_choosing_client_and_its_legal_entity_from_pickers(page, log_in_as, world):
    _deal_story(page, log_in_as, world)


def test_the_same_on_a_phone_390_px_wide(page, log_in_as, world):
    page.set_viewport_size(PHONE)
    log_in_as(world["manager"])
    page.goto("/crm/deals/new/")
    page.locator("input[name=client_search]").fill("müll")
    options = page.locator("[data-picker=client] [role=option]")
    expect(options).to_have_count(2)
    for n in range(2):  # the options fit the screen
        box = options.nth(n).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    # Nothing of the form runs off the screen (the shared header is the layout's own matter).
    wide = page.evaluate(
        "Array.from(document.querySelectorAll('main *'))"
        ".filter(e => e.getBoundingClientRect().right > innerWidth + 1).map(e => e.outerHTML)"
    )
    assert wide == []
    _deal_story(page, log_in_as, world)


def test_a_representative_finds_only_own_clients_and_a_wrong_name_is_a_clear_error(page, log_in_as, world):
    log_in_as(world["anna"])
    page.goto("/crm/deals/new/")
    page.locator("input[name=client_search]").fill("müll")
    options = page.locator("[data-picker=client] [role=option]")
    expect(options).to_have_count(1)
    expect(options).to_contain_text("Anna Berg")
    # Typed but not chosen, a name that matches nothing is refused with a clear message.
    page.fill("input[name=title]", "Pumps")
    page.locator("input[name=client_search]").fill("Kranz Unknown")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".errorlist")).to_contain_text("No client matches “Kranz Unknown”")
