"""Owners of deals and leads are active users with a sales role (core.owners), in the services and so in the
API: an inactive user or a warehouse clerk is refused (400 on `owner`, nothing written), a representative or a
manager is accepted. Only a new owner is checked: a record keeps an owner who has left until it is handed on."""

import json

import pytest

from tandem.core import owners, pickers, roles
from tandem.core.errors import BusinessRuleError
from tandem.core.models import AuditEntry
from tandem.crm.models import Deal, Lead
from tandem.crm.services import deals as deal_services
from tandem.crm.services import leads as lead_services
from tandem.crm.tests.factories_marketing import LeadFactory
from tandem.parties.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/crm"
REFUSAL = "is not an active user with a sales role."


@pytest.fixture
def gone_rep(make_user):
    return make_user(roles.SALES_REPRESENTATIVE, username="gone", is_active=False)


@pytest.fixture
def clerk(make_user):
    return make_user(roles.WAREHOUSE, username="clerk")


def _refused(exc, code):
    assert (exc.value.code, exc.value.field) == (code, "owner")
    assert REFUSAL in exc.value.message


def _send(http, method, url, data):
    return getattr(http, method)(url, json.dumps(data), content_type="application/json")


def _api_refused(response, user):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["field"] == "owner" and body["errors"] == [{"field": "owner", "message": body["message"]}]
    assert body["message"] == f"{user.display_name} {REFUSAL}"


# --- The one definition --------------------------------------------------------------------------------


def test_sales_users_are_active_users_with_a_sales_role(sales_rep, sales_manager, gone_rep, clerk, admin_user):
    assert set(owners.sales_users()) == {sales_rep, sales_manager}
    assert set(pickers.sales_users()) == {sales_rep, sales_manager}  # the owner pickers offer the same people
    assert [owners.is_sales_user(u) for u in (sales_rep, sales_manager, gone_rep, clerk, admin_user, None)] == [
        True, True, False, False, False, False]


# --- Deals -----------------------------------------------------------------------------------------------


def test_create_deal_refuses_an_inactive_or_non_sales_owner(sales, sales_manager, gone_rep, clerk):
    client = ClientFactory(owner=sales_manager)
    for owner, code in ((gone_rep, "inactive_owner"), (clerk, "owner_not_in_sales")):
        with pytest.raises(BusinessRuleError) as exc:
            deal_services.create_deal(by=sales_manager, client=client, title="Pumps", owner=owner)
        _refused(exc, code)
    assert not Deal.objects.exists() and not AuditEntry.objects.filter(action="crm.deal.created").exists()


def test_create_deal_accepts_a_representative_or_a_manager(sales, sales_manager, sales_rep):
    client = ClientFactory(owner=sales_manager)
    assert deal_services.create_deal(by=sales_manager, client=client, title="A", owner=sales_rep).owner == sales_rep
    assert deal_services.create_deal(by=sales_manager, client=client, title="B").owner == sales_manager
    assert deal_services.create_deal(by=sales_rep, client=ClientFactory(owner=sales_rep), title="C").owner == sales_rep


def test_update_deal_checks_a_new_owner_only(sales, sales_manager, sales_rep, other_rep, clerk):
    deal = deal_services.create_deal(by=sales_manager, client=ClientFactory(owner=sales_rep), title="Pumps",
                                     owner=sales_rep)
    with pytest.raises(BusinessRuleError) as exc:
        deal_services.update_deal(deal, by=sales_manager, owner=clerk, title="Renamed")
    _refused(exc, "owner_not_in_sales")
    deal.refresh_from_db()
    assert (deal.owner, deal.title, deal.version) == (sales_rep, "Pumps", 1)
    with pytest.raises(BusinessRuleError) as exc:
        deal_services.update_deal(deal, by=sales_manager, owner=None)
    assert (exc.value.code, exc.value.field) == ("required", "owner")
    # The representative leaves: the deal keeps its owner and still saves, the unchanged owner sent along too.
    sales_rep.is_active = False
    sales_rep.save(update_fields=["is_active"])
    deal = deal_services.update_deal(deal, by=sales_manager, owner=sales_rep, title="Pumps and valves")
    assert (deal.owner, deal.title) == (sales_rep, "Pumps and valves")
    # Handed on: to a representative or to the manager.
    assert deal_services.update_deal(deal, by=sales_manager, owner=other_rep).owner == other_rep
    assert deal_services.update_deal(deal, by=sales_manager, owner=sales_manager).owner == sales_manager
    with pytest.raises(BusinessRuleError) as exc:
        deal_services.update_deal(deal, by=sales_manager, owner=sales_rep)  # back to the one who left: no
    _refused(exc, "inactive_owner")


def test_deal_api_refuses_an_inactive_or_warehouse_owner(api, sales, sales_manager, sales_rep, gone_rep, clerk):
    http = api(sales_manager)
    client = ClientFactory(owner=sales_manager)
    for owner in (gone_rep, clerk):
        response = _send(http, "post", f"{URL}/deals", {"title": "Pumps", "client_id": client.pk,
                                                        "owner_id": owner.pk})
        _api_refused(response, owner)
    assert not Deal.objects.exists()
    for owner in (sales_rep, sales_manager):
        response = _send(http, "post", f"{URL}/deals", {"title": "Pumps", "client_id": client.pk,
                                                        "owner_id": owner.pk})
        assert response.status_code == 201, response.content
        assert response.json()["owner"]["id"] == owner.pk
    deal = Deal.objects.get(owner=sales_rep)
    for owner in (gone_rep, clerk):
        _api_refused(_send(http, "patch", f"{URL}/deals/{deal.pk}", {"owner_id": owner.pk}), owner)
    deal.refresh_from_db()
    assert (deal.owner, deal.version) == (sales_rep, 1)
    response = _send(http, "patch", f"{URL}/deals/{deal.pk}", {"owner_id": sales_manager.pk})
    assert response.status_code == 200 and response.json()["owner"]["id"] == sales_manager.pk


# --- Leads -----------------------------------------------------------------------------------------------


def test_create_lead_refuses_an_inactive_or_non_sales_owner(sales_manager, gone_rep, clerk):
    for owner, code in ((gone_rep, "inactive_owner"), (clerk, "owner_not_in_sales")):
        with pytest.raises(BusinessRuleError) as exc:
            lead_services.create_lead(by=sales_manager, name="Lena Berg", phone="+49301234567", owner=owner)
        _refused(exc, code)
    assert not Lead.objects.exists()


def test_create_lead_accepts_a_representative_or_a_manager(sales_manager, sales_rep):
    lead = lead_services.create_lead(by=sales_manager, name="Lena Berg", phone="+49301234567", owner=sales_rep)
    assert lead.owner == sales_rep
    assert lead_services.create_lead(by=sales_manager, name="Jan Nowak", phone="+48221234567").owner == sales_manager


def test_update_lead_checks_a_new_owner_only(sales_manager, sales_rep, clerk):
    lead = LeadFactory(owner=sales_rep, name="Lena Berg")
    with pytest.raises(BusinessRuleError) as exc:
        lead_services.update_lead(lead, by=sales_manager, owner=clerk, name="Lena Berger")
    _refused(exc, "owner_not_in_sales")
    lead.refresh_from_db()
    assert (lead.owner, lead.name) == (sales_rep, "Lena Berg")
    sales_rep.is_active = False
    sales_rep.save(update_fields=["is_active"])
    lead = lead_services.update_lead(lead, by=sales_manager, owner=sales_rep, name="Lena Berger")
    assert (lead.owner, lead.name) == (sales_rep, "Lena Berger")
    assert lead_services.update_lead(lead, by=sales_manager, owner=sales_manager).owner == sales_manager


def test_lead_api_refuses_an_inactive_or_warehouse_owner(api, sales_manager, sales_rep, gone_rep, clerk):
    http = api(sales_manager)
    for owner in (gone_rep, clerk):
        response = _send(http, "post", f"{URL}/leads", {"name": "Lena Berg", "phone": "+49301234567",
                                                        "owner_id": owner.pk})
        _api_refused(response, owner)
    assert not Lead.objects.exists()
    for owner in (sales_rep, sales_manager):
        response = _send(http, "post", f"{URL}/leads", {"name": f"Lead of {owner.username}",
                                                        "email": f"{owner.username}@lead.example",
                                                        "owner_id": owner.pk})
        assert response.status_code == 201, response.content
        assert response.json()["owner"]["id"] == owner.pk
    lead = Lead.objects.get(owner=sales_rep)
    for owner in (gone_rep, clerk):
        _api_refused(_send(http, "patch", f"{URL}/leads/{lead.pk}", {"owner_id": owner.pk}), owner)
    lead.refresh_from_db()
    assert lead.owner == sales_rep
    response = _send(http, "patch", f"{URL}/leads/{lead.pk}", {"owner_id": sales_manager.pk})
    assert response.status_code == 200 and response.json()["owner"]["id"] == sales_manager.pk
