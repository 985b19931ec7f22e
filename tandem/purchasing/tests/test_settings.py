"""Purchasing settings of a legal entity (approval threshold, receipt and bill tolerances): the service, the
page under /purchasing/settings/ and GET/PATCH /api/v1/purchasing/settings/{entity_id}; and sending an order
awaiting approval back to draft (service, page button, API)."""

import json
from decimal import Decimal

import pytest

from tandem.core.errors import AccessDenied, BusinessRuleError, ConflictError
from tandem.core.models import AuditEntry, LegalEntity
from tandem.core.tests.factories import UserFactory
from tandem.purchasing import bills, services
from tandem.purchasing.models import PurchaseOrder, PurchasingSettings

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def admin(db):
    return UserFactory(username="boss", is_superuser=True)


def _patch(http, url, body):
    return http.patch(url, data=json.dumps(body), content_type="application/json")


def _post(http, url, body=None):
    return http.post(url, data=json.dumps(body or {}), content_type="application/json")


# --- Service ----------------------------------------------------------------------------------------------------


def test_all_four_settings_are_saved_and_audited(company, manager):
    row = services.update_purchasing_settings(company, by=manager, approval_threshold="1250.50",
                                              receipt_tolerance_percent=D("2.5"),
                                              bill_price_tolerance_percent="1.25",
                                              bill_quantity_tolerance_percent=D(3))
    row = PurchasingSettings.objects.get(pk=row.pk)
    assert (row.approval_threshold, row.receipt_tolerance_percent, row.bill_price_tolerance_percent,
            row.bill_quantity_tolerance_percent) == (D("1250.50"), D("2.5"), D("1.25"), D(3))
    entry = AuditEntry.objects.get(action="purchasing.purchasingsettings.changed")
    assert entry.changes["approval_threshold"] == ["5000", "1250.5"]
    assert entry.changes["bill_price_tolerance_percent"] == ["2", "1.25"]
    assert set(entry.changes) == {"approval_threshold", "receipt_tolerance_percent", "bill_price_tolerance_percent",
                                  "bill_quantity_tolerance_percent"}
    # Only what changed; saving the same values again records nothing.
    services.update_purchasing_settings(company, by=manager, bill_quantity_tolerance_percent="0")
    services.update_purchasing_settings(company, by=manager, bill_quantity_tolerance_percent="0.0000")
    entries = AuditEntry.objects.filter(action="purchasing.purchasingsettings.changed").order_by("pk")
    assert entries.count() == 2 and list(entries.last().changes) == ["bill_quantity_tolerance_percent"]
    assert services.settings_for(company).approval_threshold == D("1250.50")


@pytest.mark.parametrize(("field", "value", "code"), [
    ("approval_threshold", "-1", "negative"),
    ("approval_threshold", "100.005", "too_precise"),  # EUR has 2 decimals
    ("approval_threshold", "100000000000", "out_of_range"),
    ("approval_threshold", "abc", "invalid_number"),
    ("approval_threshold", "NaN", "invalid_number"),
    ("receipt_tolerance_percent", "-0.5", "negative"),
    ("receipt_tolerance_percent", "100.01", "out_of_range"),
    ("bill_price_tolerance_percent", "101", "out_of_range"),
    ("bill_price_tolerance_percent", "1.00001", "too_precise"),
    ("bill_quantity_tolerance_percent", "-3", "negative"),
    ("bill_quantity_tolerance_percent", "Infinity", "invalid_number"),
])
def test_bad_values_are_refused_naming_the_field_and_nothing_is_written(company, manager, field, value, code):
    with pytest.raises(BusinessRuleError) as refused:
        services.update_purchasing_settings(company, by=manager, **{"receipt_tolerance_percent": "7", field: value})
    assert (refused.value.code, refused.value.field) == (code, field)
    assert not PurchasingSettings.objects.exists()
    assert not AuditEntry.objects.filter(action="purchasing.purchasingsettings.changed").exists()


def test_threshold_precision_follows_the_base_currency_and_limits(company, manager):
    yen = LegalEntity.objects.create(name="Tandem KK", base_currency="JPY")
    with pytest.raises(BusinessRuleError) as refused:
        services.update_purchasing_settings(yen, by=manager, approval_threshold="1000.5")
    assert refused.value.code == "too_precise"
    assert services.update_purchasing_settings(yen, by=manager, approval_threshold="1000").approval_threshold == 1000
    edges = services.update_purchasing_settings(company, by=manager, approval_threshold="0",
                                                receipt_tolerance_percent="100", bill_price_tolerance_percent="0",
                                                bill_quantity_tolerance_percent="99.9999")
    assert (edges.approval_threshold, edges.receipt_tolerance_percent) == (0, 100)
    # Each legal entity keeps its own.
    assert services.settings_for(yen).approval_threshold == 1000


def test_only_managers_and_administrators_change_the_settings(company, buyer, storeman, manager, admin):
    for user in (buyer, storeman):
        with pytest.raises(AccessDenied):
            services.update_purchasing_settings(company, by=user, approval_threshold="1")
    services.update_purchasing_settings(company, by=manager, approval_threshold="1")
    services.update_purchasing_settings(company, by=admin, approval_threshold="2")
    assert services.settings_for(company).approval_threshold == 2


def test_the_bill_tolerances_set_by_the_service_decide_the_match(company, manager):
    """bills.match_bill reads the tolerances the service wrote (price 2 % above the order)."""
    assert bills.settings_for is services.settings_for
    services.update_purchasing_settings(company, by=manager, bill_price_tolerance_percent="1.5",
                                        bill_quantity_tolerance_percent="10")
    found = services.settings_for(company)
    order_price, bill_price = D(100), D(102)
    assert bill_price > order_price * (100 + found.bill_price_tolerance_percent) / 100
    assert found.bill_quantity_tolerance_percent == 10


def test_a_new_threshold_changes_which_orders_need_approval(order_of, pump, buyer, manager, company):
    services.update_purchasing_settings(company, by=manager, approval_threshold="10000")
    assert services.submit_purchase_order(order_of(pump, 200), by=buyer).status == "approved"  # 8000 < 10000
    services.update_purchasing_settings(company, by=manager, approval_threshold="100")
    assert services.submit_purchase_order(order_of(pump, 3), by=buyer).status == "to_approve"  # 120 ≥ 100


# --- Return to draft --------------------------------------------------------------------------------------------


def test_the_approver_sends_an_order_awaiting_approval_back_to_draft(order_of, pump, buyer, manager, storeman):
    order = services.submit_purchase_order(order_of(pump, 200), by=buyer)
    assert order.status == PurchaseOrder.Status.TO_APPROVE and order.can_return_to_draft()
    for user in (buyer, storeman):
        with pytest.raises(AccessDenied):
            services.reject_purchase_order(order, by=user)
    with pytest.raises(ConflictError) as stale:
        services.reject_purchase_order(order, by=manager, expected_version=order.version - 1)
    assert stale.value.code == "stale"
    back = services.reject_purchase_order(order, by=manager, expected_version=order.version)
    assert back.status == PurchaseOrder.Status.DRAFT and not back.can_return_to_draft()
    assert AuditEntry.objects.filter(action="purchasing.purchaseorder.draft").exists()
    # The buyer changes it and submits it again.
    services.add_purchase_order_line(back, product=pump, quantity=1, by=buyer)
    assert services.submit_purchase_order(back, by=buyer).status == PurchaseOrder.Status.TO_APPROVE


def test_only_an_order_awaiting_approval_goes_back_to_draft(order_of, pump, buyer, manager):
    draft = order_of(pump, 1)
    rfq = order_of(pump, 1, as_rfq=True)
    approved = services.submit_purchase_order(order_of(pump, 1), by=buyer)
    for order in (draft, rfq, approved):
        with pytest.raises(ConflictError) as refused:
            services.reject_purchase_order(order, by=manager)
        assert (refused.value.code, refused.value.field) == ("invalid_transition", "status")
    rfq.refresh_from_db()
    assert rfq.status == PurchaseOrder.Status.RFQ


# --- API --------------------------------------------------------------------------------------------------------


def test_api_reads_and_changes_the_settings(api, company, manager, buyer):
    url = f"/api/v1/purchasing/settings/{company.pk}"
    got = api(buyer).get(url)
    assert got.status_code == 200, got.content
    assert got.json() == {"legal_entity": {"id": company.pk, "name": company.name}, "base_currency": "EUR",
                          "approval_threshold": "5000.00", "receipt_tolerance_percent": "5",
                          "bill_price_tolerance_percent": "2", "bill_quantity_tolerance_percent": "0"}
    changed = _patch(api(manager), url, {"approval_threshold": "750", "bill_quantity_tolerance_percent": "2.5"})
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert (body["approval_threshold"], body["bill_quantity_tolerance_percent"]) == ("750.00", "2.5")
    assert body["receipt_tolerance_percent"] == "5"  # not sent: unchanged
    assert api(buyer).get(url).json()["approval_threshold"] == "750.00"


@pytest.mark.parametrize(("body", "field"), [
    ({"approval_threshold": "-5"}, "approval_threshold"),
    ({"approval_threshold": "10.001"}, "approval_threshold"),
    ({"receipt_tolerance_percent": "150"}, "receipt_tolerance_percent"),
    ({"bill_price_tolerance_percent": "abc"}, "bill_price_tolerance_percent"),
    ({"bill_quantity_tolerance_percent": 1.5}, "bill_quantity_tolerance_percent"),
    ({"approval_threshold": "1", "surprise": "1"}, "surprise"),
])
def test_api_refuses_bad_input_with_400_naming_the_field(api, company, manager, body, field):
    response = _patch(api(manager), f"/api/v1/purchasing/settings/{company.pk}", body)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field, response.content
    assert not PurchasingSettings.objects.exists()


def test_api_permissions_and_unknown_entity(api, company, buyer, storeman, manager, viewer):
    url = f"/api/v1/purchasing/settings/{company.pk}"
    for user in (buyer, storeman, viewer):
        assert api(user).get(url).status_code == 200
        refused = _patch(api(user), url, {"approval_threshold": "1"})
        assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    rep = UserFactory(username="rep", role="Sales representative")
    assert api(rep).get(url).status_code == 403
    assert api(manager).get("/api/v1/purchasing/settings/999999").status_code == 404
    assert _patch(api(manager), "/api/v1/purchasing/settings/999999", {}).status_code == 404
    assert not PurchasingSettings.objects.exists()


def test_api_sends_an_order_back_to_draft(api, buyer, manager, order_of, pump):
    order = services.submit_purchase_order(order_of(pump, 200), by=buyer)
    url = f"/api/v1/purchasing/orders/{order.pk}/return-to-draft"
    got = api(manager).get(f"/api/v1/purchasing/orders/{order.pk}").json()
    assert "return_to_draft" in got["actions"] and "approve" in got["actions"]
    refused = _post(api(buyer), url)
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    stale = _post(api(manager), url, {"version": order.version - 1})
    assert stale.status_code == 409 and stale.json()["code"] == "stale"
    back = _post(api(manager), url, {"version": order.version})
    assert back.status_code == 200, back.content
    assert back.json()["status"] == "draft" and "return_to_draft" not in back.json()["actions"]
    again = _post(api(manager), url)
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    assert again.json()["field"] == "status"
    assert _post(api(manager), "/api/v1/purchasing/orders/999999/return-to-draft").status_code == 404


# --- Pages ------------------------------------------------------------------------------------------------------


def test_manager_edits_the_settings_on_the_page(client, company, manager):
    client.force_login(manager)
    page = client.get("/purchasing/settings/")
    assert page.status_code == 200
    text = page.content.decode()
    assert company.name in text and 'value="5000.00"' in text and 'value="2"' in text
    assert "waits for a manager&#x27;s approval" in text and "EUR" in text  # help texts
    assert "/purchasing/settings/" in text  # the settings menu entry (AppConfig.settings_menu)
    saved = client.post(f"/purchasing/settings/{company.pk}/", {
        "approval_threshold": "1500", "receipt_tolerance_percent": "3", "bill_price_tolerance_percent": "1.5",
        "bill_quantity_tolerance_percent": "0"}, follow=True)
    assert saved.status_code == 200 and saved.redirect_chain[-1][0] == f"/purchasing/settings/{company.pk}/"
    assert "Purchasing settings of Tandem Trading GmbH saved." in saved.content.decode()
    row = services.settings_for(company)
    assert (row.approval_threshold, row.receipt_tolerance_percent, row.bill_price_tolerance_percent) == (
        1500, 3, D("1.5"))
    assert 'value="1500.00"' in saved.content.decode()


def test_the_page_shows_errors_on_bad_input(client, company, manager):
    client.force_login(manager)
    response = client.post(f"/purchasing/settings/{company.pk}/", {
        "approval_threshold": "10.555", "receipt_tolerance_percent": "120", "bill_price_tolerance_percent": "",
        "bill_quantity_tolerance_percent": "1"})
    assert response.status_code == 400
    text = response.content.decode()
    assert 'id="id_bill_price_tolerance_percent_error"' in text  # required (form)
    assert not PurchasingSettings.objects.exists()
    response = client.post(f"/purchasing/settings/{company.pk}/", {
        "approval_threshold": "10", "receipt_tolerance_percent": "120", "bill_price_tolerance_percent": "1",
        "bill_quantity_tolerance_percent": "1"})
    assert response.status_code == 400
    assert "Enter a percentage between 0 and 100." in response.content.decode()
    assert 'id="id_receipt_tolerance_percent_error"' in response.content.decode()
    response = client.post(f"/purchasing/settings/{company.pk}/", {
        "approval_threshold": "10.555", "receipt_tolerance_percent": "1", "bill_price_tolerance_percent": "1",
        "bill_quantity_tolerance_percent": "1"})
    assert response.status_code == 400 and 'id="id_approval_threshold_error"' in response.content.decode()
    assert "Enter at most 2 decimal places." in response.content.decode()
    assert not PurchasingSettings.objects.exists()


def test_each_legal_entity_has_its_page_and_others_may_not_open_it(client, company, manager, buyer, viewer):
    other = LegalEntity.objects.create(name="Tandem Polska", base_currency="PLN")
    client.force_login(manager)
    page = client.get(f"/purchasing/settings/{other.pk}/").content.decode()
    assert "Tandem Polska" in page and "PLN" in page and 'data-testid="entity-choice"' in page
    assert client.get("/purchasing/settings/999999/").status_code == 404
    for user in (buyer, viewer):
        client.force_login(user)
        assert client.get("/purchasing/settings/").status_code == 403
        assert client.post(f"/purchasing/settings/{company.pk}/", {"approval_threshold": "1"}).status_code == 403
        assert "/purchasing/settings/" not in client.get("/purchasing/orders/").content.decode()


def test_the_order_page_offers_return_to_draft_to_the_approver(client, buyer, manager, order_of, pump):
    order = services.submit_purchase_order(order_of(pump, 200), by=buyer)
    client.force_login(buyer)
    assert 'data-action="return-to-draft"' not in client.get(f"/purchasing/orders/{order.pk}/").content.decode()
    assert client.post(f"/purchasing/orders/{order.pk}/return-to-draft/").status_code == 403
    client.force_login(manager)
    page = client.get(f"/purchasing/orders/{order.pk}/").content.decode()
    assert 'data-action="return-to-draft"' in page and "Send back to draft" in page
    done = client.post(f"/purchasing/orders/{order.pk}/return-to-draft/", {"version": order.version}, follow=True)
    order.refresh_from_db()
    assert order.status == PurchaseOrder.Status.DRAFT
    text = done.content.decode()
    assert f"Purchase order {order.number}: Draft." in text and 'data-action="return-to-draft"' not in text
    # Not awaiting approval any more: the step is refused with a message, nothing changes.
    again = client.post(f"/purchasing/orders/{order.pk}/return-to-draft/", follow=True)
    assert "Only a purchase order awaiting approval can be sent back to draft." in again.content.decode()
