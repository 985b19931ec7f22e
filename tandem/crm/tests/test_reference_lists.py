"""CRM reference lists on settings pages: lost reasons (add, rename, deactivate) and complaint categories
(add, rename, archive; the former fixed values became rows and the API still accepts their codes)."""

import pytest

from tandem.core.errors import AccessDenied, BusinessRuleError, ConflictError
from tandem.core.models import AuditEntry
from tandem.crm.models import ComplaintCategory, LostReason
from tandem.crm.services import complaints
from tandem.crm.services import reference_lists as services
from tandem.crm.tests.factories import LostReasonFactory
from tandem.crm.tests.factories_activity import ComplaintFactory


def test_the_former_categories_are_rows_in_order(db):
    assert list(ComplaintCategory.objects.values_list("code", "name")) == [
        ("quality", "Product quality"), ("delivery", "Delivery"), ("billing", "Billing"), ("service", "Service"),
        ("other", "Other")]


def test_category_services_add_rename_archive(sales_manager, sales_rep, own_client):
    warranty = services.create_complaint_category(by=sales_manager, name="Warranty")
    assert ComplaintCategory.objects.last() == warranty  # added at the end
    with pytest.raises(ConflictError):
        services.create_complaint_category(by=sales_manager, name="warranty")
    with pytest.raises(BusinessRuleError):
        services.create_complaint_category(by=sales_manager, name="  ")
    with pytest.raises(AccessDenied):
        services.create_complaint_category(by=sales_rep, name="Mine")

    complaint = complaints.register_complaint(by=sales_rep, client=own_client, category=warranty.pk,
                                              description="Broke in week 2")
    services.update_complaint_category(warranty, by=sales_manager, name="Guarantee")
    complaint.refresh_from_db()
    assert str(complaint.category) == "Guarantee"
    assert AuditEntry.objects.filter(action="crm.complaintcategory.updated").exists()

    services.archive_complaint_category(warranty, by=sales_manager)
    with pytest.raises(BusinessRuleError) as refused:
        complaints.register_complaint(by=sales_rep, client=own_client, category=warranty.pk, description="x")
    assert refused.value.field == "category"
    # The complaint filed under it keeps it, and may be edited without changing it.
    complaints.update_complaint(complaint, by=sales_rep, category=warranty.pk, description="Broke in week 3")


def test_lost_reason_rename_and_deactivate(sales_manager):
    reason = LostReasonFactory(name="Too pricey")
    LostReasonFactory(name="No budget")
    services.rename_lost_reason(reason, by=sales_manager, name="Price too high")
    with pytest.raises(ConflictError):
        services.rename_lost_reason(reason, by=sales_manager, name="no budget")
    services.set_lost_reason_active(reason, False, by=sales_manager)
    reason.refresh_from_db()
    assert (reason.name, reason.is_active) == ("Price too high", False)
    assert AuditEntry.objects.filter(action="crm.lostreason.deactivated").count() == 1


# --- Pages ------------------------------------------------------------------------------------------

def test_complaint_category_page(client, sales_manager):
    client.force_login(sales_manager)
    page = client.get("/crm/settings/complaint-categories/")
    assert page.status_code == 200 and "Product quality" in page.content.decode()
    assert client.post("/crm/settings/complaint-categories/", {"name": "Warranty"}).status_code == 302
    warranty = ComplaintCategory.objects.get(name="Warranty")
    response = client.post("/crm/settings/complaint-categories/", {"name": "WARRANTY"})
    assert response.status_code == 400 and "exists already" in response.content.decode()
    client.post(f"/crm/settings/complaint-categories/{warranty.pk}/rename/", {"name": "Guarantee"})
    client.post(f"/crm/settings/complaint-categories/{warranty.pk}/archive/", follow=True)
    warranty.refresh_from_db()
    assert (warranty.name, warranty.is_archived) == ("Guarantee", True)
    # Not offered on the complaint form any more.
    form_page = client.get("/crm/complaints/new/").content.decode()
    assert "Guarantee" not in form_page and "Product quality" in form_page
    client.post(f"/crm/settings/complaint-categories/{warranty.pk}/restore/")
    assert not ComplaintCategory.objects.get(pk=warranty.pk).is_archived


def test_lost_reason_page(client, sales_manager):
    client.force_login(sales_manager)
    assert client.post("/crm/settings/lost-reasons/", {"name": "Went quiet"}).status_code == 302
    reason = LostReason.objects.get(name="Went quiet")
    client.post(f"/crm/settings/lost-reasons/{reason.pk}/rename/", {"name": "No answer"})
    client.post(f"/crm/settings/lost-reasons/{reason.pk}/deactivate/")
    reason.refresh_from_db()
    assert (reason.name, reason.is_active) == ("No answer", False)
    client.post(f"/crm/settings/lost-reasons/{reason.pk}/reactivate/")
    assert LostReason.objects.get(pk=reason.pk).is_active


def test_crm_settings_pages_refused_to_a_sales_representative(client, sales_rep):
    category = ComplaintCategory.objects.first()
    client.force_login(sales_rep)
    assert client.get("/crm/settings/lost-reasons/").status_code == 403
    assert client.get("/crm/settings/complaint-categories/").status_code == 403
    assert client.post(f"/crm/settings/complaint-categories/{category.pk}/archive/").status_code == 403
    assert not ComplaintCategory.objects.get(pk=category.pk).is_archived


def test_settings_menu_shows_crm_lists_to_a_sales_manager(client, sales_manager):
    client.force_login(sales_manager)
    home = client.get("/").content.decode()
    assert 'href="/crm/settings/lost-reasons/"' in home and 'href="/crm/settings/complaint-categories/"' in home


# --- API --------------------------------------------------------------------------------------------

def post(http, url, data=None):
    return http.post(url, data or {}, content_type="application/json")


def test_api_complaint_output_carries_category_id_and_name_and_accepts_code_or_id(api, sales_rep, own_client):
    http = api(sales_rep)
    billing = ComplaintCategory.objects.get(code="billing")
    response = post(http, "/api/v1/crm/complaints", {"client_id": own_client.pk, "category": "quality",
                                                     "description": "Dented"})
    assert response.status_code == 201
    body = response.json()
    assert (body["category"], body["category_name"]) == (ComplaintCategory.objects.get(code="quality").pk,
                                                         "Product quality")
    response = http.patch(f"/api/v1/crm/complaints/{body['id']}", {"category": billing.pk},
                          content_type="application/json")
    assert response.json()["category_name"] == "Billing"
    listed = http.get("/api/v1/crm/complaints", {"category_id": billing.pk}).json()
    assert [row["id"] for row in listed["items"]] == [body["id"]]
    response = post(http, "/api/v1/crm/complaints", {"client_id": own_client.pk, "category": 999999,
                                                     "description": "x"})
    assert response.status_code == 400 and response.json()["field"] == "category"
    for beyond in ("99999999999999999999", str(2**70)):  # digits naming no possible row: 400, not a crash
        response = post(http, "/api/v1/crm/complaints", {"client_id": own_client.pk, "category": beyond,
                                                         "description": "x"})
        assert response.status_code == 400 and response.json()["field"] == "category"


def test_api_complaint_categories(api, sales_manager, sales_rep):
    http = api(sales_manager)
    response = post(http, "/api/v1/crm/complaint-categories", {"name": "Warranty"})
    assert response.status_code == 201
    created = response.json()
    assert (created["name"], created["code"], created["is_archived"]) == ("Warranty", "", False)
    assert post(http, "/api/v1/crm/complaint-categories", {"name": "warranty"}).status_code == 409
    response = http.patch(f"/api/v1/crm/complaint-categories/{created['id']}", {"name": "Guarantee"},
                          content_type="application/json")
    assert response.json()["name"] == "Guarantee"
    assert post(http, f"/api/v1/crm/complaint-categories/{created['id']}/archive").json()["is_archived"] is True
    names = [row["name"] for row in http.get("/api/v1/crm/complaint-categories").json()]
    assert "Guarantee" not in names and "Product quality" in names
    assert "Guarantee" in [row["name"] for row in
                           http.get("/api/v1/crm/complaint-categories", {"archived": "all"}).json()]
    assert post(api(sales_rep), "/api/v1/crm/complaint-categories", {"name": "Mine"}).status_code == 403
    assert api(sales_rep).get("/api/v1/crm/complaint-categories").status_code == 200


def test_api_lost_reason_patch(api, sales_manager, sales_rep):
    reason = LostReasonFactory(name="Too pricey")
    http = api(sales_manager)
    response = http.patch(f"/api/v1/crm/lost-reasons/{reason.pk}", {"name": "Price", "is_active": False},
                          content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {"id": reason.pk, "name": "Price", "is_active": False}
    assert api(sales_rep).patch(f"/api/v1/crm/lost-reasons/{reason.pk}", {"is_active": True},
                                content_type="application/json").status_code == 403


def test_complaint_factory_uses_the_quality_row(db):
    assert ComplaintFactory().category.code == "quality"


def test_category_names_are_unique_in_any_letter_case_in_the_database(db):
    from django.db import IntegrityError, transaction

    ComplaintCategory.objects.create(name="Warranty")
    with pytest.raises(IntegrityError), transaction.atomic():
        ComplaintCategory.objects.create(name="WARRANTY")
