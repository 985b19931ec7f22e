import pytest

from tandem.core import roles


@pytest.mark.django_db
def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_sales_rep_role_has_no_team_visibility(sales_rep):
    assert sales_rep.has_perm("parties.view_client")
    assert not sales_rep.has_perm("parties.view_all_clients")
    assert sales_rep.groups.get().name == roles.SALES_REPRESENTATIVE


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [False, True])
def test_favicon_ico_redirects_permanently_to_the_icon_the_pages_use(client, sales_rep, signed_in):
    if signed_in:
        client.force_login(sales_rep)
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/core/favicon.svg"
    page = client.get("/account/login/") if not signed_in else client.get("/")
    assert 'href="/static/core/favicon.svg"' in page.content.decode()
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    body = b"".join(icon.streaming_content) if icon.streaming else icon.content
    assert b"<svg" in body
