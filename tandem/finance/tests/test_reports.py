"""Financial reports on a small hand-made ledger: exact figures of profit and loss, balance sheet (it balances;
its current-year result is the P&L's net result), cash flow, budget against actual and the cash forecast;
compare columns, drill-down links, XLSX read back, API status and permissions, pages."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tandem.core import roles
from tandem.finance import budgets as budget_services
from tandem.finance import services
from tandem.finance.models import Budget, FiscalYear, Invoice, Period
from tandem.finance.reports import budgets as budget_reports
from tandem.finance.reports import cash_flow, forecast, statements

D = Decimal
URL = "/api/v1/finance"


def day(text):
    return datetime.date.fromisoformat(text)


@pytest.fixture
def books(ledger, account, journal, accountant):
    """2025: a cash sale of 400 (the year then closed into retained earnings). 2026: capital, a sale on credit
    and its payment, rent, equipment, a cash sale of services, a loan, bank charges in March."""
    year_2025 = services.create_fiscal_year(ledger, start_date=day("2025-01-01"), by=accountant)

    def post(date, *lines, origin=None):
        return services.post_entry(company=ledger, journal=journal(), date=day(date), by=accountant, origin=origin,
                                   lines=[{"account": account(code), "debit": D(d), "credit": D(c)}
                                          for code, d, c in lines])

    post("2025-02-10", ("1000", "400", "0"), ("4000", "0", "400"))
    services.close_fiscal_year(year_2025, by=accountant)
    post("2026-01-02", ("1010", "10000", "0"), ("3000", "0", "10000"))
    post("2026-01-10", ("1100", "1190", "0"), ("4000", "0", "1000"), ("2100", "0", "190"))
    post("2026-01-20", ("6100", "800", "0"), ("1010", "0", "800"))
    post("2026-02-05", ("1010", "1190", "0"), ("1100", "0", "1190"))
    post("2026-02-15", ("1500", "2000", "0"), ("1010", "0", "2000"))
    post("2026-02-20", ("1000", "500", "0"), ("4100", "0", "500"))
    post("2026-02-25", ("1010", "3000", "0"), ("2500", "0", "3000"))
    post("2026-03-03", ("7000", "5", "0"), ("1010", "0", "5"))
    return ledger


def amounts(section):
    return {line.account.code if line.account else "result": line.amount for line in section.lines}


# --- Profit and loss and balance sheet ------------------------------------------------------------------------

def test_profit_and_loss_groups_income_and_expenses_with_the_net_result(books):
    report = statements.profit_and_loss(books, day("2026-01-01"), day("2026-02-28"))
    assert amounts(report.section("income")) == {"4000": D("1000"), "4100": D("500")}
    assert amounts(report.section("expense")) == {"6100": D("800")}
    assert [g.title for g in report.section("income").groups] == ["4 Income"]
    assert [g.title for g in report.section("expense").groups] == ["6 Operating expenses"]
    assert report.totals == {"income": D("1500"), "expenses": D("800"), "net_result": D("700")}
    assert report.compare_to is None and report.previous_totals == {}


def test_profit_and_loss_compared_with_the_same_months_a_year_earlier_leaves_the_closing_entry_out(books):
    report = statements.profit_and_loss(books, day("2026-01-01"), day("2026-02-28"), compare="year")
    assert (report.compare_from, report.compare_to) == (day("2025-01-01"), day("2025-02-28"))
    sale = next(line for line in report.section("income").lines if line.account.code == "4000")
    assert (sale.amount, sale.previous, sale.difference) == (D("1000"), D("400"), D("600"))
    assert report.previous_totals["net_result"] == D("400")
    # The whole of 2025 (its closing entry dated 31 Dec) still shows the year's result.
    assert statements.profit_and_loss(books, day("2025-01-01"), day("2025-12-31")).totals["net_result"] == D("400")


def test_balance_sheet_balances_and_its_current_result_is_the_net_result(books):
    report = statements.balance_sheet(books, day("2026-01-01"), day("2026-02-28"))
    assert amounts(report.section("asset")) == {"1000": D("900"), "1010": D("11390"), "1500": D("2000")}
    assert amounts(report.section("liability")) == {"2100": D("190"), "2500": D("3000")}
    assert amounts(report.section("equity")) == {"3000": D("10000"), "3100": D("400"), "result": D("700")}
    assert report.totals["assets"] == report.totals["liabilities_and_equity"] == D("14290")
    net = statements.profit_and_loss(books, day("2026-01-01"), day("2026-02-28")).totals["net_result"]
    assert report.totals["current_result"] == net == D("700")


def test_balance_sheet_compared_with_the_previous_period(books):
    report = statements.balance_sheet(books, day("2026-02-01"), day("2026-02-28"), compare="previous")
    assert report.compare_to == day("2026-01-31")
    bank = next(line for line in report.section("asset").lines if line.account and line.account.code == "1010")
    assert (bank.amount, bank.previous, bank.difference) == (D("11390"), D("9200"), D("2190"))
    assert report.previous_totals["assets"] == report.previous_totals["liabilities_and_equity"] == D("10790")
    receivable = next(line for line in report.section("asset").lines if line.account and line.account.code == "1100")
    assert (receivable.amount, receivable.previous) == (D("0"), D("1190"))


# --- Cash flow ------------------------------------------------------------------------------------------------

def test_cash_flow_by_activity_with_opening_and_closing_cash(books):
    report = cash_flow.cash_flow(books, day("2026-02-01"), day("2026-02-28"), compare="previous")
    assert (report.opening, report.closing) == (D("9600"), D("12290"))
    rows = {a.key: {r.account.code: r.amount for r in a.rows if r.amount} for a in report.activities}
    assert rows == {"operating": {"1100": D("1190"), "4100": D("500")}, "investing": {"1500": D("-2000")},
                    "financing": {"2500": D("3000")}}
    assert report.net_change == report.closing - report.opening == D("2690")
    # January: capital in (financing), rent out (operating).
    assert (report.previous_opening, report.previous_closing) == (D("400"), D("9600"))
    assert report.activity("financing").previous_total == D("10000")
    assert report.activity("operating").previous_total == D("-800")
    assert {r.account.code: r.previous for r in report.activity("financing").rows} == {"2500": 0, "3000": D("10000")}


# --- Budgets --------------------------------------------------------------------------------------------------

@pytest.fixture
def budget(books, account, accountant):
    year = FiscalYear.objects.get(company=books, start_date=day("2026-01-01"))
    budget = budget_services.create_budget(books, by=accountant, fiscal_year=year, name="Plan")
    january, february = (Period.objects.get(fiscal_year=year, number=n) for n in (1, 2))
    budget_services.set_budget_amounts(budget, by=accountant, amounts=[
        {"account": account("4000"), "period": january, "amount": "1200"},
        {"account": account("4000"), "period": february, "amount": "1000"},
        {"account": account("6100"), "period": january, "amount": "800"},
        {"account": account("6100"), "period": february, "amount": "900"}])
    return budget


def test_budget_against_actual_per_account_and_period(budget):
    report = budget_reports.budget_vs_actual(budget)
    totals = {total.account.code: total for total, _rows in report.accounts}
    assert set(totals) == {"4000", "4100", "6100", "7000"}  # budgeted, or moved without a budget
    sales = totals["4000"]
    assert (sales.budget, sales.actual, sales.variance, sales.percent) == (D("2200"), D("1000"), D("-1200"),
                                                                          D("45.45"))
    january = next(rows for total, rows in report.accounts if total.account.code == "4000")[0]
    assert (january.budget, january.actual, january.variance, january.percent) == (D("1200"), D("1000"), D("-200"),
                                                                                  D("83.33"))
    rent = next(rows for total, rows in report.accounts if total.account.code == "6100")
    assert (rent[0].percent, rent[1].actual, rent[1].variance) == (D("100.00"), D("0"), D("-900"))
    assert totals["4100"].percent is None and totals["7000"].actual == D("5")


def test_budget_amounts_refusals_and_removal(budget, account, accountant, make_user):
    from tandem.core.errors import AccessDenied, BusinessRuleError

    year_period = Period.objects.get(fiscal_year=budget.fiscal_year, number=1)
    with pytest.raises(BusinessRuleError) as bad:
        budget_services.set_budget_amounts(budget, by=accountant, amounts=[
            {"account": account("4000"), "period": year_period, "amount": "12.345"}])
    assert bad.value.field == "lines.0.amount"
    other_period = Period.objects.get(company=budget.company, start_date=day("2025-01-01"))
    with pytest.raises(BusinessRuleError) as wrong:
        budget_services.set_budget_amounts(budget, by=accountant, amounts=[
            {"account": account("4000"), "period": other_period, "amount": "1"}])
    assert wrong.value.field == "lines.0.period_id"
    with pytest.raises(AccessDenied):
        budget_services.set_budget_amounts(budget, by=make_user(roles.SALES_MANAGER, username="m2"), amounts=[])
    assert budget_services.set_budget_amounts(budget, by=accountant, amounts=[
        {"account": account("4000"), "period": year_period, "amount": ""},
        {"account": account("6100"), "period": year_period, "amount": "1 234,50"}]) == 2
    assert not budget.lines.filter(account=account("4000"), period=year_period).exists()
    assert budget.lines.get(account=account("6100"), period=year_period).amount == D("1234.50")


# --- Cash forecast --------------------------------------------------------------------------------------------

def _invoice(company, kind, due, amount_due, currency="EUR", rate="1", status=Invoice.Status.ISSUED):
    from tandem.parties.tests.factories import ClientFactory

    return Invoice.objects.create(company=company, kind=kind, status=status, client=ClientFactory(),
                                  invoice_date=day("2026-01-01"), due_date=day(due), currency=currency, rate=D(rate),
                                  total=D(amount_due), amount_due=D(amount_due))


def test_cash_forecast_by_week_with_a_running_balance(books, monkeypatch):
    _invoice(books, Invoice.Kind.CUSTOMER_INVOICE, "2026-02-20", "300")  # overdue: first week
    _invoice(books, Invoice.Kind.CUSTOMER_INVOICE, "2026-03-18", "1000", currency="USD", rate="0.9")
    _invoice(books, Invoice.Kind.SUPPLIER_BILL, "2026-03-10", "400")
    _invoice(books, Invoice.Kind.CUSTOMER_INVOICE, "2026-03-11", "999", status=Invoice.Status.PAID)  # not open
    _invoice(books, Invoice.Kind.CUSTOMER_INVOICE, "2026-09-01", "50")  # after the horizon
    monkeypatch.setattr(forecast.modules, "collect", lambda hook, *args: [
        {"date": day("2026-03-25"), "amount": D("250"), "source": "sales_orders", "label": "Sales orders"}])
    report = forecast.cash_forecast(books, today=day("2026-03-04"), weeks=4)
    assert report.opening == D("12285")
    assert [w.start for w in report.weeks] == [day("2026-03-02"), day("2026-03-09"), day("2026-03-16"),
                                               day("2026-03-23")]
    assert [(w.incoming, w.outgoing) for w in report.weeks] == [(D("300"), 0), (0, D("400")), (D("900"), 0),
                                                                (D("250"), 0)]
    assert [w.balance for w in report.weeks] == [D("12585"), D("12185"), D("13085"), D("13335")]
    assert list(report.sources) == ["receivables", "payables", "sales_orders"]
    assert report.weeks[1].by_source == {"payables": D("-400")}


# --- Pages, drill-down, XLSX ----------------------------------------------------------------------------------

@pytest.fixture
def browser(client, accountant):
    client.force_login(accountant)
    return client


def test_profit_and_loss_page_compares_and_links_each_amount_to_the_ledger(browser, books, account):
    page = browser.get("/finance/reports/profit-and-loss/?date_from=2026-01-01&date_to=2026-02-28&compare=year")
    text = page.content.decode()
    assert page.status_code == 200 and "€1,000.00" in text and "€400.00" in text and "€700.00" in text
    link = f"/finance/accounts/{account('4000').pk}/?date_from=2026-01-01&amp;date_to=2026-02-28"
    assert link in text
    ledger = browser.get(link.replace("&amp;", "&")).content.decode()
    assert "/finance/entries/" in ledger  # each ledger line links to its entry


def test_each_report_page_answers(browser, budget):
    for name in ("profit-and-loss", "balance-sheet", "cash-flow"):
        response = browser.get(f"/finance/reports/{name}/?date_from=2026-02-01&date_to=2026-02-28&compare=previous")
        assert response.status_code == 200, name
    assert browser.get("/finance/reports/").status_code == 200
    assert browser.get("/finance/reports/cash-forecast/?weeks=8").status_code == 200
    page = browser.get(f"/finance/reports/budget-vs-actual/?budget={budget.pk}").content.decode()
    assert "€2,200.00" in page and "45" in page
    assert browser.get("/finance/reports/profit-and-loss/?date_from=2026-02-01&date_to=2026-01-01"
                       ).status_code == 400


def test_balance_sheet_export_reads_back(browser, books):
    response = browser.get("/finance/reports/balance-sheet/export/?date_from=2026-01-01&date_to=2026-02-28")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [row for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "Balance sheet"
    assert ("1010", "Bank account", 11390) in [tuple(r[:3]) for r in rows]
    assert ("Total assets", None, 14290) in [tuple(r[:3]) for r in rows]


def test_entry_page_links_its_origin_document(browser, ledger, account, journal, accountant):
    from tandem.finance.reports.origins import register

    register("finance.fiscalyear", lambda pk: f"/finance/periods/?year={pk}")
    year = FiscalYear.objects.get(company=ledger, start_date=day("2026-01-01"))
    entry = services.post_entry(company=ledger, journal=journal(), date=day("2026-01-05"), by=accountant, origin=year,
                                lines=[{"account": account("1010"), "debit": "1"}, {"account": account("3000"),
                                                                                   "credit": "1"}])
    page = browser.get(f"/finance/entries/{entry.pk}/").content.decode()
    assert f'href="/finance/periods/?year={year.pk}"' in page


def test_budget_grid_saves_a_cell_with_htmx_and_the_form(browser, budget, account):
    january = Period.objects.get(fiscal_year=budget.fiscal_year, number=1)
    page = browser.get(f"/finance/budgets/{budget.pk}/").content.decode()
    assert f'name="cell-{account("4000").pk}-{january.pk}" value="1200.00"' in page
    saved = browser.post(f"/finance/budgets/{budget.pk}/edit/", {f"cell-{account('6200').pk}-{january.pk}": "75"},
                         headers={"HX-Request": "true"})
    assert saved.status_code == 200 and 'role="status"' in saved.content.decode()
    assert budget.lines.get(account=account("6200")).amount == D("75")
    refused = browser.post(f"/finance/budgets/{budget.pk}/edit/", {f"cell-{account('6200').pk}-{january.pk}": "x"},
                           headers={"HX-Request": "true"})
    assert 'role="alert"' in refused.content.decode()
    assert browser.get("/finance/budgets/").status_code == 200
    created = browser.post("/finance/budgets/new/", {"name": "Stretch", "fiscal_year": budget.fiscal_year_id})
    assert created.status_code == 302
    assert browser.post("/finance/budgets/new/", {"name": "Stretch", "fiscal_year": budget.fiscal_year_id}
                        ).status_code == 400
    stretch = Budget.objects.get(name="Stretch")
    assert browser.post(f"/finance/budgets/{stretch.pk}/delete/").status_code == 302
    assert not Budget.objects.filter(name="Stretch").exists()


def test_a_manager_reads_reports_and_budgets_but_cannot_edit(client, make_user, budget):
    client.force_login(make_user(roles.SALES_MANAGER, username="boss"))
    assert client.get("/finance/reports/profit-and-loss/").status_code == 200
    page = client.get(f"/finance/budgets/{budget.pk}/")
    assert page.status_code == 200 and "<input type=\"text\"" not in page.content.decode()
    assert client.post(f"/finance/budgets/{budget.pk}/edit/", {}).status_code == 403
    client.force_login(make_user(roles.SALES_REPRESENTATIVE, username="rep"))
    assert client.get("/finance/reports/profit-and-loss/").status_code == 403


# --- API ------------------------------------------------------------------------------------------------------

@pytest.fixture
def http(api, accountant):
    return api(accountant)


def test_api_profit_and_loss_and_balance_sheet(http, books):
    body = http.get(f"{URL}/reports/profit-and-loss?date_from=2026-01-01&date_to=2026-02-28&compare=year").json()
    assert body["totals"]["net_result"] == "700.00" and body["previous_totals"]["net_result"] == "400.00"
    line = body["sections"][0]["groups"][0]["lines"][0]
    assert (line["code"], line["amount"], line["previous"], line["difference"]) == ("4000", "1000.00", "400.00",
                                                                                   "600.00")
    assert (line["ledger_from"], line["ledger_to"]) == ("2026-01-01", "2026-02-28")
    sheet = http.get(f"{URL}/reports/balance-sheet?date_from=2026-01-01&date_to=2026-02-28").json()
    assert sheet["totals"]["assets"] == sheet["totals"]["liabilities_and_equity"] == "14290.00"
    bad = http.get(f"{URL}/reports/balance-sheet?date_from=2026-03-01&date_to=2026-02-28")
    assert bad.status_code == 400 and bad.json()["field"] == "date_to"


def test_api_cash_flow_forecast_and_xlsx_variants(http, books):
    body = http.get(f"{URL}/reports/cash-flow?date_from=2026-02-01&date_to=2026-02-28").json()
    assert (body["opening"], body["closing"], body["net_change"]) == ("9600.00", "12290.00", "2690.00")
    assert [a["total"] for a in body["activities"]] == ["1690.00", "-2000.00", "3000.00"]
    forecast_body = http.get(f"{URL}/reports/cash-forecast?weeks=3").json()
    assert len(forecast_body["weeks"]) == 3
    assert http.get(f"{URL}/reports/cash-forecast?weeks=0").status_code == 400
    for name in ("profit-and-loss", "balance-sheet", "cash-flow"):
        response = http.get(f"{URL}/reports/{name}.xlsx?date_from=2026-02-01&date_to=2026-02-28&compare=previous")
        assert response.status_code == 200, name
        load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    flow = http.get(f"{URL}/reports/cash-flow.xlsx?date_from=2026-02-01&date_to=2026-02-28")
    rows = list(load_workbook(io.BytesIO(b"".join(flow.streaming_content))).active.iter_rows(values_only=True))
    assert ("Closing cash", None, 12290) in [tuple(r[:3]) for r in rows]
    assert http.get(f"{URL}/reports/cash-forecast.xlsx?weeks=2").status_code == 200


def test_api_journal_lines_export_reads_back_every_line(http, books):
    response = http.get(f"{URL}/reports/lines.xlsx?date_from=2026-01-01&date_to=2026-02-28")
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 15
    assert rows[1][:2] == (datetime.datetime(2026, 1, 2), "GEN/2026/0001") and rows[1][5] == 10000


def test_api_budgets_crud_and_report(http, api, books, account, make_user):
    year = FiscalYear.objects.get(company=books, start_date=day("2026-01-01"))
    january = Period.objects.get(fiscal_year=year, number=1)
    created = http.post(f"{URL}/budgets", json.dumps({"name": "Plan", "fiscal_year_id": year.pk}),
                        content_type="application/json")
    assert created.status_code == 201, created.content
    budget_id = created.json()["id"]
    again = http.post(f"{URL}/budgets", json.dumps({"name": "Plan", "fiscal_year_id": year.pk}),
                      content_type="application/json")
    assert again.status_code == 409 and again.json()["field"] == "name"
    lines = http.put(f"{URL}/budgets/{budget_id}/lines", json.dumps({"lines": [
        {"account_id": account("4000").pk, "period_id": january.pk, "amount": "1200.00"}]}),
        content_type="application/json")
    assert lines.status_code == 200 and lines.json()["lines"][0]["amount"] == "1200.00"
    bad = http.put(f"{URL}/budgets/{budget_id}/lines", json.dumps({"lines": [
        {"account_id": account("4000").pk, "period_id": january.pk, "amount": "1.001"}]}),
        content_type="application/json")
    assert bad.status_code == 400 and bad.json()["field"] == "lines.0.amount"
    report = http.get(f"{URL}/reports/budget-vs-actual?budget_id={budget_id}").json()
    sales = next(a for a in report["accounts"] if a["code"] == "4000")
    assert sales["total"] == {"period_id": None, "period_start": None, "budget": "1200.00", "actual": "1000.00",
                              "variance": "-200.00", "percent": "83.33"}
    assert http.get(f"{URL}/reports/budget-vs-actual.xlsx?budget_id={budget_id}").status_code == 200
    stale = http.patch(f"{URL}/budgets/{budget_id}", json.dumps({"name": "Plan B", "version": 1}),
                       content_type="application/json")
    assert stale.status_code == 409
    manager = api(make_user(roles.SALES_MANAGER, username="mgr"))
    assert manager.get(f"{URL}/budgets/{budget_id}").status_code == 200
    assert manager.delete(f"{URL}/budgets/{budget_id}").status_code == 403
    assert http.delete(f"{URL}/budgets/{budget_id}").status_code == 204
    assert http.get(f"{URL}/budgets").json() == []
