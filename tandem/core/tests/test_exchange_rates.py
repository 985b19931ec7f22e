"""Exchange rates: dated rows per pair, one conversion helper, entry through service, API, CSV and page."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tandem.core import exchange_rates
from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.core.models import AuditEntry, ExchangeRate
from tandem.core.money import NoExchangeRate, convert, convert_totals, exchange_rate

JSON = "application/json"
D = datetime.date


@pytest.fixture
def rates(admin_user):
    """1 EUR = 1.10 USD from 1 March, 1.20 from 1 April; 1 GBP = 1.15 EUR (only the GBP→EUR pair)."""
    for day, rate in ((D(2026, 3, 1), "1.10"), (D(2026, 4, 1), "1.20")):
        exchange_rates.create_exchange_rate(by=admin_user, date=day, base_currency="EUR", quote_currency="USD",
                                            rate=rate)
    exchange_rates.create_exchange_rate(by=admin_user, date=D(2026, 1, 1), base_currency="GBP",
                                        quote_currency="EUR", rate="1.15")


# --- Conversion ---------------------------------------------------------------------------------------

def test_convert_uses_the_latest_rate_on_or_before_the_day(rates):
    assert convert(Decimal("100"), "EUR", "USD", on=D(2026, 3, 31)) == Decimal("110.00")
    assert convert(Decimal("100"), "EUR", "USD", on=D(2026, 4, 1)) == Decimal("120.00")
    assert convert("100", "eur", "usd", on=D(2026, 12, 31)) == Decimal("120.00")


def test_convert_uses_the_inverse_when_only_the_reverse_pair_exists(rates):
    assert convert(Decimal("120"), "USD", "EUR", on=D(2026, 4, 15)) == Decimal("100.00")
    assert convert(Decimal("100"), "EUR", "GBP", on=D(2026, 4, 15)) == Decimal("86.96")  # 100 / 1.15
    assert exchange_rate("USD", "EUR", D(2026, 3, 15)) == Decimal(1) / Decimal("1.10")


def test_convert_rounds_to_the_target_minor_unit(rates, admin_user):
    exchange_rates.create_exchange_rate(by=admin_user, date=D(2026, 1, 1), base_currency="EUR",
                                        quote_currency="JPY", rate="161.2345")
    assert convert(Decimal("10.01"), "EUR", "JPY", on=D(2026, 2, 1)) == Decimal("1614")


def test_no_rate_is_a_clear_error(rates):
    with pytest.raises(NoExchangeRate) as refused:
        convert(Decimal("1"), "EUR", "USD", on=D(2026, 2, 28))  # before the first rate
    assert refused.value.code == "no_exchange_rate"
    assert "EUR to USD" in refused.value.message and "2026-02-28" in refused.value.message
    with pytest.raises(NoExchangeRate):
        convert(Decimal("1"), "USD", "JPY", on=D(2026, 5, 1))
    assert convert(Decimal("5.5"), "EUR", "EUR") == Decimal("5.50")


def test_totals_in_the_base_currency_flag_currencies_without_rate(rates):
    total = convert_totals({"EUR": Decimal("10.00"), "USD": Decimal("12.00"), "JPY": Decimal("1000")}, "EUR",
                           on=D(2026, 4, 2))
    assert total.amount == Decimal("20.00")  # 10 EUR + 12 USD / 1.20
    assert total.missing == ["JPY"] and not total.complete and total.is_mixed
    assert total.by_currency == {"EUR": Decimal("10.00"), "USD": Decimal("12.00"), "JPY": Decimal("1000")}


def test_one_lookup_per_pair_when_rates_are_shared(rates, django_assert_num_queries):
    cache = {}
    with django_assert_num_queries(1):
        for _ in range(5):
            convert(Decimal("1"), "USD", "EUR", on=D(2026, 4, 2), rates=cache)


# --- Entering rates -----------------------------------------------------------------------------------

def test_create_rate_defaults_to_the_base_currency_and_is_audited(admin_user):
    rate = exchange_rates.create_exchange_rate(by=admin_user, date="2026-05-04", quote_currency="usd",
                                               rate="1.08321234")
    assert (rate.base_currency, rate.quote_currency, rate.rate) == ("EUR", "USD", Decimal("1.08321234"))
    entry = AuditEntry.objects.get(action="core.exchangerate.created")
    assert entry.changes["rate"] == "1.08321234"


@pytest.mark.parametrize("values, field, code", [
    ({"quote_currency": "XYZ"}, "quote_currency", "invalid_currency"),
    ({"quote_currency": "EUR"}, "quote_currency", "same_currency"),
    ({"rate": "0"}, "rate", "invalid_rate"),
    ({"rate": "-1.2"}, "rate", "invalid_rate"),
    ({"rate": "abc"}, "rate", "invalid"),
    ({"date": "31.12.2026"}, "date", "invalid_date"),
])
def test_bad_rates_are_refused_on_their_field(admin_user, values, field, code):
    data = {"date": "2026-05-04", "quote_currency": "USD", "rate": "1.08", **values}
    with pytest.raises(BusinessRuleError) as refused:
        exchange_rates.create_exchange_rate(by=admin_user, **data)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert not ExchangeRate.objects.exists()


def test_second_rate_for_a_pair_and_day_is_a_conflict(rates, admin_user):
    with pytest.raises(ConflictError) as refused:
        exchange_rates.create_exchange_rate(by=admin_user, date=D(2026, 4, 1), quote_currency="USD", rate="1.3")
    assert refused.value.code == "duplicate_rate"


def test_representatives_cannot_enter_rates(sales_rep):
    with pytest.raises(BusinessRuleError) as refused:
        exchange_rates.create_exchange_rate(by=sales_rep, date="2026-05-04", quote_currency="USD", rate="1.1")
    assert refused.value.status_code == 403


# --- CSV import -----------------------------------------------------------------------------------------

def test_csv_import_creates_rows_and_is_repeatable(admin_user):
    content = b"date,currency,rate\n2026-05-04,USD,1.0832\n2026-05-04,RUB,95.12\n\n2026-05-05,USD,1.0851\n"
    result = exchange_rates.import_exchange_rates(content, by=admin_user)
    assert len(result.created) == 3 and result.unchanged == 0
    assert ExchangeRate.objects.get(quote_currency="RUB").base_currency == "EUR"
    again = exchange_rates.import_exchange_rates(content, by=admin_user)
    assert (len(again.created), again.unchanged) == (0, 3)


def test_csv_import_reads_semicolons_decimal_commas_and_a_base_column(admin_user):
    content = b"Date;Base;Quote;Rate\n2026-05-04;USD;JPY;156,25\n"
    exchange_rates.import_exchange_rates(content, by=admin_user)
    assert ExchangeRate.objects.get().rate == Decimal("156.25")


def test_csv_import_is_all_or_nothing_with_an_error_per_row(admin_user, rates):
    content = (b"date,currency,rate\n"
               b"2026-05-04,USD,1.08\n"      # fine
               b"2026-13-01,USD,1.08\n"      # line 3: bad date
               b"2026-05-04,XYZ,1.08\n"      # line 4: bad currency
               b"2026-05-06,USD,-1\n"        # line 5: bad rate
               b"2026-05-04,USD,1.09\n"      # line 6: same pair and day as line 2
               b"2026-04-01,USD,1.25\n")     # line 7: differs from the stored rate
    with pytest.raises(BusinessRuleError) as refused:
        exchange_rates.import_exchange_rates(content, by=admin_user)
    errors = refused.value.extra["errors"]
    assert [(e["line"], e["field"]) for e in errors] == [(3, "date"), (4, "currency"), (5, "rate"), (6, "date"),
                                                         (7, "rate")]
    assert errors[4]["message"].startswith("Line 7:") and "1.2" in errors[4]["message"]
    assert ExchangeRate.objects.count() == 3  # only the fixture's rows


def test_csv_import_needs_the_columns(admin_user):
    with pytest.raises(BusinessRuleError) as refused:
        exchange_rates.import_exchange_rates(b"day,value\n2026-01-01,1\n", by=admin_user)
    assert refused.value.field == "file" and "currency, rate" in refused.value.message


# --- API ------------------------------------------------------------------------------------------------

def test_api_lists_with_filters_and_creates(api, admin_user, viewer, rates):
    http = api(admin_user)
    body = http.get("/api/v1/exchange-rates", {"currency": "USD"}).json()
    assert [(r["date"], r["rate"]) for r in body["items"]] == [("2026-04-01", "1.2"), ("2026-03-01", "1.1")]
    body = http.get("/api/v1/exchange-rates", {"date_to": "2026-02-01"}).json()
    assert [r["base_currency"] for r in body["items"]] == ["GBP"]
    response = http.post("/api/v1/exchange-rates", {"date": "2026-05-01", "quote_currency": "CHF",
                                                    "rate": "0.9412"}, content_type=JSON)
    assert response.status_code == 201
    assert response.json()["base_currency"] == "EUR" and response.json()["rate"] == "0.9412"
    assert api(viewer).get("/api/v1/exchange-rates").status_code == 200
    assert api(viewer).post("/api/v1/exchange-rates", {"date": "2026-05-01", "quote_currency": "CHF",
                                                       "rate": "1"}, content_type=JSON).status_code == 403


def test_api_refuses_bad_currency_on_its_field(api, admin_user):
    response = api(admin_user).post("/api/v1/exchange-rates", {"date": "2026-05-01", "quote_currency": "XYZ",
                                                               "rate": "1"}, content_type=JSON)
    assert response.status_code == 400
    assert response.json()["field"] == "quote_currency" and response.json()["code"] == "invalid_currency"


def test_api_import_reports_every_bad_row(api, admin_user):
    http = api(admin_user)
    bad = SimpleUploadedFile("rates.csv", b"date,currency,rate\n2026-05-04,USD,x\n2026-05-05,ABC,1\n")
    response = http.post("/api/v1/exchange-rates/import", {"file": bad})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_rows"
    assert [(e["line"], e["field"]) for e in body["errors"]] == [(2, "rate"), (3, "currency")]
    good = SimpleUploadedFile("rates.csv", b"date,currency,rate\n2026-05-04,USD,1.08\n")
    response = http.post("/api/v1/exchange-rates/import", {"file": good})
    assert response.status_code == 201 and response.json() == {"created": 1, "unchanged": 0}


def test_api_converts(api, admin_user, rates):
    http = api(admin_user)
    body = http.get("/api/v1/exchange-rates/convert",
                    {"amount": "50", "from_currency": "USD", "to_currency": "EUR", "date": "2026-04-30"}).json()
    assert body["converted"] == "41.67"
    response = http.get("/api/v1/exchange-rates/convert",
                        {"amount": "50", "from_currency": "USD", "to_currency": "EUR", "date": "2020-01-01"})
    assert response.status_code == 400 and response.json()["code"] == "no_exchange_rate"


# --- Page -----------------------------------------------------------------------------------------------

def test_page_lists_adds_and_imports(client, admin_user, rates):
    client.force_login(admin_user)
    html = client.get("/settings/exchange-rates/").content.decode()
    assert "1 EUR = 1.2 USD" in html and "1 GBP = 1.15 EUR" in html
    response = client.post("/settings/exchange-rates/", {"date": "2026-05-02", "base_currency": "EUR",
                                                         "quote_currency": "CHF", "rate": "0.94"})
    assert response.status_code == 302 and ExchangeRate.objects.filter(quote_currency="CHF").exists()
    response = client.post("/settings/exchange-rates/", {"date": "2026-05-02", "base_currency": "EUR",
                                                         "quote_currency": "QQQ", "rate": "0.94"})
    assert response.status_code == 400 and "QQQ" in response.content.decode()
    upload = SimpleUploadedFile("r.csv", b"date,currency,rate\n2026-05-03,CHF,0.95\n2026-05-04,CHF,zero\n")
    response = client.post("/settings/exchange-rates/import/", {"file": upload})
    assert response.status_code == 400
    assert "Line 3:" in response.content.decode()
    assert not ExchangeRate.objects.filter(date=D(2026, 5, 3)).exists()
    upload = SimpleUploadedFile("r.csv", b"date,currency,rate\n2026-05-03,CHF,0.95\n")
    assert client.post("/settings/exchange-rates/import/", {"file": upload}).status_code == 302
    html = client.get("/settings/exchange-rates/", {"currency": "CHF"}).content.decode()
    assert "0.95 CHF" in html and "USD" not in html.split('id="exchange-rates"')[1].split("</table>")[0]


def test_page_is_read_only_for_viewers(client, viewer, sales_rep):
    client.force_login(viewer)
    assert client.get("/settings/exchange-rates/").status_code == 200
    assert 'id="exchange-rate-form"' not in client.get("/settings/exchange-rates/").content.decode()
    assert client.post("/settings/exchange-rates/", {"date": "2026-05-02", "quote_currency": "CHF",
                                                     "base_currency": "EUR", "rate": "1"}).status_code == 403
    client.force_login(sales_rep)
    assert client.get("/settings/exchange-rates/").status_code == 403
