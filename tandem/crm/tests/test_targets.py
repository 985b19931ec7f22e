"""Monthly sales targets: set by a sales manager or an administrator (service, page with htmx save, API),
audited; a representative reads only their own."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from tandem.core.errors import AccessDenied, BusinessRuleError
from tandem.core.models import AuditEntry
from tandem.core.services import get_company
from tandem.crm.models import SalesTarget
from tandem.crm.services import targets as services

MONTH = datetime.date(2026, 3, 1)


@pytest.fixture(autouse=True)
def base_currency(db):
    company = get_company()
    company.base_currency = "EUR"
    company.save()


def test_manager_sets_changes_and_removes_a_target_audited(sales_manager, sales_rep):
    target = services.set_target(sales_rep, datetime.date(2026, 3, 17), "25000.005", by=sales_manager)
    assert (target.month, target.amount, target.currency) == (MONTH, Decimal("25000.01"), "EUR")
    services.set_target(sales_rep, "2026-03", Decimal("30000"), by=sales_manager)
    assert SalesTarget.objects.get().amount == Decimal("30000")
    services.set_target(sales_rep, "2026-03", "30000.00", by=sales_manager)  # unchanged: no entry
    entries = list(AuditEntry.objects.filter(action="crm.salestarget.set").order_by("id"))
    assert len(entries) == 2
    assert entries[1].changes["amount"] == ["25000.0100", "30000.00"]
    services.delete_target(SalesTarget.objects.get(), by=sales_manager)
    assert not SalesTarget.objects.exists()
    assert AuditEntry.objects.filter(action="crm.salestarget.deleted").count() == 1


def test_administrator_may_set_targets(admin_user, sales_rep):
    assert services.set_target(sales_rep, MONTH, "1", by=admin_user).amount == Decimal("1.00")


@pytest.mark.parametrize("amount, code", [("-1", "negative_amount"), ("abc", "invalid"), (None, "invalid"),
                                          (1.5, "invalid"), ("1e20", "invalid")])
def test_bad_amounts_are_refused(sales_manager, sales_rep, amount, code):
    with pytest.raises(BusinessRuleError) as exc:
        services.set_target(sales_rep, MONTH, amount, by=sales_manager)
    assert (exc.value.code, exc.value.field) == (code, "amount")
    assert not SalesTarget.objects.exists()


def test_bad_month_is_refused(sales_manager, sales_rep):
    with pytest.raises(BusinessRuleError) as exc:
        services.set_target(sales_rep, "March", "1", by=sales_manager)
    assert exc.value.field == "month"


def test_representative_cannot_set_targets(sales_rep, other_rep):
    with pytest.raises(AccessDenied):
        services.set_target(other_rep, MONTH, "1", by=sales_rep)
    with pytest.raises(AccessDenied):
        services.set_target(sales_rep, MONTH, "1", by=sales_rep)


# --- API ----------------------------------------------------------------------------------------------

def test_api_put_list_delete(api, sales_manager, sales_rep, other_rep):
    manager = api(sales_manager)
    response = manager.put(f"/api/v1/crm/targets/{sales_rep.pk}/2026-03", {"amount": "12000.50"},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json() == {"user": {"id": sales_rep.pk, "name": sales_rep.display_name}, "month": "2026-03",
                               "amount": "12000.50", "currency": "EUR"}
    rows = manager.get("/api/v1/crm/targets?month=2026-03").json()
    assert {r["user"]["id"]: r["amount"] for r in rows} == {sales_rep.pk: "12000.50", other_rep.pk: None}
    # A representative reads only their own row and cannot write.
    rep = api(sales_rep)
    assert [r["user"]["id"] for r in rep.get("/api/v1/crm/targets?month=2026-03").json()] == [sales_rep.pk]
    assert rep.put(f"/api/v1/crm/targets/{sales_rep.pk}/2026-03", {"amount": "1"},
                   content_type="application/json").status_code == 403
    assert manager.delete(f"/api/v1/crm/targets/{sales_rep.pk}/2026-03").status_code == 204
    assert manager.delete(f"/api/v1/crm/targets/{sales_rep.pk}/2026-03").status_code == 404


def test_api_refusals(api, sales_manager, sales_rep):
    manager = api(sales_manager)
    negative = manager.put(f"/api/v1/crm/targets/{sales_rep.pk}/2026-03", {"amount": "-5"},
                           content_type="application/json")
    assert negative.status_code == 400 and negative.json()["field"] == "amount"
    bad_month = manager.put(f"/api/v1/crm/targets/{sales_rep.pk}/2026-13", {"amount": "5"},
                            content_type="application/json")
    assert bad_month.status_code == 400 and bad_month.json()["field"] == "month"
    assert manager.put("/api/v1/crm/targets/999999/2026-03", {"amount": "5"},
                       content_type="application/json").status_code == 404  # no such user
    assert manager.put(f"/api/v1/crm/targets/{sales_rep.pk}/2026-03", {"amount": "5", "x": 1},
                       content_type="application/json").status_code in (400, 422)
    assert not SalesTarget.objects.exists()


# --- Page ---------------------------------------------------------------------------------------------

def test_page_lists_representatives_and_saves_with_htmx(client, sales_manager, sales_rep, other_rep):
    client.force_login(sales_manager)
    page = client.get(reverse("crm:target-list") + "?month=2026-03").content.decode()
    assert sales_rep.display_name in page and other_rep.display_name in page
    url = reverse("crm:target-edit", args=[sales_rep.pk, "2026-03"])
    saved = client.post(url, {"amount": "4500"}, headers={"HX-Request": "true"})
    assert saved.status_code == 200 and 'value="4500.00"' in saved.content.decode()
    assert SalesTarget.objects.get(user=sales_rep, month=MONTH).amount == Decimal("4500")
    refused = client.post(url, {"amount": "-3"}, headers={"HX-Request": "true"})
    assert refused.status_code == 400 and 'aria-invalid="true"' in refused.content.decode()
    assert SalesTarget.objects.get(user=sales_rep, month=MONTH).amount == Decimal("4500")
    cleared = client.post(url, {"amount": ""})  # without htmx: back to the page
    assert cleared.status_code == 302 and not SalesTarget.objects.exists()


def test_representative_sees_own_target_read_only(client, sales_manager, sales_rep, other_rep):
    services.set_target(sales_rep, MONTH, "700", by=sales_manager)
    services.set_target(other_rep, MONTH, "900", by=sales_manager)
    client.force_login(sales_rep)
    page = client.get(reverse("crm:target-list") + "?month=2026-03").content.decode()
    table = page.split('id="target-table"', 1)[1].split("</table>", 1)[0]
    assert "700.00" in table and "900" not in table and other_rep.display_name not in table
    assert "<form" not in table
    assert client.post(reverse("crm:target-edit", args=[sales_rep.pk, "2026-03"]),
                       {"amount": "1"}).status_code == 403


def test_a_representative_with_targets_is_deactivated_not_deleted(admin_user, sales_manager, sales_rep):
    from tandem.core import services as core_services
    from tandem.core.errors import ConflictError

    services.set_target(sales_rep, "2026-03", "1000", by=sales_manager)
    with pytest.raises(ConflictError):
        core_services.delete_user(sales_rep, by=admin_user)
    assert SalesTarget.objects.filter(user=sales_rep).exists()


def test_target_audit_entries_follow_the_target_record_rules(sales_manager, sales_rep, make_user):
    from tandem.core import audit, roles

    colleague = make_user(roles.SALES_REPRESENTATIVE, username="colleague")
    own = services.set_target(sales_rep, "2026-03", "1000", by=sales_manager)
    other = services.set_target(colleague, "2026-03", "2000", by=sales_manager)
    entries = AuditEntry.objects.filter(action="crm.salestarget.set")

    def seen(user):
        return sorted(int(e.object_id) for e in audit.visible_entries(entries, user))

    assert seen(sales_manager) == sorted([own.pk, other.pk])
    assert seen(sales_rep) == [own.pk]
