"""Issue #12.4 in the browser: a sales manager finds clients however the name, phone, e-mail or tax ID is
typed, is warned about a duplicate name, gives a contact several channels that open as links, and all of it
works on a phone 390 px wide."""

import re

import pytest
from playwright.sync_api import expect

from tandem.core import legal_entities, roles

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def world(make_user):
    from tandem.parties import services

    manager = make_user(roles.SALES_MANAGER, username="marta", first_name="Marta", last_name="Lis")
    admin = make_user(roles.ADMINISTRATOR, username="root-admin")
    legal_entities.create_legal_entity(by=admin, name="Tandem Sp. z o.o.", country="PL")
    wisla = services.create_client(by=manager, name="Wisła Hurt", phone="22 654 32 10", email="biuro@wisla-hurt.pl")
    services.add_counterparty(
        wisla, by=manager, legal_name="Wisła Hurt Sp. z o.o.", valid_from="2024-01-01", tax_id="525-281-23-49"
    )
    linden = services.create_client(by=manager, name="Linden Metall")
    services.add_contact(
        linden,
        by=manager,
        first_name="Jonas",
        last_name="Weber",
        channels=[{"kind": "email", "value": "j.weber@linden-metall.de"}],
    )
    return {"manager": manager, "wisla": wisla}


def header_search(page, text):
    search = page.get_by_role("banner").locator("input[name=q]")
    if not search.is_visible():
        page.goto(f"/search/?q={text}")
        return
    search.fill(text)
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q="))


def no_sideways_scrolling(page, selector="main"):
    """The content (of this feature's part of the page) fits the screen: nothing sticks out to the right.
    (On the client card the CRM timeline's filter row is another feature's and is left out.)"""
    assert page.evaluate(f"document.querySelector('{selector}').scrollWidth <= window.innerWidth + 1"), (
        f"{selector} scrolls sideways"
    )


def within_screen(locator):
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1, box


def add_contact_with_channels(page, client_url):
    page.goto(client_url)
    page.get_by_role("button", name="Add contact person").click()
    form = page.locator("#contacts-form-slot form")
    expect(form).to_be_visible()
    form.locator("[name=first_name]").fill("Ewa")
    form.locator("[name=last_name]").fill("Nowak")
    rows = form.locator(".channel-row")
    expect(rows).to_have_count(1)
    rows.nth(0).locator("select").select_option("mobile_phone")
    rows.nth(0).locator("input").fill("601 234 567")
    form.get_by_role("button", name="Add channel").click()
    expect(rows).to_have_count(2)
    rows.nth(1).locator("select").select_option("telegram")
    rows.nth(1).locator("input").fill("@ewa_nowak")
    form.get_by_role("button", name="Add channel").click()
    expect(rows).to_have_count(3)
    rows.nth(2).locator("select").select_option("whatsapp")
    rows.nth(2).locator("input").fill("601 234 567")
    form.locator("button[type=submit]").click()
    contacts = page.locator("#contacts")
    expect(contacts).to_contain_text("Ewa Nowak")
    expect(contacts.get_by_role("link", name="+48 601 234 567").first).to_have_attribute("href", "tel:+48601234567")
    expect(contacts.get_by_role("link", name="@ewa_nowak")).to_have_attribute("href", "https://t.me/ewa_nowak")
    expect(contacts.locator("a[data-channel=whatsapp]")).to_have_attribute("href", "https://wa.me/48601234567")


def test_manager_finds_what_she_types_and_gives_a_contact_several_channels(page, log_in_as, world):
    page.set_default_navigation_timeout(30_000)  # shared test machines are slow
    log_in_as(world["manager"])
    page.goto("/clients/")

    # "wisla" without the Polish letter finds Wisła Hurt, in the header search and in the list filter.
    header_search(page, "wisla")
    expect(page.get_by_role("link", name="Wisła Hurt", exact=True)).to_be_visible()
    page.goto("/clients/?q=WISLA")
    expect(page.locator("main")).to_contain_text("Wisła Hurt")
    expect(page.locator("main")).not_to_contain_text("Linden Metall")

    # The phone in local form, the tax ID with prefix, the e-mail domain: each finds its record.
    header_search(page, "22 654 32 10")
    expect(page.get_by_role("link", name="Wisła Hurt", exact=True)).to_be_visible()
    header_search(page, "PL5252812349")
    expect(page.get_by_role("link", name="Wisła Hurt Sp. z o.o.")).to_be_visible()
    header_search(page, "linden-metall.de")
    expect(page.get_by_role("link", name="Jonas Weber")).to_be_visible()

    # A second "Wisla hurt" is stopped as a duplicate, with a link to the existing client.
    page.goto("/clients/new/")
    page.locator("main form [name=name]").fill("Wisla hurt")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("has the same name")
    expect(page.locator("main").get_by_role("link", name=re.compile("Wisła Hurt"))).to_be_visible()

    # A wrong NIP checksum is refused on the tax ID field.
    client_url = f"/clients/{world['wisla'].pk}/"
    page.goto(client_url)
    page.get_by_role("button", name="Add counterparty").click()
    form = page.locator("#counterparties-form-slot form")
    form.locator("[name=legal_name]").fill("Typo Sp. z o.o.")
    form.locator("[name=tax_id]").fill("525-281-23-45")
    form.locator("[name=valid_from]").fill("2025-01-01")
    form.locator("button[type=submit]").click()
    expect(page.locator("#id_tax_id_error")).to_contain_text("not a valid tax ID")

    # Ewa gets a mobile, a Telegram and a WhatsApp channel: each opens as a link.
    add_contact_with_channels(page, client_url)

    # Her mobile typed as people do finds her.
    header_search(page, "601-234-567")
    expect(page.get_by_role("link", name="Ewa Nowak")).to_be_visible()


def test_channels_and_search_on_a_phone_390_px_wide(page, log_in_as, world):
    page.set_viewport_size(PHONE)
    page.set_default_navigation_timeout(30_000)  # the card page is the heaviest; shared CI machines are slow
    log_in_as(world["manager"])
    client_url = f"/clients/{world['wisla'].pk}/"
    add_contact_with_channels(page, client_url)
    no_sideways_scrolling(page, "#contacts")
    within_screen(page.locator("#contacts a[data-channel=telegram]"))

    # Editing keeps the channels as rows and the page fits the screen.
    page.locator("#contacts").get_by_role("link", name="Edit").first.click()
    form = page.locator("#contacts-form-slot form")
    expect(form.locator(".channel-row")).to_have_count(4)  # three channels and an empty row
    expect(form.locator(".channel-row input").first).to_have_value("+48 601 234 567")
    within_screen(form.locator(".channel-row").first)
    within_screen(form.get_by_role("button", name="Add channel"))
    within_screen(form.locator("button[type=submit]"))
    no_sideways_scrolling(page, "#contacts")

    page.goto("/search/?q=ewa_nowak")
    expect(page.get_by_role("link", name="Ewa Nowak")).to_be_visible()
    no_sideways_scrolling(page)
    page.goto("/search/?q=wisla")
    expect(page.get_by_role("link", name="Wisła Hurt", exact=True)).to_be_visible()
    no_sideways_scrolling(page)
