"""Suppliers and their prices on the pages and in the API (issue #15 point 1): make a counterparty a supplier,
edit its profile, add a price with its currency, pack size, validity and the supplier's code, edit it, make it
preferred and remove it; every refusal names its field."""

import datetime
import json
from decimal import Decimal

import pytest

from tandem.core.audit import entries_of
from tandem.core.errors import BusinessRuleError, ConflictError
from tandem.core.models import AuditEntry
from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory
from tandem.purchasing import services
from tandem.purchasing.models import SupplierPrice, SupplierProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def counterparty(db):
    return CounterpartyFactory(client=ClientFactory(name="Holzhandel Nord"), legal_name="Holzhandel Nord GmbH",
                               valid_from=datetime.date(2024, 1, 1))


def _json(http, method, url, body):
    return getattr(http, method)(url, data=json.dumps(body), content_type="application/json")


# --- Services -------------------------------------------------------------------------------------------------

def test_supplier_profile_days_are_checked_and_changes_audited(counterparty, buyer):
    with pytest.raises(BusinessRuleError) as refused:
        services.create_supplier(counterparty=counterparty, by=buyer, payment_terms_days=4000)
    assert refused.value.field == "payment_terms_days"
    with pytest.raises(BusinessRuleError) as refused:
        services.create_supplier(counterparty=counterparty, by=buyer, lead_time_days=-1)
    assert refused.value.field == "lead_time_days"
    assert not SupplierProfile.objects.exists()
    supplier = services.create_supplier(counterparty=counterparty, by=buyer, currency="usd", lead_time_days=14)
    assert supplier.currency == "USD" and supplier.lead_time_days == 14
    with pytest.raises(ConflictError):
        services.create_supplier(counterparty=counterparty, by=buyer)
    with pytest.raises(BusinessRuleError) as refused:
        services.update_supplier(supplier, by=buyer, currency="XXQ")
    assert refused.value.field == "currency"
    with pytest.raises(BusinessRuleError) as refused:
        services.update_supplier(supplier, by=buyer, lead_time_days="2.5")
    assert refused.value.field == "lead_time_days"
    services.update_supplier(supplier, by=buyer, payment_terms_days=60, is_active=False, note="  Call first  ")
    supplier.refresh_from_db()
    assert (supplier.payment_terms_days, supplier.is_active, supplier.note) == (60, False, "Call first")
    changed = entries_of(supplier).filter(action="purchasing.supplierprofile.changed").get()
    assert changed.changes["payment_terms_days"] == [30, 60]


def test_price_edit_refusals_name_the_field_and_nothing_is_written(pump_price, buyer):
    for values, field in (({"pack_size": "0"}, "pack_size"), ({"min_quantity": "-1"}, "min_quantity"),
                          ({"unit_price": "-0.01"}, "unit_price"), ({"lead_time_days": 5000}, "lead_time_days"),
                          ({"valid_from": datetime.date(2026, 7, 1), "valid_to": datetime.date(2026, 6, 1)},
                           "valid_to"),
                          ({"valid_from": datetime.date(1800, 1, 1)}, "valid_from"),
                          ({"unit_price": "1e12"}, "unit_price"), ({"currency": "ZZZ"}, "currency"),
                          ({"product": None}, "product")):
        with pytest.raises(BusinessRuleError) as refused:
            services.update_supplier_price(pump_price, by=buyer, **values)
        assert refused.value.field == field, values
    pump_price.refresh_from_db()
    assert (pump_price.unit_price, pump_price.pack_size, pump_price.valid_to) == (Decimal(40), Decimal(1), None)


def test_price_edit_remove_and_preferred_are_audited(pump_price, supplier, pump, buyer, counterparty):
    other = services.create_supplier(counterparty=counterparty, by=buyer, currency="EUR")
    second = services.add_supplier_price(supplier=other, product=pump, unit_price="35", by=buyer, pack_size="12",
                                         valid_from=datetime.date(2026, 1, 1), valid_to=datetime.date(2026, 12, 31),
                                         supplier_sku=" HN-77 ")
    assert (second.supplier_sku, second.lead_time_days, second.currency) == ("HN-77", 7, "EUR")
    services.update_supplier_price(second, by=buyer, is_preferred=True, unit_price="34.5")
    pump_price.refresh_from_db()
    second.refresh_from_db()
    assert second.is_preferred and not pump_price.is_preferred and second.unit_price == Decimal("34.5")
    before, after = entries_of(second).filter(action="purchasing.supplierprice.changed").get().changes["unit_price"]
    assert (Decimal(before), Decimal(after)) == (Decimal(35), Decimal("34.5"))
    second_id = second.pk
    services.remove_supplier_price(second, by=buyer)
    assert list(SupplierPrice.objects.all()) == [pump_price]
    assert AuditEntry.objects.filter(action="purchasing.supplierprice.removed", object_id=str(second_id)).exists()


# --- API --------------------------------------------------------------------------------------------------------

def test_api_supplier_profile_and_price_round_trip(api, buyer, counterparty, pump, storeman):
    http = api(buyer)
    made = _json(http, "post", "/api/v1/purchasing/suppliers", {"counterparty_id": counterparty.pk,
                                                                 "payment_terms_days": 45})
    assert made.status_code == 201, made.content
    supplier_id = made.json()["id"]
    bad = _json(http, "patch", f"/api/v1/purchasing/suppliers/{supplier_id}", {"currency": "ZZZ"})
    assert bad.status_code == 400 and bad.json()["field"] == "currency"
    assert _json(http, "post", "/api/v1/purchasing/suppliers", {"counterparty_id": counterparty.pk}
                 ).status_code == 409
    patched = _json(http, "patch", f"/api/v1/purchasing/suppliers/{supplier_id}", {"lead_time_days": 21,
                                                                                   "is_active": False})
    assert patched.status_code == 200 and patched.json()["lead_time_days"] == 21
    price = _json(http, "post", "/api/v1/purchasing/supplier-prices", {
        "supplier_id": supplier_id, "product_id": pump.pk, "unit_price": "8.25", "pack_size": "6",
        "valid_from": "2026-01-01", "valid_to": "2026-12-31", "supplier_sku": "HN-1"})
    assert price.status_code == 201, price.content
    body = price.json()
    assert (body["pack_size"], body["valid_to"], body["supplier_sku"], body["lead_time_days"]) == (
        "6", "2026-12-31", "HN-1", 21)
    url = f"/api/v1/purchasing/supplier-prices/{body['id']}"
    for change, field in (({"pack_size": "0"}, "pack_size"), ({"valid_to": "2025-12-31"}, "valid_to"),
                          ({"min_quantity": "-2"}, "min_quantity")):
        refused = _json(http, "patch", url, change)
        assert refused.status_code == 400 and refused.json()["field"] == field, refused.content
    changed = _json(http, "patch", url, {"min_quantity": "24", "valid_to": None})
    assert changed.status_code == 200 and changed.json()["min_quantity"] == "24" and changed.json()["valid_to"] is None
    assert _json(api(storeman), "patch", url, {"min_quantity": "1"}).status_code == 403
    assert api(storeman).delete(url).status_code == 403
    assert http.delete(url).status_code == 204
    assert http.delete(url).status_code == 404


# --- Pages ------------------------------------------------------------------------------------------------------

def test_buyer_makes_a_counterparty_a_supplier_and_edits_it_on_the_pages(client, buyer, counterparty, storeman):
    client.force_login(buyer)
    assert 'href="/purchasing/suppliers/new/"' in client.get("/purchasing/suppliers/").content.decode()
    card = client.get(f"/clients/{counterparty.client_id}/").content.decode()
    assert f"/purchasing/suppliers/new/?client={counterparty.client_id}" in card
    form = client.get(f"/purchasing/suppliers/new/?client={counterparty.client_id}&counterparty={counterparty.pk}")
    assert form.status_code == 200 and "Holzhandel Nord GmbH" in form.content.decode()
    refused = client.post("/purchasing/suppliers/new/", {"counterparty": counterparty.pk, "currency": "EUR",
                                                          "payment_terms_days": "9999", "lead_time_days": "7"})
    assert refused.status_code == 400 and not SupplierProfile.objects.exists()
    made = client.post("/purchasing/suppliers/new/", {"counterparty": counterparty.pk, "currency": "USD",
                                                       "payment_terms_days": "14", "lead_time_days": "5",
                                                       "note": "Pallets only"})
    supplier = SupplierProfile.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/purchasing/suppliers/{supplier.pk}/"
    assert (supplier.currency, supplier.payment_terms_days, supplier.lead_time_days) == ("USD", 14, 5)
    # Once every legal entity of the client is a supplier, the card offers no more.
    assert "/purchasing/suppliers/new/" not in client.get(f"/clients/{counterparty.client_id}/").content.decode()
    again = client.post("/purchasing/suppliers/new/", {"counterparty": counterparty.pk, "currency": "EUR",
                                                        "payment_terms_days": "1", "lead_time_days": "1"})
    assert again.status_code == 400 and "already a supplier" in again.content.decode()
    edit = client.get(f"/purchasing/suppliers/{supplier.pk}/edit/")
    assert edit.status_code == 200 and 'value="14"' in edit.content.decode()
    saved = client.post(f"/purchasing/suppliers/{supplier.pk}/edit/", {"currency": "EUR", "payment_terms_days": "30",
                                                                      "lead_time_days": "12", "note": ""})
    assert saved.status_code == 302
    supplier.refresh_from_db()
    assert (supplier.currency, supplier.lead_time_days, supplier.is_active, supplier.note) == ("EUR", 12, False, "")
    client.force_login(storeman)
    assert client.get(f"/purchasing/suppliers/{supplier.pk}/edit/").status_code == 403
    assert client.get("/purchasing/suppliers/new/").status_code == 403


def test_price_form_from_the_supplier_card_edit_prefer_and_remove(client, buyer, supplier, pump, pump_price,
                                                                   counterparty, storeman):
    client.force_login(buyer)
    card = client.get(f"/purchasing/suppliers/{supplier.pk}/").content.decode()
    assert f"/purchasing/prices/new/?supplier={supplier.pk}&amp;back=supplier" in card and "Edit supplier" in card
    form = client.get(f"/purchasing/prices/new/?supplier={supplier.pk}&back=supplier").content.decode()
    assert '<option value="EUR" selected>' in form and 'value="10"' in form  # supplier's currency and lead time
    other = services.create_supplier(counterparty=counterparty, by=buyer, currency="EUR")
    data = {"supplier": other.pk, "product": pump.pk, "currency": "USD", "unit_price": "7.5", "min_quantity": "10",
            "pack_size": "5", "lead_time_days": "3", "valid_from": "2026-01-01", "valid_to": "2025-01-01",
            "supplier_sku": "HN-PUMP", "back": "supplier"}
    refused = client.post("/purchasing/prices/new/", data)
    assert refused.status_code == 400 and "before" in refused.content.decode()
    added = client.post("/purchasing/prices/new/", {**data, "valid_to": "2026-12-31"})
    price = SupplierPrice.objects.get(supplier=other)
    assert added.status_code == 302 and added["Location"] == f"/purchasing/suppliers/{other.pk}/#prices"
    assert (price.currency, price.pack_size, price.min_quantity, price.supplier_sku, price.valid_to) == (
        "USD", 5, 10, "HN-PUMP", datetime.date(2026, 12, 31))
    edit_url = f"/purchasing/prices/{price.pk}/edit/"
    assert 'value="HN-PUMP"' in client.get(edit_url).content.decode()
    bad = client.post(edit_url, {"currency": "USD", "unit_price": "7.5", "pack_size": "0", "back": "product"})
    assert bad.status_code == 400
    saved = client.post(edit_url, {"currency": "USD", "unit_price": "7.25", "pack_size": "10", "min_quantity": "10",
                                   "lead_time_days": "3", "valid_from": "2026-01-01", "back": "product"})
    assert saved.status_code == 302 and saved["Location"] == f"/catalog/products/{pump.pk}/#panel-suppliers"
    price.refresh_from_db()
    assert (price.unit_price, price.pack_size, price.valid_to, price.supplier_sku) == (Decimal("7.25"), 10, None, "")
    panel = client.get(f"/catalog/products/{pump.pk}/").content.decode()
    assert f"/purchasing/prices/{price.pk}/prefer/" in panel
    assert f"/purchasing/prices/{pump_price.pk}/prefer/" not in panel  # already the preferred one
    client.force_login(storeman)
    assert client.post(f"/purchasing/prices/{price.pk}/prefer/").status_code == 403
    assert client.post(f"/purchasing/prices/{price.pk}/remove/").status_code == 403
    assert client.get(edit_url).status_code == 403
    client.force_login(buyer)
    assert client.post(f"/purchasing/prices/{price.pk}/prefer/").status_code == 302
    price.refresh_from_db()
    pump_price.refresh_from_db()
    assert price.is_preferred and not pump_price.is_preferred
    removed = client.post(f"/purchasing/prices/{price.pk}/remove/", {"back": "supplier"})
    assert removed.status_code == 302 and removed["Location"] == f"/purchasing/suppliers/{other.pk}/#prices"
    assert not SupplierPrice.objects.filter(pk=price.pk).exists()
    assert client.get(edit_url).status_code == 404
