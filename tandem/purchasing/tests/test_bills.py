"""Supplier bills of purchase orders: the draft of what is received and not billed, the three-way match within and
beyond the tolerances, accepting a difference (who may, who did and when), issuing through finance (posting exact,
billed quantities, the billed status), stale edits."""

import datetime
from decimal import Decimal as D

import pytest

from tandem.core.errors import AccessDenied, BusinessRuleError, ConflictError
from tandem.core.models import AuditEntry
from tandem.finance import services as finance
from tandem.finance.models import Account, Invoice
from tandem.purchasing import bills, services
from tandem.purchasing.models import BillMatch, PurchasingSettings
from tandem.purchasing.tests.bill_fixtures import *  # noqa: F403
from tandem.purchasing.tests.bill_fixtures import LATER


def balance(company, code):
    account = Account.objects.get(company=company, code=code)
    return sum((line.debit - line.credit for line in account.lines.all()), D(0))


def test_bill_of_a_partly_received_order_takes_the_received_quantity_and_matches(received, buyer, accountant):
    draft = bills.bill_order(received, by=buyer, supplier_reference="PW-2026-118", invoice_date=LATER)
    line = draft.lines.get()
    assert (draft.kind, draft.status, draft.supplier_reference) == ("supplier_bill", "draft", "PW-2026-118")
    assert (line.quantity, line.unit_price, line.tax_percent, line.received_value) == (60, 40, 19, D("2400.00"))
    assert draft.due_date == LATER + datetime.timedelta(days=30)
    assert draft.bill_match.status == BillMatch.Status.MATCHED
    with pytest.raises(ConflictError) as again:
        bills.bill_order(received, by=buyer, supplier_reference="PW-2026-119")
    assert again.value.code == "nothing_to_bill"

    issued = bills.issue_bill(draft, by=accountant)
    assert issued.number == "BILL/2026/00001"
    assert balance(received.company, "2300") == 0  # the receipt's 2400 cleared exactly
    assert balance(received.company, "1150") == D("456.00")
    assert balance(received.company, "2000") == D("-2856.00")
    received.refresh_from_db()
    assert received.lines.get().billed_quantity == 60 and received.status == "partly_received"


def test_price_over_tolerance_blocks_until_accepted_and_the_variance_is_posted(received, buyer, accountant, manager):
    draft = bills.bill_order(received, by=buyer, supplier_reference="PW-1", invoice_date=LATER)
    draft = bills.update_bill(draft, by=buyer, expected_version=draft.version,
                              lines=[{"position": 1, "unit_price": "40.80"}])  # 2 %: within the tolerance
    assert draft.bill_match.status == "matched"
    draft = bills.update_bill(draft, by=buyer, expected_version=draft.version,
                              lines=[{"position": 1, "unit_price": "41"}])  # 2.5 %: beyond
    match = BillMatch.objects.get(invoice=draft)
    assert match.status == "mismatch" and match.mismatches[0]["problems"] == ["price_over"]
    with pytest.raises(ConflictError) as blocked:
        finance.issue_invoice(draft, by=accountant)  # the finance page or API is held back just the same
    assert blocked.value.code == "bill_mismatch" and "line 1" in blocked.value.message
    assert blocked.value.extra["lines"][0]["position"] == 1
    draft.refresh_from_db()
    assert draft.number == ""

    with pytest.raises(AccessDenied):
        bills.accept_bill_mismatch(draft, by=buyer)
    match = bills.accept_bill_mismatch(draft, by=manager, note="Copper surcharge agreed by phone")
    assert (match.status, match.accepted_by, match.accepted_at is not None) == ("accepted", manager, True)
    entry = AuditEntry.objects.filter(action="purchasing.purchaseorder.bill_difference_accepted").get()
    assert entry.actor_id == manager.pk and entry.changes["reason"] == "Copper surcharge agreed by phone"

    issued = bills.issue_bill(draft, by=accountant)
    lines = {row.account.code: row.debit - row.credit for row in issued.entry.lines.select_related("account")}
    assert lines == {"2300": D("2400.00"), "5300": D("60.00"), "1150": D("467.40"), "2000": D("-2927.40")}


def test_changing_an_accepted_bill_needs_a_new_acceptance(received, buyer, manager, accountant):
    draft = bills.bill_order(received, by=buyer, supplier_reference="PW-2", invoice_date=LATER)
    draft = bills.update_bill(draft, by=buyer, lines=[{"position": 1, "unit_price": "45"}])
    bills.accept_bill_mismatch(draft, by=manager)
    draft = bills.update_bill(draft, by=buyer, lines=[{"position": 1, "unit_price": "50"}])
    assert BillMatch.objects.get(invoice=draft).status == "mismatch"
    with pytest.raises(ConflictError):
        bills.issue_bill(draft, by=accountant)


def test_quantity_beyond_received_is_a_mismatch_and_the_tolerance_allows_some(received, buyer, company):
    draft = bills.bill_order(received, by=buyer, supplier_reference="PW-3", invoice_date=LATER)
    draft = bills.update_bill(draft, by=buyer, lines=[{"position": 1, "quantity": "61"}])
    assert BillMatch.objects.get(invoice=draft).mismatches[0]["problems"] == ["quantity_over"]
    PurchasingSettings.objects.create(company=company, bill_quantity_tolerance_percent=D(5))
    assert bills.recheck_bill(draft).status == "matched"  # 61 ≤ 60 × 1.05


def test_receipts_and_bills_in_turns_bring_goods_received_back_to_zero(received, buyer, accountant, storeman):
    first = bills.issue_bill(bills.bill_order(received, by=buyer, supplier_reference="A", invoice_date=LATER),
                             by=accountant)
    assert first.status == "issued"
    order = services.receive_purchase_order(received, lines=[(received.lines.get(), 40, None, None)], date=LATER,
                                            by=storeman)
    assert order.status == "received" and balance(order.company, "2300") == D("-1600.00")
    second = bills.bill_order(order, by=buyer, supplier_reference="B", invoice_date=LATER)
    assert second.lines.get().quantity == 40
    bills.issue_bill(second, by=accountant)
    order.refresh_from_db()
    assert order.status == "billed" and order.lines.get().billed_quantity == 100
    assert balance(order.company, "2300") == 0
    assert services.close_purchase_order(order, by=buyer).status == "closed"


def test_a_supplier_credit_note_gives_the_quantity_back(received, buyer, accountant):
    issued = bills.issue_bill(bills.bill_order(received, by=buyer, supplier_reference="C", invoice_date=LATER),
                              by=accountant)
    finance.create_credit_note(issued, by=accountant, lines=[{"line": issued.lines.get(), "quantity": 10}])
    received.refresh_from_db()
    assert received.lines.get().billed_quantity == 50
    assert balance(received.company, "2300") == D("-400.00")  # 10 pumps are owed a bill again
    again = bills.bill_order(received, by=buyer, supplier_reference="D", invoice_date=LATER)
    assert again.lines.get().quantity == 10 and again.lines.get().received_value == D("400.00")


def test_who_may_prepare_and_refusals_name_the_field(received, storeman, buyer):
    with pytest.raises(AccessDenied):
        bills.bill_order(received, by=storeman, supplier_reference="X")
    with pytest.raises(BusinessRuleError) as missing:
        bills.bill_order(received, by=buyer, supplier_reference=" ")
    assert missing.value.field == "supplier_reference"
    draft = bills.bill_order(received, by=buyer, supplier_reference="E", invoice_date=LATER)
    with pytest.raises(BusinessRuleError) as bad:
        bills.update_bill(draft, by=buyer, lines=[{"position": 1, "quantity": "-1"}])
    assert bad.value.field == "lines.0.quantity"
    with pytest.raises(ConflictError) as stale:
        bills.update_bill(draft, by=buyer, expected_version=draft.version + 5, supplier_reference="F")
    assert stale.value.status_code == 409


def test_an_order_not_received_cannot_be_billed(books, order_of, pump, buyer):
    order = order_of(pump, 5)
    with pytest.raises(ConflictError) as refused:
        bills.bill_order(order, by=buyer, supplier_reference="G")
    assert refused.value.code == "not_billable"
    assert Invoice.objects.count() == 0


def test_a_cancelled_draft_gives_its_quantities_back(received, buyer):
    draft = bills.bill_order(received, by=buyer, supplier_reference="H", invoice_date=LATER)
    finance.cancel_invoice(draft, by=buyer)
    again = bills.bill_order(received, by=buyer, supplier_reference="H", invoice_date=LATER)
    assert again.lines.get().quantity == 60
