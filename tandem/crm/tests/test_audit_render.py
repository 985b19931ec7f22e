"""Audit entries in human words: a Russian user sees labels, formatted values and no raw codes."""

import datetime
from decimal import Decimal

from django.utils import timezone, translation

from tandem.core.audit_actions import ACTIONS as CORE_ACTIONS
from tandem.core.audit_render import render_entry
from tandem.core.models import AuditEntry
from tandem.crm.audit_actions import ACTIONS
from tandem.crm.services import deals as services

RAW = ("None", "False", "True", "crm.deal", ": moved")  # what a Russian timeline used to show


def _text(entry) -> str:
    shown = render_entry(entry)
    return " | ".join([shown.summary, *(f"{r.label}: {r.old} → {r.new}" if r.is_update else f"{r.label}: {r.new}"
                                        for r in shown.changes)])


def test_russian_deal_move(deal, stages, sales_rep):
    services.move_deal_to_stage(deal, stages["Needs analysis"], by=sales_rep)
    entry = AuditEntry.objects.get(action="crm.deal.moved")
    with translation.override("ru"):
        shown = render_entry(entry)
        text = _text(entry)
    # One sentence says the move; the stages are not listed again and "forward" is not shown at all.
    assert "Qualification" in shown.action and "Needs analysis" in shown.action
    assert shown.summary == f"{sales_rep.display_name} {shown.action}"
    assert shown.changes == []
    assert not any(raw in text for raw in RAW), text
    with translation.override("en"):
        shown = render_entry(entry)
    assert shown.summary == f"{sales_rep.display_name} moved the deal from Qualification to Needs analysis"


def test_russian_amount_and_date_change(deal, sales_rep):
    services.update_deal(deal, by=sales_rep, amount=Decimal("1250.5"), expected_close_date=datetime.date(2030, 1, 31))
    entry = AuditEntry.objects.get(action="crm.deal.changed")
    with translation.override("ru"):
        rows = {r.key: r for r in render_entry(entry).changes}
    assert rows["amount"].label == "Сумма"
    # The amount is in the deal's currency, placed as Russian places it.
    assert (rows["amount"].old, rows["amount"].new) == ("—", "1\xa0250,50\xa0€")
    assert rows["expected_close_date"].new == "31 янв. 2030\u202fг."
    with translation.override("en"):
        rows = {r.key: r for r in render_entry(entry).changes}
    assert (rows["amount"].old, rows["amount"].new) == ("—", "€1,250.50")
    assert rows["expected_close_date"].new == "Jan 31, 2030"


def test_status_change_shows_choice_labels_and_datetimes_in_company_zone(deal, sales_rep):
    services.win_deal(deal, by=sales_rep)
    entry = AuditEntry.objects.get(action="crm.deal.won")
    with translation.override("en"):
        shown = render_entry(entry)
    # "won the deal" says the status change already.
    assert shown.action == str(ACTIONS["crm.deal.won"]) and shown.changes == []
    # A datetime stored in UTC shows in the active (company) time zone.
    entry.changes = {"status_changed_at": ["2030-01-31T23:30:00+00:00", None]}
    with translation.override("en"), timezone.override(datetime.timezone(datetime.timedelta(hours=3))):
        row = render_entry(entry).changes[0]
    assert (row.old, row.new) == ("Feb 1, 2030, 2:30\u202fAM", "—")
    # Choices read as their labels where a sentence does not say them.
    entry.changes = {"status": ["won", "open"], "title": ["A", "B"]}
    with translation.override("en"):
        rows = [(r.label, r.old, r.new) for r in render_entry(entry).changes]
    assert rows == [("Status", "Won", "Open"), ("Title", "A", "B")]


def test_russian_timeline_and_deal_page_show_words(client, deal, stages, sales_rep):
    services.update_deal(deal, by=sales_rep, amount=Decimal("99.5"))
    services.move_deal_to_stage(deal, stages["Needs analysis"], by=sales_rep)
    sales_rep.language = "ru"
    sales_rep.save(update_fields=["language"])
    client.force_login(sales_rep)
    for url in (f"/crm/clients/{deal.client_id}/timeline/?type=audit", f"/crm/deals/{deal.pk}/"):
        html = client.get(url).content.decode()
        assert "99,50\xa0€" in html and "сумма" in html.lower(), url
        assert "crm.deal." not in html and "None" not in html and "False" not in html, url


def test_core_codes_have_words():
    assert str(CORE_ACTIONS["core.company.updated"]) == "changed the company settings"
