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
