"""Role x endpoint access matrix. The expected status of every cell is derived from the permissions each
role declares (AppConfig.role_permissions merged by core.permissions.role_permissions) and the record
rule (without parties.view_all_clients a user sees only the clients they own), never hard-coded."""

from contextlib import nullcontext

import pytest

from tandem.core.permissions import role_permissions
from tandem.core.roles import ROLES
from tandem.parties.models import Client
from tandem.parties.tests.factories import ClientFactory

JSON = "application/json"
CLIENT_NAME = "Zebra Matrix Ltd"

# name: (method, path, body, permission needed, needs the client to be visible, success status)
ENDPOINTS = {
    "list clients": ("get", "/api/v1/clients", None, "parties.view_client", False, 200),
    "get client": ("get", "/api/v1/clients/{id}", None, "parties.view_client", True, 200),
    "create client": ("post", "/api/v1/clients", {"name": "Matrix Ltd"}, "parties.add_client", False, 201),
    "patch client": ("patch", "/api/v1/clients/{id}", {"notes": "new"}, "parties.change_client", True, 200),
    "delete client": ("delete", "/api/v1/clients/{id}", None, "parties.delete_client", True, 204),
    "create counterparty": ("post", "/api/v1/clients/{id}/counterparties",
                            {"legal_name": "Zebra Legal GmbH", "valid_from": "2024-01-01"},
                            "parties.add_counterparty", True, 201),
    "create contact": ("post", "/api/v1/clients/{id}/contacts", {"first_name": "Zed"}, "parties.add_contact",
                       True, 201),
    "search": ("get", "/api/v1/search?q=zebra", None, "parties.view_client", False, 200),
}


def expected_status(role: str, endpoint: str, owns_client: bool) -> int:
    _method, _path, _body, perm, needs_visibility, success = ENDPOINTS[endpoint]
    perms = role_permissions()[role]
    visible = "parties.view_client" in perms and (owns_client or "parties.view_all_clients" in perms)
    if needs_visibility and not visible:
        return 404  # an invisible record does not exist for this user
    return success if perm in perms else 403


@pytest.mark.parametrize("owns_client", [False, True], ids=["other-owner", "own"])
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
@pytest.mark.parametrize("role", list(ROLES))
def test_access_matrix(api, make_user, nothing_written, role, endpoint, owns_client):
    actor = make_user(role, username="actor")
    owner = actor if owns_client else make_user(None, username="owner", is_active=True)
    client = ClientFactory(name=CLIENT_NAME, owner=owner, notes="")
    http = api(actor)
    method, path, body, _perm, _needs_visibility, _success = ENDPOINTS[endpoint]
    expected = expected_status(role, endpoint, owns_client)
    refused_or_read = expected >= 400 or method == "get"

    kwargs = {"data": body, "content_type": JSON} if body is not None else {}
    with nothing_written() if refused_or_read else nullcontext():
        response = getattr(http, method)(path.format(id=client.pk), **kwargs)

    assert response.status_code == expected, response.content
    if refused_or_read:
        client.refresh_from_db()
        assert client.notes == ""
    visible = expected_status(role, "get client", owns_client) == 200
    if endpoint == "list clients":
        assert (client.pk in [c["id"] for c in response.json()["items"]]) is visible
    if endpoint == "search":
        assert (("client", client.pk) in [(h["kind"], h["id"]) for h in response.json()]) is visible
    if endpoint == "delete client":
        assert Client.objects.filter(pk=client.pk).exists() is (expected != 204)


def test_matrix_covers_the_stories_of_the_roles():
    """The derived expectations say what the role descriptions promise."""
    # A sales representative edits own clients; another owner's client does not exist for them.
    assert expected_status("Sales representative", "patch client", owns_client=True) == 200
    assert expected_status("Sales representative", "get client", owns_client=False) == 404
    assert expected_status("Sales representative", "delete client", owns_client=True) == 403
    # A sales manager sees and edits every client.
    assert expected_status("Sales manager", "patch client", owns_client=False) == 200
    assert expected_status("Sales manager", "delete client", owns_client=False) == 204
    # A viewer reads everything and every write is refused.
    for endpoint, (method, *_rest) in ENDPOINTS.items():
        status = expected_status("Viewer", endpoint, owns_client=False)
        assert status == (200 if method == "get" else 403), endpoint
    # An accountant maintains legal entities but not clients.
    assert expected_status("Accountant", "create counterparty", owns_client=False) == 201
    assert expected_status("Accountant", "patch client", owns_client=False) == 403
