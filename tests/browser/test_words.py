"""What people read on the client card, the board and the deal page: audit entries as sentences in their
language, amounts and dates the way their language writes them in our company's country (a German company:
"€1,250.50" and "12 Dec 2026" in English, "1 250,50 €" and "12 дек. 2026 г." in Russian)."""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tandem.core import roles

pytestmark = pytest.mark.browser

RAW = re.compile(r"\b(crm|parties|core)\.[a-z_]+\.[a-z_]+\b|\bNone\b|\bTrue\b|\bFalse\b|forward: |\d{4}-\d{2}-\d{2}")


def _story(make_user):
    from tandem.core import legal_entities
    from tandem.crm.services import deals as services
    from tandem.parties import services as parties
    from tandem.parties.tests.factories import ClientFactory

    admin = make_user(roles.ADMINISTRATOR, username="anja")
    legal_entities.create_legal_entity(by=admin, name="Nordlicht Handel GmbH", country="DE", base_currency="EUR")
    rep = make_user(roles.SALES_REPRESENTATIVE, username="rita", first_name="Rita", last_name="Kern")
    client = ClientFactory(owner=rep, name="Havel Bau")
    pipeline = services.ensure_default_pipeline()
    stages = {s.name: s for s in pipeline.stages.all()}
    deal = services.create_deal(by=rep, client=client, title="Cranes", amount=None)
    services.update_deal(deal, by=rep, amount=Decimal("1250.50"))
    services.update_deal(deal, by=rep, expected_close_date=datetime.date(2026, 12, 12))
    services.move_deal_to_stage(deal, stages["Needs analysis"], by=rep)
    counterparty = parties.add_counterparty(client, by=rep, legal_name="Havel Bau GmbH",
                                            valid_from=datetime.date(2025, 1, 1))
    parties.update_counterparty(counterparty, by=rep, legal_address="Uferweg 3, Potsdam")
    contact = parties.add_contact(client, by=rep, first_name="Jan", last_name="Brandt")
    parties.update_contact(contact, by=rep, position="Site manager")
    return rep, client, deal


def _main_text(page) -> str:
    return page.locator("main").inner_text()


@pytest.mark.django_db(transaction=True)
def test_english_user_of_a_german_company_reads_sentences_and_german_numbers(page, log_in_as, make_user):
    rep, client, deal = _story(make_user)
    log_in_as(rep)

    # Rita ticks a checklist item on the deal page; the amount there is written the English way, the dates day first.
    page.goto(f"/crm/deals/{deal.pk}/")
    expect(page.locator("[data-amount]")).to_have_text("€1,250.50")
    page.get_by_label("Needs identified").check()
    expect(page.locator("#deal-checklist [data-missing]")).to_contain_text("All rules of this stage are met")

    # The board card shows the same amount.
    page.goto("/crm/deals/")
    expect(page.locator(".deal-card", has_text="Cranes")).to_contain_text("€1,250.50")

    # The client's timeline tells the story in sentences.
    page.goto(f"/crm/clients/{client.pk}/timeline/?type=audit")
    changes = page.locator("main")
    expect(changes).to_contain_text("Rita Kern moved the deal from Qualification to Needs analysis")
    expect(changes).to_contain_text("Rita Kern ticked “Needs identified” on the deal's checklist")
    expect(changes).to_contain_text("Rita Kern changed the expected close date from — to 12 Dec 2026")
    expect(changes).to_contain_text("Rita Kern changed the amount from — to €1,250.50")
    # Changes to the client's counterparties and contacts are on it too.
    expect(changes).to_contain_text("Rita Kern changed the legal address from — to Uferweg 3, Potsdam")
    expect(changes).to_contain_text("Rita Kern changed the position from — to Site manager")
    assert not RAW.search(_main_text(page)), RAW.search(_main_text(page))

    # The client card's history table says the same in its own columns, dates day first.
    page.goto(f"/clients/{client.pk}/")
    history = page.locator("#history")
    expect(history).to_contain_text("Changed the position from — to Site manager")
    expect(history).to_contain_text("Added a counterparty")
    when = history.locator("time").first.text_content().strip()  # the History section starts folded
    assert re.match(r"\d{2}/\d{2}/\d{4}, \d{2}:\d{2}$", when), when
    assert not RAW.search(history.inner_text())


@pytest.mark.django_db(transaction=True)
def test_russian_user_reads_russian_dates_and_amounts(page, log_in_as, make_user):
    rep, client, deal = _story(make_user)
    rep.language = "ru"
    rep.save(update_fields=["language"])
    log_in_as(rep)

    page.goto(f"/crm/deals/{deal.pk}/")
    expect(page.locator("[data-amount]")).to_have_text("1\xa0250,50\xa0€")

    page.goto(f"/crm/clients/{client.pk}/timeline/?type=audit")
    changes = page.locator("main")
    # The sentences are Russian, and so are the values in them (stage names are the pipeline's own words).
    expect(changes).to_contain_text(
        "Rita Kern перенёс (перенесла) сделку с этапа Qualification на этап Needs analysis")
    expect(changes).to_contain_text("Rita Kern изменил(а) поле «сумма» с — на 1\xa0250,50\xa0€")
    expect(changes).to_contain_text("Rita Kern изменил(а) поле «ожидаемая дата закрытия» с — на 12 дек. 2026")
    expect(changes).to_contain_text("Rita Kern изменил(а) поле «юридический адрес» с — на Uferweg 3, Potsdam")
    expect(changes).to_contain_text("Rita Kern изменил(а) поле «должность» с — на Site manager")
    text = _main_text(page)
    assert not RAW.search(text), RAW.search(text)
    assert "needs_analysis" not in text and "expected_close_date" not in text

    page.goto(f"/clients/{client.pk}/")
    when = page.locator("#history time").first.text_content().strip()
    assert re.match(r"\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}$", when), when
