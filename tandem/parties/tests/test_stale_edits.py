"""Two people edit one client: the second save, based on the version they opened, is refused (409 "stale")
and nothing is written — in the service, the API (ETag / If-Match or `version`) and the edit page."""

import json

import pytest
from django.urls import reverse

from tandem.core.errors import ConflictError
from tandem.parties import services
from tandem.parties.models import Client

STALE = "changed by someone else since you opened it"


def patch(http, url, data, **headers):
    return http.patch(url, json.dumps(data), content_type="application/json", headers=headers)


def test_every_change_counts_one_version_and_a_stale_edit_writes_nothing(own_client, sales_rep, nothing_written):
    assert own_client.version == 1
    services.update_client(own_client, by=sales_rep, name="Renamed", expected_version=1)
    assert Client.objects.get(pk=own_client.pk).version == 2
    services.update_client(own_client, by=sales_rep, name="Renamed")  # nothing changed
    assert Client.objects.get(pk=own_client.pk).version == 2
    services.update_client(own_client, by=sales_rep, tags=["vip"])  # tags count too
    assert Client.objects.get(pk=own_client.pk).version == 3
    with nothing_written(), pytest.raises(ConflictError) as refusal:
        services.update_client(own_client, by=sales_rep, name="Mine", expected_version=2)
    assert refusal.value.code == "stale" and STALE in refusal.value.message
    assert Client.objects.get(pk=own_client.pk).name == "Renamed"


def test_api_get_has_etag_and_a_stale_patch_is_refused(api, own_client, sales_rep):
    http = api(sales_rep)
    response = http.get(f"/api/v1/clients/{own_client.pk}")
    assert response.headers["ETag"] == '"1"' and response.json()["version"] == 1
    assert patch(http, f"/api/v1/clients/{own_client.pk}", {"notes": "first"}, **{"If-Match": '"1"'}).status_code == 200

    stale = patch(http, f"/api/v1/clients/{own_client.pk}", {"notes": "second"}, **{"If-Match": '"1"'})
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale" and STALE in stale.json()["message"]
    stale = patch(http, f"/api/v1/clients/{own_client.pk}", {"notes": "second", "version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "stale"
    assert Client.objects.get(pk=own_client.pk).notes == "first"

    fresh = patch(http, f"/api/v1/clients/{own_client.pk}", {"notes": "second", "version": 2})
    assert fresh.status_code == 200 and fresh.headers["ETag"] == '"3"'
    # Without a precondition the change applies to the current version.
    assert patch(http, f"/api/v1/clients/{own_client.pk}", {"notes": "third"}).status_code == 200


def test_edit_page_carries_the_version_and_refuses_a_stale_save(client, own_client, sales_rep):
    client.force_login(sales_rep)
    url = reverse("parties:client-edit", args=[own_client.pk])
    assert 'type="hidden" name="version" value="1"' in client.get(url).content.decode()
    services.update_client(own_client, by=sales_rep, notes="Someone else's")
    form = {"name": "Mine", "kind": "b2b", "status": "active", "owner": sales_rep.pk, "version": "1"}
    response = client.post(url, form)
    assert response.status_code == 400
    assert STALE in response.content.decode()
    assert Client.objects.get(pk=own_client.pk).name == own_client.name
    response = client.post(url, {**form, "version": "2"})
    assert response.status_code == 302 and Client.objects.get(pk=own_client.pk).name == "Mine"
