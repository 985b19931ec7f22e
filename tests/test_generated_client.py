"""An integrator's first day: generate a typed Python client from /api/v1/openapi.json with
openapi-python-client (no hand edits) and use it, with a bearer token, against a live server on a loopback
port to create, read, update, list and archive (or delete) a client, a contact and a deal."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest


def _generate(document: dict, where: Path) -> None:
    (where / "openapi.json").write_text(json.dumps(document))
    # Spreadsheets (the trial balance export) are binary downloads to the generator.
    (where / "config.yaml").write_text("post_hooks: []\nproject_name_override: tandem_client\n"
                                       "package_name_override: tandem_client\ncontent_type_overrides:\n"
                                       "  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet: "
                                       "application/octet-stream\n")
    generator = Path(sys.executable).with_name("openapi-python-client")
    subprocess.run(
        [str(generator), "generate", "--path", "openapi.json", "--meta", "none", "--config", "config.yaml",
         "--output-path", "tandem_client", "--fail-on-warning"],
        cwd=where, check=True, capture_output=True, text=True, timeout=300,
    )


@pytest.fixture
def tandem_client(tmp_path, transactional_db, live_server, admin_user):
    """The generated package, imported from a temporary folder, and an authenticated client of it."""
    from django.contrib.auth.models import Group
    from django.test import Client as HttpClient

    from tandem.core import roles
    from tandem.core.services import create_api_token
    from tandem.crm.services import deals as deal_services

    deal_services.ensure_default_pipeline()
    # The clients and deals it creates are its own, and owners are sales users (core.owners).
    admin_user.groups.add(Group.objects.get(name=roles.SALES_MANAGER))
    _generate(json.loads(HttpClient().get("/api/v1/openapi.json").content), tmp_path)
    sys.path.insert(0, str(tmp_path))
    try:
        package = importlib.import_module("tandem_client")
        _token, secret = create_api_token(admin_user, "generated client", by=admin_user)
        # Closed before the live server stops, so that no kept-alive connection outlives it.
        with package.AuthenticatedClient(base_url=live_server.url, token=secret,
                                         raise_on_unexpected_status=True) as api:
            yield package, api
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == "tandem_client" or n.startswith("tandem_client.")]:
            del sys.modules[name]


def _operation(package, tag: str, name: str):
    """The generated module of one operation, or None where this version of the API has no such operation."""
    try:
        return importlib.import_module(f"tandem_client.api.{tag}.{name}")
    except ModuleNotFoundError:
        return None


def test_a_generated_client_creates_reads_updates_lists_and_archives(tandem_client):
    package, api = tandem_client
    models = importlib.import_module("tandem_client.models")
    op = lambda tag, name: _operation(package, tag, name)  # noqa: E731

    # A client, typed: the kind is the ClientKind enum, not free text.
    created = op("clients", "create_client").sync(
        client=api, body=models.ClientIn(name="Generated GmbH", kind=models.ClientKind.B2B, email="hi@gen.example"))
    assert isinstance(created, models.ClientOut)
    assert created.kind == "b2b" and created.status == "prospect"
    assert op("clients", "get_client").sync(client_id=created.id, client=api).name == "Generated GmbH"
    changed = op("clients", "update_client").sync(
        client_id=created.id, client=api, body=models.ClientPatch(status=models.ClientStatus.ACTIVE))
    assert changed.status == "active"
    page = op("clients", "list_clients").sync(client=api, q="Generated", status=models.ClientStatus.ACTIVE)
    assert [c.id for c in page.items] == [created.id] and page.count == 1

    # A contact of that client.
    contact = op("contacts", "create_contact").sync(
        client_id=created.id, client=api, body=models.ContactIn(first_name="Gerd", last_name="Generated"))
    assert contact.client_id == created.id and contact.full_name == "Gerd Generated"
    contact = op("contacts", "update_contact").sync(
        contact_id=contact.id, client=api, body=models.ContactPatch(position="Buyer"))
    assert op("contacts", "get_contact").sync(contact_id=contact.id, client=api).position == "Buyer"
    assert [c.id for c in op("contacts", "list_contacts").sync(client=api, client_id=created.id).items] == [contact.id]

    # A deal for it: the amount travels as a decimal string with its currency.
    deal = op("crm", "create_deal").sync(
        client=api, body=models.DealIn(title="Pumps", client_id=created.id, amount="1250.50", currency="EUR"))
    assert isinstance(deal, models.DealOut)
    assert (deal.amount, deal.currency, deal.status) == ("1250.50", "EUR", "open")
    deal = op("crm", "update_deal").sync(deal_id=deal.id, client=api, body=models.DealPatch(amount="990"))
    assert op("crm", "get_deal").sync(deal_id=deal.id, client=api).amount == "990.00"
    deals = op("crm", "list_deals").sync(client=api, client_id=created.id, status=models.DealStatus.OPEN)
    assert [d.id for d in deals.items] == [deal.id]

    # Archive where the API archives; otherwise delete (a refusal is a typed ApiError, not an exception).
    for tag, kind, key, record in (("contacts", "contact", "contact_id", contact), ("crm", "deal", "deal_id", deal),
                                   ("clients", "client", "client_id", created)):
        archive = op(tag, f"archive_{kind}")
        if archive is not None:
            archived = archive.sync(client=api, **{key: record.id})
            assert archived.id == record.id and archived.is_archived is True
            continue
        delete = op(tag, f"delete_{kind}")
        if delete is None:
            continue
        response = delete.sync_detailed(client=api, **{key: record.id})
        if kind == "client":
            # The deal still refers to the client: refused with 409 and the one error shape.
            assert response.status_code == 409
            assert isinstance(response.parsed, models.ApiError) and response.parsed.code == "referenced"
        else:
            assert response.status_code == 204

    missing = op("contacts", "get_contact").sync_detailed(contact_id=contact.id, client=api)
    if op("contacts", "archive_contact") is None:
        assert missing.status_code == 404 and missing.parsed.code == "not_found"

    if op("clients", "archive_client") is not None:
        # Archived clients leave the default list.
        assert op("clients", "list_clients").sync(client=api, q="Generated").count == 0

    # A client nothing refers to is deleted outright.
    spare = op("clients", "create_client").sync(client=api, body=models.ClientIn(name="Spare KG"))
    assert op("clients", "delete_client").sync_detailed(client_id=spare.id, client=api).status_code == 204
    assert op("clients", "get_client").sync_detailed(client_id=spare.id, client=api).status_code == 404

