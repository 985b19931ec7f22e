"""The tax report: figures per side and rate to the cent, credit notes subtract, reverse charge shows its base
with no tax, foreign-currency documents at their posted base amounts, and the tie-out with the tax accounts
(0.00 for documents; a manual entry on a tax account shows as the difference, with its line listed)."""

import datetime
import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from tandem.finance import services
from tandem.finance.models import Account, Invoice, InvoiceLine, Journal, TaxRate
from tandem.finance.reports import tax as tax_reports
from tandem.finance.tests.invoice_fixtures import *  # noqa: F403
from tandem.finance.tests.invoice_fixtures import line

MARCH = (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
URL = "/api/v1/finance/reports/tax"


def issue(by, client, day, lines, **kwargs):
    invoice = services.create_invoice(by=by, client=client, invoice_date=day, lines=lines, **kwargs)
    return services.issue_invoice(invoice, by=by)


def supplier_document(company, by, client, day, net, tax, *, credit=False, number="B-1"):
    """A posted supplier bill (or credit note) as purchasing posts it: expense and input VAT (1150) against the
    payable, the tax on one 23 % line."""
    kind = Invoice.Kind.SUPPLIER_CREDIT_NOTE if credit else Invoice.Kind.SUPPLIER_BILL
    net, tax = D(net), D(tax)
    bill = Invoice.objects.create(company=company, kind=kind, status=Invoice.Status.ISSUED, number=number,
                                  client=client, counterparty=client.counterparties.first(), invoice_date=day,
                                  due_date=day, currency="EUR", net_total=net, tax_total=tax, total=net + tax,
                                  amount_due=net + tax)
    InvoiceLine.objects.create(invoice=bill, description="Parts", quantity=1, unit_price=net, tax_percent=D(23),
                               tax_rate=TaxRate.objects.get(country="PL", code="VAT23"), net_amount=net,
                               tax_amount=tax, gross_amount=net + tax)
    account = lambda code: Account.objects.get(company=company, code=code)  # noqa: E731
    sides = ("credit", "debit") if credit else ("debit", "credit")
    entry = services.post_entry(company=company, journal=Journal.objects.get(company=company, code="PUR"), date=day,
                                origin=bill, by=by, lines=[
                                    {"account": account("6200"), sides[0]: net},
                                    {"account": account("1150"), sides[0]: tax},
                                    {"account": account("2000"), sides[1]: net + tax, "client": client}])
    Invoice.objects.filter(pk=bill.pk).update(entry=entry)
    return bill


@pytest.fixture
def march(polish_ledger, accountant, billed_client):
    """March 2026: an invoice at 23 % and 8 %, a reverse-charge invoice, a credit note of half the 23 % line, a
    USD invoice at 4.0, a supplier bill and a supplier credit note; an April invoice outside the range."""
    by, client = accountant, billed_client
    first = issue(by, client, datetime.date(2026, 3, 10),
                  [line(2, 50, tax_percent=23), line(1, 40, tax_percent=8)])
    reverse = TaxRate.objects.get(country="PL", code="OO")
    issue(by, client, datetime.date(2026, 3, 12), [line(1, 200, tax_rate=reverse)])
    services.create_credit_note(first, by=by, lines=[{"line": first.lines.order_by("position")[0],
                                                      "quantity": D(1)}], invoice_date=datetime.date(2026, 3, 14))
    issue(by, client, datetime.date(2026, 3, 20), [line(1, "99.99", tax_percent=23)], currency="USD", rate=D("4"))
    supplier_document(polish_ledger, by, client, datetime.date(2026, 3, 15), "1000.00", "230.00")
    supplier_document(polish_ledger, by, client, datetime.date(2026, 3, 25), "100.00", "23.00", credit=True,
                      number="SCN-1")
    issue(by, client, datetime.date(2026, 4, 2), [line(1, 1000, tax_percent=23)])
    return polish_ledger


def rows(report):
    return {(r.side, r.code): (r.base, r.tax) for r in report.rows}


def test_figures_per_side_and_rate_to_the_cent_and_the_tie_out_is_zero(march):
    report = tax_reports.tax_report(march, *MARCH)
    # 23 %: 100.00/23.00 − credit note 50.00/11.50 + USD 99.99/23.00 at 4.0 = 491.96 gross, 92.00 tax, 399.96 base
    assert rows(report) == {
        ("output", "VAT23"): (D("449.96"), D("103.50")),
        ("output", "VAT8"): (D("40.00"), D("3.20")),
        ("output", "OO"): (D("200.00"), D("0.00")),
        ("input", "VAT23"): (D("900.00"), D("207.00")),
    }
    totals = report.totals
    assert (totals["output_base"], totals["output_tax"]) == (D("689.96"), D("106.70"))
    assert (totals["input_base"], totals["input_tax"]) == (D("900.00"), D("207.00"))
    assert totals["net_payable"] == D("-100.30")
    assert report.ledger_movement == D("-100.30")
    assert report.difference == D("0.00")
    assert report.unexplained_lines == []


def test_credit_notes_subtract_and_are_shown_apart(march):
    row = next(r for r in tax_reports.tax_report(march, *MARCH).rows if r.key[:2] == ("output", "VAT23"))
    assert (row.credited_base, row.credited_tax) == (D("50.00"), D("11.50"))
    supplier = next(r for r in tax_reports.tax_report(march, *MARCH).rows if r.side == "input")
    assert (supplier.credited_base, supplier.credited_tax) == (D("100.00"), D("23.00"))


def test_reverse_charge_shows_its_base_with_no_tax(march):
    row = next(r for r in tax_reports.tax_report(march, *MARCH).rows if r.code == "OO")
    assert row.kind == TaxRate.Kind.REVERSE_CHARGE and row.base == D("200.00") and row.tax == 0


def test_a_manual_entry_on_a_tax_account_is_the_difference_and_is_listed(march, accountant):
    tax_account = Account.objects.get(company=march, code="2100")
    entry = services.post_entry(company=march, journal=Journal.objects.get(company=march, code="GEN"),
                                date=datetime.date(2026, 3, 28), by=accountant, memo="VAT correction", lines=[
                                    {"account": tax_account, "credit": D("10.00")},
                                    {"account": Account.objects.get(company=march, code="6100"), "debit": D("10.00")}])
    report = tax_reports.tax_report(march, *MARCH)
    assert report.totals["net_payable"] == D("-100.30")
    assert report.ledger_movement == D("-90.30")
    assert report.difference == D("10.00")
    assert [line.entry_id for line in report.unexplained_lines] == [entry.pk]


def test_a_reversed_invoice_entry_shows_as_a_difference(march, accountant):
    invoice = Invoice.objects.filter(company=march, kind=Invoice.Kind.CUSTOMER_INVOICE, invoice_date__month=3) \
        .order_by("pk").first()
    services.reverse_entry(invoice.entry, date=datetime.date(2026, 3, 30), by=accountant)
    report = tax_reports.tax_report(march, *MARCH)
    assert report.difference == D("-26.20")  # the 23.00 + 3.20 of the reversed invoice left the ledger


def test_compare_with_the_previous_period(march, accountant, billed_client):
    issue(accountant, billed_client, datetime.date(2026, 2, 10), [line(1, 10, tax_percent=23)])
    report = tax_reports.tax_report(march, *MARCH, compare="previous")
    assert (report.compare_from, report.compare_to) == (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
    row = next(r for r in report.rows if r.key[:2] == ("output", "VAT23"))
    assert (row.previous_base, row.previous_tax) == (D("10.00"), D("2.30"))
    assert report.previous_totals["net_payable"] == D("2.30")
    assert report.previous_totals["difference"] == 0
    input_row = next(r for r in report.rows if r.side == "input")
    assert input_row.previous_tax == 0


def test_api_report_and_workbook(march, client, accountant):
    client.force_login(accountant)
    answer = client.get(URL, {"date_from": "2026-03-01", "date_to": "2026-03-31"})
    assert answer.status_code == 200
    data = answer.json()
    assert data["totals"]["net_payable"] == "-100.30"
    assert data["totals"]["difference"] == "0.00"
    assert {(r["side"], r["code"], r["tax"]) for r in data["rows"]} >= {("output", "OO", "0.00")}
    assert [a["code"] for a in data["accounts"]] == ["1150", "2100"]
    bad = client.get(URL, {"date_from": "2026-03-31", "date_to": "2026-03-01"})
    assert bad.status_code == 400 and bad.json()["field"] == "date_to"
    workbook = client.get(URL + ".xlsx", {"date_from": "2026-03-01", "date_to": "2026-03-31"})
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(workbook.streaming_content))).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert ("Difference", None, None, None, 0) in [tuple(r[:5]) for r in values]


def test_page_shows_the_tie_out_and_a_sales_rep_may_not_read_it(march, client, accountant, sales_rep):
    client.force_login(accountant)
    page = client.get("/finance/reports/tax/", {"date_from": "2026-03-01", "date_to": "2026-03-31",
                                               "compare": "previous"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="tie-out" data-difference="0.00"' in html
    assert "Reverse charge" in html
    export = client.get("/finance/reports/tax/export/", {"date_from": "2026-03-01", "date_to": "2026-03-31"})
    assert export.status_code == 200
    client.force_login(sales_rep)
    assert client.get("/finance/reports/tax/").status_code == 403
    assert client.get(URL, {"date_from": "2026-03-01", "date_to": "2026-03-31"}).status_code == 403
