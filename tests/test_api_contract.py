"""The API contract: /api/v1/openapi.json is a valid OpenAPI document whose components each have one
meaning, that declares every answer an operation can give, and whose filters refuse bad values with 400."""

from __future__ import annotations

import enum
import json

import pytest
from django.test import Client as HttpClient
from ninja import Schema
from openapi_spec_validator import OpenAPIV31SpecValidator
from pydantic import create_model


@pytest.fixture
def document(db) -> dict:
    response = HttpClient().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_document_is_valid_openapi(document):
    errors = [str(e)[:300] for e in OpenAPIV31SpecValidator(document).iter_errors()]
    assert errors == []


def test_no_two_different_schemas_share_a_component_name():
    from tandem.api import api
    from tandem.core.openapi import model_component_conflicts, operation_models

    assert model_component_conflicts(operation_models(api)) == {}
    assert api.get_openapi_schema(path_prefix="/api/v1/").conflicts == []


def test_the_conflict_detector_sees_same_named_schemas():
    from tandem.core.openapi import model_component_conflicts

    def make(values):
        return create_model("Wrapper", __base__=Schema, kind=(enum.StrEnum("Kind", values), ...))

    first, second = make(["rule", "static"]), make(["b2b", "b2c"])
    assert set(model_component_conflicts([(first, "validation"), (second, "validation")])) == {"Kind"}


def test_each_enum_is_its_own_component(document):
    schemas = document["components"]["schemas"]
    assert schemas["ClientKind"]["enum"] == ["b2b", "b2c"]
    assert schemas["SegmentKind"]["enum"] == ["rule", "static"]
    assert schemas["InteractionKind"]["title"] == "InteractionKind"
    assert {"StageRuleKind", "MarketingEventKind", "DealStatus", "TaskStatus", "ComplaintStatus"} <= set(schemas)
    assert "Kind" not in schemas and "Status" not in schemas
    client_in = schemas["ClientIn"]["properties"]["kind"]
    assert "ClientKind" in json.dumps(client_in)


def test_every_operation_declares_its_error_answers(document):
    error_ref = {"$ref": "#/components/schemas/ApiError"}
    assert set(document["components"]["schemas"]["ApiError"]["required"]) == {"code", "field", "message", "errors"}
    count = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            count += 1
            responses = operation["responses"]
            expected = {"401", "403"} if path != "/api/v1/openapi.json" else set()
            if method in ("post", "patch", "put"):
                expected |= {"400", "404", "409", "413"}
            if method == "delete":
                expected |= {"404", "409"}
            if "{" in path:
                expected |= {"400", "404"}
            if any(p["in"] == "query" for p in operation.get("parameters", [])):
                expected.add("400")
            assert expected <= set(responses), (method, path, sorted(responses))
            for status in expected:
                assert responses[status]["content"]["application/json"]["schema"] == error_ref
    assert count >= 100


def test_operation_ids_are_unique_view_names(document):
    ids = [op["operationId"] for ops in document["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))
    assert document["paths"]["/api/v1/clients"]["post"]["operationId"] == "create_client"


def test_a_route_declares_its_extra_answers(document):
    assert "404" in document["paths"]["/api/v1/crm/reports/lost-at-stage"]["get"]["responses"]


def test_filters_declare_their_types_and_values(document):
    params = {p["name"]: p for p in document["paths"]["/api/v1/crm/deals"]["get"]["parameters"]}
    assert "DealStatus" in json.dumps(params["status"]["schema"])
    assert '"maximum": 9223372036854775807' in json.dumps(params["owner_id"]["schema"])
    path_param = document["paths"]["/api/v1/clients/{client_id}"]["get"]["parameters"][0]
    assert path_param["schema"]["maximum"] == 2**63 - 1 and path_param["schema"]["minimum"] == 1


@pytest.mark.parametrize("url, field", [
    ("/api/v1/crm/deals?status=null", "status"),
    ("/api/v1/crm/complaints?status=null", "status"),
    ("/api/v1/crm/tasks?status=null", "status"),
    ("/api/v1/clients?kind=rule", "kind"),
    ("/api/v1/crm/deals?owner_id=99999999999999999999", "owner_id"),
    ("/api/v1/crm/tasks?client_id=-99999999999999999999", "client_id"),
    ("/api/v1/clients/99999999999999999999", "client_id"),
    ("/api/v1/crm/deals/abc", "deal_id"),
])
def test_a_wrong_filter_or_id_answers_400_naming_it(api, admin_user, url, field):
    response = api(admin_user).get(url)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["field"] == field


def test_a_big_id_in_a_body_answers_400_naming_the_field(api, admin_user):
    response = api(admin_user).post("/api/v1/clients", {"name": "Acme", "owner_id": 2**70},
                                    content_type="application/json")
    assert response.status_code == 400
    assert response.json()["field"] == "owner_id"


def test_deleting_a_client_that_deals_refer_to_answers_409(api, admin_user, own_client, sales_rep):
    from tandem.crm.services import deals as deal_services

    deal_services.ensure_default_pipeline()
    deal_services.create_deal(by=sales_rep, client=own_client, title="Pumps")
    response = api(admin_user).delete(f"/api/v1/clients/{own_client.pk}")
    assert response.status_code == 409
    assert response.json()["code"] == "referenced"


def test_a_null_in_a_patch_blanks_text_or_is_refused(api, admin_user, own_client):
    from tandem.parties.tests.factories import CounterpartyFactory

    counterparty = CounterpartyFactory(client=own_client, legal_address="Main St 1")
    client = api(admin_user)
    response = client.patch(f"/api/v1/counterparties/{counterparty.pk}", {"legal_address": None},
                            content_type="application/json")
    assert response.status_code == 200 and response.json()["legal_address"] == ""
    response = client.patch(f"/api/v1/counterparties/{counterparty.pk}", {"legal_name": None},
                            content_type="application/json")
    assert response.status_code == 400 and response.json()["field"] == "legal_name"


@pytest.mark.parametrize("url, field", [
    ("/api/v1/clients?page=99999999999999999999", "page"),
    ("/api/v1/crm/reports/segment-comparison?ids=1,99999999999999999999", "ids"),
])
def test_numbers_beyond_64_bits_elsewhere_answer_400(api, admin_user, url, field):
    response = api(admin_user).get(url)
    assert response.status_code == 400 and response.json()["field"] == field
