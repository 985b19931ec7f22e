"""Owners of clients are active users with a sales role (core.owners), in the services and so in the API: an
inactive user or a warehouse clerk is refused (400 on `owner`, nothing written), a representative or a manager
is accepted. Only a new owner is checked: a client keeps an owner who has left until it is handed on."""

import json

import pytest

from tandem.core import roles
from tandem.core.errors import BusinessRuleError
from tandem.parties import services
from tandem.parties.models import Client
from tandem.parties.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

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


def test_create_client_refuses_an_inactive_or_non_sales_owner(sales_manager, gone_rep, clerk, admin_user):
    for owner, code in ((gone_rep, "inactive_owner"), (clerk, "owner_not_in_sales"),
                        (admin_user, "owner_not_in_sales")):
        with pytest.raises(BusinessRuleError) as exc:
            services.create_client(by=sales_manager, name="Acme", owner=owner)
        _refused(exc, code)
    assert not Client.objects.exists()


def test_create_client_accepts_a_representative_or_a_manager(sales_manager, sales_rep):
    assert services.create_client(by=sales_manager, name="For rep", owner=sales_rep).owner == sales_rep
    assert services.create_client(by=sales_manager, name="Own").owner == sales_manager
    assert services.create_client(by=sales_rep, name="Rep's own").owner == sales_rep


def test_update_client_checks_a_new_owner_only(sales_manager, sales_rep, other_rep, clerk):
    acme = ClientFactory(owner=sales_rep, name="Acme")
    with pytest.raises(BusinessRuleError) as exc:
        services.update_client(acme, by=sales_manager, owner=clerk, name="Acme AG")
    _refused(exc, "owner_not_in_sales")
    acme.refresh_from_db()
    assert (acme.owner, acme.name) == (sales_rep, "Acme")
    # The representative leaves: the client keeps its owner and still saves, the unchanged owner sent along too.
    sales_rep.is_active = False
    sales_rep.save(update_fields=["is_active"])
    acme = services.update_client(acme, by=sales_manager, owner=sales_rep, name="Acme AG")
    assert (acme.owner, acme.name) == (sales_rep, "Acme AG")
    assert services.update_client(acme, by=sales_manager, owner=other_rep).owner == other_rep
    with pytest.raises(BusinessRuleError) as exc:
        services.update_client(acme, by=sales_manager, owner=sales_rep)
    _refused(exc, "inactive_owner")


def test_client_api_refuses_an_inactive_or_warehouse_owner(api, sales_manager, sales_rep, gone_rep, clerk):
    http = api(sales_manager)
    for owner in (gone_rep, clerk):
        _api_refused(_send(http, "post", "/api/v1/clients", {"name": "Acme", "owner_id": owner.pk}), owner)
    assert not Client.objects.exists()
    for owner in (sales_rep, sales_manager):
        response = _send(http, "post", "/api/v1/clients", {"name": f"Client of {owner.username}",
                                                           "owner_id": owner.pk})
        assert response.status_code == 201, response.content
        assert response.json()["owner"]["id"] == owner.pk
    acme = Client.objects.get(owner=sales_rep)
    for owner in (gone_rep, clerk):
        _api_refused(_send(http, "patch", f"/api/v1/clients/{acme.pk}", {"owner_id": owner.pk}), owner)
    acme.refresh_from_db()
    assert (acme.owner, acme.version) == (sales_rep, 1)
    response = _send(http, "patch", f"/api/v1/clients/{acme.pk}", {"owner_id": sales_manager.pk})
    assert response.status_code == 200 and response.json()["owner"]["id"] == sales_manager.pk
