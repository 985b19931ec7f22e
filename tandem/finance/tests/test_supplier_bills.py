"""Supplier bills in the ledger: goods received not invoiced cleared at the received value, the price difference
to purchase price variances, input VAT on the asset tax account, the payable with the supplier, foreign currency at
the bill's rate, credit notes mirroring, pre-issue checks of upper apps, payments of bills."""

import datetime
from decimal import Decimal as D

import pytest

from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.finance import services
from tandem.finance.banking import services as banking
from tandem.finance.models import Invoice
from tandem.finance.services import issue_checks
from tandem.finance.tests.invoice_fixtures import line

DAY = datetime.date(2026, 3, 10)


@pytest.fixture
def supplier(payer):
    return payer


def bill(accountant, supplier, lines, **kwargs):
    kwargs.setdefault("supplier_reference", "RE-4711")
    return services.create_supplier_bill(by=accountant, client=supplier.client, counterparty=supplier,
                                         invoice_date=DAY, lines=lines, **kwargs)


def posted(invoice):
    """{account code: signed base amount (debit − credit)} of the invoice's entry."""
    result = {}
    for row in invoice.entry.lines.select_related("account"):
        result[row.account.code] = result.get(row.account.code, D(0)) + row.debit - row.credit
    return result


def test_bill_at_the_received_price_clears_goods_received_exactly(ledger, accountant, supplier):
    draft = bill(accountant, supplier, [line(10, "40", tax_percent="19", received_value=D("400.00"))])
    issued = services.issue_invoice(draft, by=accountant)
    assert issued.number == "BILL/2026/00001" and issued.status == "issued" and issued.amount_due == D("476.00")
    assert issued.entry.journal.code == "PUR"
    assert posted(issued) == {"2300": D("400.00"), "1150": D("76.00"), "2000": D("-476.00")}
    payable = issued.entry.lines.get(account__code="2000")
    assert (payable.client_id, payable.counterparty_id) == (supplier.client_id, supplier.pk)


def test_dearer_bill_posts_the_difference_to_price_variances(ledger, accountant, supplier):
    draft = bill(accountant, supplier, [line(10, "41.50", tax_percent="19", received_value=D("400.00")),
                                        line(1, "25", description="Freight", tax_percent="19")])
    issued = services.issue_invoice(draft, by=accountant)
    # net 415 + 25; the goods cleared at 400, 15 variance; freight to the first operating expense account
    assert posted(issued) == {"2300": D("400.00"), "5300": D("15.00"), "6000": D("25.00"), "1150": D("83.60"),
                              "2000": D("-523.60")}


def test_cheaper_bill_credits_price_variances_and_a_credit_note_mirrors_it(ledger, accountant, supplier):
    issued = services.issue_invoice(bill(accountant, supplier, [line(10, "39", received_value=D("400.00"))]),
                                    by=accountant)
    assert posted(issued) == {"2300": D("400.00"), "5300": D("-10.00"), "2000": D("-390.00")}
    note = services.create_credit_note(issued, by=accountant, lines=[{"line": issued.lines.get(), "quantity": 4}])
    assert note.kind == Invoice.Kind.SUPPLIER_CREDIT_NOTE and note.number == "SCN/2026/00001"
    assert posted(note) == {"2300": D("-160.00"), "5300": D("4.00"), "2000": D("156.00")}
    issued.refresh_from_db()
    assert issued.amount_due == D("234.00") and issued.status == "partly_paid"


def test_foreign_bill_posts_at_its_rate_and_balances_to_the_cent(ledger, accountant, supplier):
    draft = bill(accountant, supplier, [line(3, "33.33", tax_percent="19", received_value=D("90.01")),
                                        line(1, "10.01", description="Packing", tax_percent="19")],
                 currency="USD", rate=D("0.912345"))
    issued = services.issue_invoice(draft, by=accountant)
    rows = list(issued.entry.lines.all())
    assert sum(r.debit for r in rows) == sum(r.credit for r in rows)
    assert issued.total == D("130.90")  # 99.99 + 10.01 = 110.00 net, 20.90 tax
    amounts = posted(issued)
    assert amounts["2000"] == D("-119.43")  # 130.90 × 0.912345
    assert amounts["1150"] == D("19.07") and amounts["2300"] == D("90.01")
    assert amounts["5300"] + amounts["6000"] + amounts["1150"] + amounts["2300"] == D("119.43")
    usd = {r.account.code: r.amount_currency for r in issued.entry.lines.select_related("account")
           if r.currency == "USD"}
    assert usd == {"2000": D("-130.90"), "2300": D("99.99"), "6000": D("10.01"), "1150": D("20.90")}


def test_a_bill_needs_the_suppliers_reference_and_takes_it_once(ledger, accountant, supplier):
    draft = bill(accountant, supplier, [line(1, "10")], supplier_reference="")
    with pytest.raises(BusinessRuleError) as refused:
        services.issue_invoice(draft, by=accountant)
    assert refused.value.field == "supplier_reference"
    services.update_invoice(draft, by=accountant, supplier_reference="A-1")
    services.issue_invoice(draft, by=accountant)
    with pytest.raises(ConflictError) as twice:
        bill(accountant, supplier, [line(1, "10")], supplier_reference="a-1")
    assert twice.value.code == "duplicate_supplier_reference"


def test_customer_invoices_cannot_carry_received_values_nor_be_made_as_bills(ledger, accountant, supplier):
    with pytest.raises(BusinessRuleError) as refused:
        services.create_invoice(by=accountant, client=supplier.client, counterparty=supplier, invoice_date=DAY,
                                lines=[line(1, "10", received_value=D("5"))])
    assert refused.value.field == "lines.0.received_value"
    with pytest.raises(BusinessRuleError):
        services.create_supplier_bill(by=accountant, client=supplier.client, kind="customer_invoice",
                                      lines=[line(1, "10")])


def test_a_pre_issue_check_refuses_and_nothing_is_numbered(ledger, accountant, supplier):
    def refuse(invoice, lines, *, by):
        if invoice.supplier_reference == "BLOCK":
            raise ConflictError("blocked", "No.", field="lines")

    issue_checks.register_pre_issue_check(refuse)
    try:
        draft = bill(accountant, supplier, [line(1, "10")], supplier_reference="BLOCK")
        with pytest.raises(ConflictError):
            services.issue_invoice(draft, by=accountant)
        draft.refresh_from_db()
        assert (draft.status, draft.number, draft.entry_id) == ("draft", "", None)
    finally:
        issue_checks._CHECKS.remove(refuse)


def test_an_outgoing_payment_pays_the_bill(ledger, accountant, supplier, bank_account):
    issued = services.issue_invoice(bill(accountant, supplier, [line(10, "40", received_value=D("400.00"))]),
                                    by=accountant)
    banking.register_payment(ledger, direction="out", payment_account=bank_account, date=DAY, amount=D("400.00"),
                             client=supplier.client, allocations=[(issued, D("400.00"))], by=accountant)
    issued.refresh_from_db()
    assert issued.status == "paid" and issued.amount_due == 0
