"""The language is chosen per user, defaulting to the browser's (issue #12, point 10).

A sales representative who never chose a language reads Tandem in the language her browser asks for: the menu,
the labels, an amount and a date the way that language writes them in our company's country (a German company).
She then picks another language on her profile page, and every page after that is in it, whatever the browser
says. On a 390 px phone too."""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tandem.core import roles

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# What the deal page says in each language: the menu entry for deals, the "Amount" label, the amount
# 49,815.00 EUR and the expected close date 12 December 2026 (day, month, year in Polish; year first in Korean).
WORDS = {
    "pl": {"deals": "Transakcje", "amount_label": "Kwota", "amount": "49\xa0815,00\xa0€",
           "date": "12 grudnia 2026", "menu": "Menu", "saved": "Twój profil został zapisany.",
           "heading": "Profil i język"},
    "pt-br": {"deals": "Negócios", "amount_label": "Valor", "amount": "€\xa049.815,00",
              "date": "12 de Dezembro de 2026", "menu": "Menu", "saved": "Seu perfil foi salvo.",
              "heading": "Perfil e idioma"},
    "bg": {"deals": "Сделки", "amount_label": "Сума", "amount": "49\xa0815,00\xa0€",
           "date": "12 Декември 2026", "menu": "Меню", "saved": "Профилът ви е запазен.",
           "heading": "Профил и език"},
    "ko": {"deals": "거래", "amount_label": "금액", "amount": "€49,815.00",
           "date": "2026년 12월 12일", "menu": "메뉴", "saved": "프로필이 저장되었습니다.",
           "heading": "프로필 및 언어"},
    "id": {"deals": "Kesepakatan", "amount_label": "Jumlah", "amount": "€49.815,00",
           "date": "12 Des. 2026", "menu": "Menu", "saved": "Profil Anda telah disimpan.",
           "heading": "Profil dan bahasa"},
}


def _story(make_user):
    from tandem.core import legal_entities
    from tandem.crm.services import deals as services
    from tandem.parties.tests.factories import ClientFactory

    admin = make_user(roles.ADMINISTRATOR, username="anja")
    legal_entities.create_legal_entity(by=admin, name="Nordlicht Handel GmbH", country="DE", base_currency="EUR")
    # language="": she never chose one (the test factory gives users English otherwise).
    rep = make_user(roles.SALES_REPRESENTATIVE, username="ola", first_name="Ola", last_name="Wiśniewska",
                    language="")
    client = ClientFactory(owner=rep, name="Havel Bau")
    services.ensure_default_pipeline()
    deal = services.create_deal(by=rep, client=client, title="Cranes", amount=Decimal("49815.00"),
                                expected_close_date=datetime.date(2026, 12, 12))
    return rep, deal


def _reads_deal_page_in(page, deal, language: str, viewport: dict) -> None:
    words = WORDS[language]
    page.goto(f"/crm/deals/{deal.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    facts = page.locator("main dl.fields").first
    expect(facts).to_contain_text(words["amount_label"])
    expect(page.locator("[data-amount]")).to_have_text(words["amount"])
    expect(facts).to_contain_text(words["date"])
    expect(page.locator("#shell-menu")).to_contain_text(words["deals"])
    if viewport is PHONE:
        # On a phone the module links fold behind the menu button, which is in the same language.
        page.get_by_role("button", name=words["menu"]).click()
    deals_link = page.locator("#shell-menu a", has_text=words["deals"])
    if not deals_link.is_visible():  # on a wide screen the CRM's links are in its dropdown
        page.locator("#shell-menu summary", has_text="CRM").click()
    expect(deals_link).to_be_visible()
    assert "Expected close date" not in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@pytest.mark.parametrize(
    ("browser_locale", "language", "chosen", "viewport"),
    [("pl-PL", "pl", "ko", DESKTOP), ("pl-PL", "pl", "ko", PHONE), ("pt-BR", "pt-br", "id", DESKTOP),
     ("bg-BG", "bg", "id", PHONE)],
    ids=["pl-then-ko-desktop", "pl-then-ko-phone", "pt-br-then-id-desktop", "bg-then-id-phone"],
)
@pytest.mark.django_db(transaction=True)
def test_browser_language_until_the_user_chooses_one(page, log_in_as, make_user, browser_locale, language,
                                                      chosen, viewport):
    page.set_viewport_size(viewport)
    rep, deal = _story(make_user)
    log_in_as(rep)

    # Without a language of her own she reads the one her browser asks for.
    _reads_deal_page_in(page, deal, language, viewport)

    # On her profile page the language field says so, and she picks another one.
    page.goto("/account/profile/")
    words = WORDS[language]
    expect(page.locator("h1")).to_have_text(words["heading"])
    field = page.locator("select[name=language]")
    expect(field).to_have_value("")
    field.select_option(chosen)
    page.locator("main form button[type=submit]").click()

    # The page after saving, and its message, are in the language she chose.
    chosen_words = WORDS[chosen]
    expect(page.locator("main")).to_contain_text(chosen_words["saved"])
    expect(page.locator("h1")).to_have_text(chosen_words["heading"])
    expect(page.locator("select[name=language]")).to_have_value(chosen)
    rep.refresh_from_db()
    assert rep.language == chosen

    # So is every other page, although the browser still asks for the first language.
    _reads_deal_page_in(page, deal, chosen, viewport)
    assert not re.search(re.escape(words["amount"]), page.locator("main").inner_text())
