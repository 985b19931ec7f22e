"""Quotes past their 'valid until' expire: never accepted (409 quote_expired), the daily command, and the
quote pages show them expired before the command runs. 'Today' is the company's."""

import datetime
import json
import zoneinfo
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tandem.core import caching
from tandem.core.errors import ConflictError
from tandem.core.services import get_company
from tandem.sales.models import Order, Quote
from tandem.sales.services import quotes

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def _sent(by, client, pump, valid_until):
    quote = quotes.create_quote(by=by, client=client, quote_date=valid_until - datetime.timedelta(days=10),
                                valid_until=valid_until,
                                lines=[{"product": pump, "quantity": D(1), "unit_price": D("10")}])
    return quotes.send_quote(quote, by=by)


def test_an_overdue_quote_is_refused_and_becomes_expired(stocked, sales_manager, client_of_rep, pump):
    quote = _sent(sales_manager, client_of_rep, pump, YESTERDAY)
    with pytest.raises(ConflictError) as refused:
        quotes.accept_quote(quote, by=sales_manager)
    assert refused.value.code == "quote_expired" and "expired" in refused.value.message
    quote.refresh_from_db()
    assert quote.status == Quote.Status.EXPIRED and not Order.objects.exists()


def test_a_quote_valid_until_today_is_still_accepted(stocked, sales_manager, client_of_rep, pump):
    quote = _sent(sales_manager, client_of_rep, pump, quotes._today())
    order = quotes.accept_quote(quote, by=sales_manager)
    quote.refresh_from_db()
    assert quote.status == Quote.Status.ACCEPTED and order.quote_id == quote.pk


def test_a_back_dated_acceptance_is_checked_on_its_own_date(stocked, sales_manager, client_of_rep, pump):
    quote = _sent(sales_manager, client_of_rep, pump, datetime.date(2026, 3, 31))
    with pytest.raises(ConflictError) as refused:
        quotes.accept_quote(quote, by=sales_manager, order_date=datetime.date(2026, 4, 1))
    assert refused.value.code == "quote_expired"
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT  # refused, not expired: it is today that decides that
    order = quotes.accept_quote(quote, by=sales_manager, order_date=datetime.date(2026, 3, 31))
    assert order.order_date == datetime.date(2026, 3, 31)


def test_today_is_the_companys(stocked):
    company = get_company()
    now = timezone.now()
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):  # UTC+14 and UTC-11: a day apart most hours
        company.time_zone = zone
        company.save()
        caching.forget_company()
        assert quotes._today() == now.astimezone(zoneinfo.ZoneInfo(zone)).date()


def test_the_daily_command_expires_only_overdue_sent_quotes(stocked, sales_manager, client_of_rep, pump):
    overdue = _sent(sales_manager, client_of_rep, pump, YESTERDAY)
    current = _sent(sales_manager, client_of_rep, pump, quotes._today())
    draft = quotes.create_quote(by=sales_manager, client=client_of_rep, quote_date=YESTERDAY,
                                valid_until=YESTERDAY)
    out = StringIO()
    call_command("expire_quotes", stdout=out)
    assert "1 quote(s) expired." in out.getvalue()
    statuses = dict(Quote.objects.values_list("pk", "status"))
    assert statuses == {overdue.pk: "expired", current.pk: "sent", draft.pk: "draft"}
    call_command("expire_quotes", stdout=out)  # idempotent
    assert Quote.objects.filter(status="expired").count() == 1


def test_the_tandem_console_command_alias(stocked, sales_manager, client_of_rep, pump, capsys, monkeypatch):
    """`tandem expire-quotes` runs the command (through call_command: Django's own argv runner closes the
    database connection the test holds)."""
    from django.core import management

    from tandem.cli import main

    monkeypatch.setattr(management, "execute_from_command_line", lambda argv: call_command(*argv[1:]))
    _sent(sales_manager, client_of_rep, pump, YESTERDAY)
    main(["tandem", "expire-quotes"])
    assert "1 quote(s) expired." in capsys.readouterr().out
    assert Quote.objects.get().status == Quote.Status.EXPIRED


def test_api_accepting_an_overdue_quote_is_a_409(stocked, sales_manager, api, client_of_rep, pump):
    quote = _sent(sales_manager, client_of_rep, pump, YESTERDAY)
    http = api(sales_manager)
    refused = http.post(f"/api/v1/sales/quotes/{quote.pk}/accept", data=json.dumps({}),
                        content_type="application/json")
    assert refused.status_code == 409, refused.content
    body = refused.json()
    assert body["code"] == "quote_expired" and body["message"]
    assert http.get(f"/api/v1/sales/quotes/{quote.pk}").json()["status"] == "expired"
    assert not Order.objects.exists()


def test_pages_show_an_overdue_quote_expired_before_the_job(stocked, sales_manager, client, client_of_rep, pump):
    listed = _sent(sales_manager, client_of_rep, pump, YESTERDAY)
    opened = _sent(sales_manager, client_of_rep, pump, YESTERDAY)
    current = _sent(sales_manager, client_of_rep, pump, quotes._today())
    client.force_login(sales_manager)

    page = client.get(reverse("sales:quote-detail", args=[opened.pk]))
    assert page.status_code == 200 and 'data-action="accept"' not in page.text
    opened.refresh_from_db()
    listed.refresh_from_db()
    assert opened.status == "expired" and listed.status == "sent"

    page = client.get(reverse("sales:quote-list") + "?status=sent")
    assert page.status_code == 200
    assert current.number in page.text and listed.number not in page.text
    listed.refresh_from_db()
    assert listed.status == "expired"

    accepted = client.post(reverse("sales:quote-accept", args=[current.pk]))
    assert accepted.status_code == 302 and Order.objects.count() == 1
