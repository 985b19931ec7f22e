"""Audit entries read as sentences in the user's language on the client's timeline, the history pages and the
history API: no action codes, no Python values, no raw keys, dates and amounts as the user writes them."""

import datetime
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from tandem.core import legal_entities
from tandem.core.audit_render import changes_text, render_entry
from tandem.core.formats import country_for_request
from tandem.core.models import AuditEntry
from tandem.crm.services import deals as services
from tandem.parties import services as parties

CODE = re.compile(r"\b[a-z]+\.[a-z_]+\.[a-z_]+\b")  # crm.lead.created
RAW_VALUES = re.compile(r"\b(None|True|False)\b|\d{4}-\d{2}-\d{2}|[{}]|\b[a-z]+_[a-z_]+\b")


def _raw_parts(text: str) -> list[str]:
    return CODE.findall(text) + [m.group(0) for m in RAW_VALUES.finditer(text)]


def _entry_text(entry) -> str:
    shown = render_entry(entry)
    return f"{shown.summary} | {changes_text(shown.changes)}"


def test_one_changed_field_is_a_sentence(deal, sales_rep):
    services.update_deal(deal, by=sales_rep, expected_close_date=datetime.date(2026, 12, 12))
    entry = AuditEntry.objects.get(action="crm.deal.changed")
    with translation.override("en"), country_for_request("DE"):
        shown = render_entry(entry)
    assert shown.summary == f"{sales_rep.display_name} changed the expected close date from — to 12 Dec 2026"
    assert shown.changes == []
    with translation.override("en"), country_for_request("US"):
        assert render_entry(entry).action == "changed the expected close date from — to Dec 12, 2026"


def test_an_amount_changed_alone_keeps_its_currency(deal, sales_rep):
    services.update_deal(deal, by=sales_rep, amount=Decimal("49815"))
    entry = AuditEntry.objects.get(action="crm.deal.changed")
    assert entry.changes["_currency"] == deal.currency == "EUR"
    with translation.override("pl"), country_for_request("PL"):
        assert render_entry(entry).action.endswith("49\xa0815,00\xa0€")
    with translation.override("en"), country_for_request("GB"):
        assert render_entry(entry).action == "changed the amount from — to €49,815.00"


def test_an_amount_saved_again_with_other_decimals_is_not_a_change(deal, sales_rep):
    services.update_deal(deal, by=sales_rep, amount=Decimal("100"), title="Pumps for Acme, phase 2")
    entry = AuditEntry.objects.filter(action="crm.deal.changed").latest("id")
    entry.changes = {"amount": ["100.0000", "100.00"], "title": ["Pumps for Acme", "Pumps for Acme, phase 2"]}
    with translation.override("en"):
        shown = render_entry(entry)
    assert [row.key for row in shown.changes] == [] and "phase 2" in shown.action


def test_checklist_and_archive_say_what_happened_without_yes_and_no(deal, stages, sales_rep):
    deal_type = AuditEntry.objects.get(action="crm.deal.created").content_type
    entry = AuditEntry(action="crm.deal.checklist", content_type=deal_type, object_id=str(deal.pk),
                       changes={"Offer sent": [False, True]})
    with translation.override("en"):
        shown = render_entry(entry)
    assert shown.action == "ticked “Offer sent” on the deal's checklist" and shown.changes == []
    parties.archive_client(deal.client, by=sales_rep)
    with translation.override("en"):
        shown = render_entry(AuditEntry.objects.get(action="parties.client.archived"))
    assert shown.action == "archived the client" and shown.changes == []


def test_counterparty_and_contact_changes_are_on_the_clients_timeline_and_history_api(
        client, api, deal, sales_rep):
    card = deal.client
    cp = parties.add_counterparty(card, by=sales_rep, legal_name="Acme Pumpen GmbH",
                                  valid_from=datetime.date(2025, 1, 1))
    parties.update_counterparty(cp, by=sales_rep, legal_address="Hafenstraße 1, Hamburg")
    contact = parties.add_contact(card, by=sales_rep, first_name="Anna", last_name="Weber")
    parties.update_contact(contact, by=sales_rep, position="Purchasing")
    client.force_login(sales_rep)
    html = client.get(reverse("crm:client-timeline", args=[card.pk]), {"type": "audit"}).content.decode()
    assert "added a counterparty" in html and "Acme Pumpen GmbH" in html
    assert "changed the legal address from — to Hafenstraße 1, Hamburg" in html
    assert "added a contact person" in html and "changed the position from — to Purchasing" in html

    body = api(sales_rep).get(f"/api/v1/clients/{card.pk}/history").json()
    summaries = [item["summary"] for item in body["items"]]
    assert f"{sales_rep.display_name} changed the position from — to Purchasing" in summaries
    assert f"{sales_rep.display_name} changed the legal address from — to Hafenstraße 1, Hamburg" in summaries
    timeline = api(sales_rep).get(f"/api/v1/crm/clients/{card.pk}/timeline", {"type": "audit"}).json()
    titles = [item["title"] for item in timeline["items"]]
    assert f"{sales_rep.display_name} added a contact person" in titles
    assert not any(_raw_parts(title) for title in titles), titles


def test_deal_move_reads_as_a_sentence_on_the_timeline_in_russian(client, deal, stages, sales_rep, admin_user):
    legal_entities.create_legal_entity(by=admin_user, name="Nordlicht Handel GmbH", country="DE")
    services.update_deal(deal, by=sales_rep, amount=Decimal("1250.5"), expected_close_date=datetime.date(2026, 12, 12))
    services.move_deal_to_stage(deal, stages["Needs analysis"], by=sales_rep)
    sales_rep.language = "ru"
    sales_rep.save(update_fields=["language"])
    client.force_login(sales_rep)
    html = client.get(reverse("crm:client-timeline", args=[deal.client_id]), {"type": "audit"}).content.decode()
    assert "Qualification" in html and "Needs analysis" in html
    assert "1\xa0250,50\xa0€" in html and "12 дек. 2026" in html
    assert not CODE.search(html.split("<main", 1)[1].split("</main>", 1)[0].replace("crm.client", ""))
    for raw in ("None", "False", "True", "forward", "2026-12-12"):
        assert raw not in html.split("<main", 1)[1], raw


@pytest.mark.django_db(transaction=False)
def test_every_demo_entry_reads_as_words():
    """Walk the demo: every entry of every action code, in English and Russian, without raw values."""
    call_command("load_demo", scale=0.1, stdout=StringIO())
    codes = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"crm.deal.moved", "crm.deal.checklist", "parties.counterparty.updated", "crm.lead.qualified"} <= codes
    for language in ("en", "ru"):
        with translation.override(language):
            for entry in AuditEntry.objects.select_related("actor").order_by("id"):
                text = _entry_text(entry)
                # Free text the users typed (names, notes, e-mails) may hold anything; the rest must not.
                raw = [part for part in _raw_parts(text) if part not in _typed_text(entry)]
                assert not raw, f"{entry.action}: {text!r} shows {raw}"


def _typed_text(entry) -> str:
    """What users typed into this entry (names, notes, addresses), which may look like anything."""
    values = []
    for value in (entry.changes or {}).values():
        values.extend(value if isinstance(value, list) else [value])
    typed = [v for v in values if isinstance(v, str) and not re.fullmatch(r"[a-z_]+|\d{4}-\d{2}-\d{2}.*", v)]
    return " ".join([*typed, entry.object_repr])
