"""Sources and tags managed on settings pages (and the API): add, rename, archive/restore sources; rename
tags and delete them only when no client carries them."""

import pytest

from tandem.core.errors import AccessDenied, ConflictError
from tandem.core.models import AuditEntry
from tandem.parties import services
from tandem.parties.models import Source, Tag
from tandem.parties.tests.factories import ClientFactory, SourceFactory


def test_rename_source_is_audited_and_refuses_a_duplicate(sales_manager):
    web = SourceFactory(name="Website")
    SourceFactory(name="Fair")
    services.update_source(web, by=sales_manager, name="Web form")
    assert Source.objects.get(pk=web.pk).name == "Web form"
    assert AuditEntry.objects.get(action="parties.source.updated").changes == {"name": ["Website", "Web form"]}
    with pytest.raises(ConflictError) as refused:
        services.update_source(web, by=sales_manager, name="fair")
    assert refused.value.field == "name"


def test_tag_rename_and_delete_only_when_unused(sales_manager, sales_rep):
    client = ClientFactory(owner=sales_rep)
    services.update_client(client, by=sales_manager, tags=["vip", "retail"])
    vip = Tag.objects.get(name="vip")
    services.rename_tag(vip, by=sales_manager, name="Key account")
    assert sorted(client.tags.values_list("name", flat=True)) == ["Key account", "retail"]
    with pytest.raises(ConflictError):
        services.rename_tag(vip, by=sales_manager, name="RETAIL")
    with pytest.raises(ConflictError) as refused:
        services.delete_tag(vip, by=sales_manager)
    assert refused.value.message == "“Key account” is used by 1 client: it cannot be deleted. " \
                                    "Remove it from those clients first."
    services.update_client(client, by=sales_manager, tags=["retail"])
    services.delete_tag(vip, by=sales_manager)
    assert not Tag.objects.filter(pk=vip.pk).exists()
    with pytest.raises(AccessDenied):
        services.rename_tag(Tag.objects.get(name="retail"), by=sales_rep, name="x")


# --- Pages ------------------------------------------------------------------------------------------

def test_source_settings_page_add_rename_archive_restore(client, sales_manager):
    client.force_login(sales_manager)
    assert client.get("/settings/sources/").status_code == 200
    response = client.post("/settings/sources/", {"name": "Trade fair", "channel": "exhibition"})
    assert response.status_code == 302
    fair = Source.objects.get(name="Trade fair")
    assert fair.channel == "exhibition"
    response = client.post("/settings/sources/", {"name": "trade fair", "channel": "other"})
    assert response.status_code == 400
    assert "already exists" in response.content.decode()

    client.post(f"/settings/sources/{fair.pk}/rename/", {"name": "Fair 2027"})
    assert Source.objects.get(pk=fair.pk).name == "Fair 2027"
    client.post(f"/settings/sources/{fair.pk}/archive/", follow=True)  # the message shown once
    assert Source.objects.get(pk=fair.pk).is_archived
    assert "Fair 2027" not in client.get("/settings/sources/").content.decode()
    assert "Fair 2027" in client.get("/settings/sources/?archived=all").content.decode()
    client.post(f"/settings/sources/{fair.pk}/restore/")
    assert not Source.objects.get(pk=fair.pk).is_archived


def test_tag_settings_page_refuses_deleting_a_used_tag_naming_the_usage(client, sales_manager, sales_rep):
    customer = ClientFactory(owner=sales_rep)
    services.update_client(customer, by=sales_manager, tags=["vip"])
    vip = Tag.objects.get(name="vip")
    client.force_login(sales_manager)
    page = client.post(f"/settings/tags/{vip.pk}/delete/", follow=True).content.decode()
    assert "is used by 1 client" in page
    assert Tag.objects.filter(pk=vip.pk).exists()
    response = client.post(f"/settings/tags/{vip.pk}/rename/", {"name": ""})
    assert response.status_code == 400


def test_settings_pages_are_refused_to_a_sales_representative(client, sales_rep):
    source = SourceFactory()
    client.force_login(sales_rep)
    assert client.get("/settings/sources/").status_code == 403
    assert client.get("/settings/tags/").status_code == 403
    assert client.post(f"/settings/sources/{source.pk}/archive/").status_code == 403
    assert not Source.objects.get(pk=source.pk).is_archived
    assert 'href="/settings/sources/"' not in client.get("/").content.decode()


def test_settings_menu_links_for_a_sales_manager(client, sales_manager):
    client.force_login(sales_manager)
    home = client.get("/").content.decode()
    assert 'href="/settings/sources/"' in home and 'href="/settings/tags/"' in home
    assert 'href="/settings/users/"' not in home


# --- API --------------------------------------------------------------------------------------------

def test_api_source_patch_and_tag_rename_delete(api, sales_manager, sales_rep):
    http = api(sales_manager)
    source = SourceFactory(name="Website")
    response = http.patch(f"/api/v1/sources/{source.pk}", {"name": "Web"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["name"] == "Web"
    tag = Tag.objects.create(name="old")
    response = http.patch(f"/api/v1/tags/{tag.pk}", {"name": "new"}, content_type="application/json")
    assert response.json() == {"id": tag.pk, "name": "new"}
    customer = ClientFactory(owner=sales_rep)
    customer.tags.add(tag)
    response = http.delete(f"/api/v1/tags/{tag.pk}")
    assert response.status_code == 409 and response.json()["references"][0]["model"] == "parties.client"
    assert api(sales_rep).patch(f"/api/v1/tags/{tag.pk}", {"name": "x"},
                                content_type="application/json").status_code == 403
