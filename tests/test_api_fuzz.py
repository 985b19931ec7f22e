"""The API as integrators meet it: schemathesis sends generated requests (valid and invalid) to every
operation of /api/v1/openapi.json, as an administrator and as a sales representative, and checks each
answer: no 5xx, a declared status code, the declared content type, a body matching the declared schema.

Runs in the normal suite on SQLite and PostgreSQL; kept to a few examples per operation (deterministic,
no shrinking, no deadline) so that it stays within the CI budget. Any failure fails the build.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

os.environ.setdefault("TANDEM_TESTING", "1")

MAX_EXAMPLES = int(os.environ.get("TANDEM_API_FUZZ_EXAMPLES", "4"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _document() -> dict:
    import django

    django.setup()
    import json

    from tandem.api import api

    return json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/")))


# The coverage phase (every boundary and wrong type of every parameter, ~50 requests per operation) takes
# about 10 minutes per database here: run it with TANDEM_API_FUZZ_COVERAGE=1 (before a release); its findings
# are kept as plain tests in tests/test_api_contract.py.
COVERAGE = os.environ.get("TANDEM_API_FUZZ_COVERAGE") == "1"
CONFIG = SchemathesisConfig.from_dict({
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "no-shrink": True, "mode": "all"},
    "phases": {"coverage": {"enabled": COVERAGE}, "stateful": {"enabled": False}},
})
schema = schemathesis.openapi.from_dict(_document(), config=CONFIG)


@pytest.fixture
def wsgi_app():
    """Django's WSGI application, called in the test's thread and transaction. Like django.test.Client, it
    keeps the database connection open between requests (the test's transaction lives on it)."""
    from django.core import signals
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def records(admin_user, sales_rep, own_client, foreign_client):
    """A little of everything, so that ids 1, 2, … exist and detail answers have bodies to check."""
    from tandem.crm.services import deals as deal_services
    from tandem.crm.tests.factories_activity import ComplaintFactory, InteractionFactory, TimelineTaskFactory
    from tandem.crm.tests.factories_marketing import CampaignFactory, LeadFactory, MarketingEventFactory
    from tandem.crm.tests.factories_planning import SegmentFactory
    from tandem.parties.tests.factories import ContactFactory, CounterpartyFactory, SourceFactory

    deal_services.ensure_default_pipeline()
    deal = deal_services.create_deal(by=sales_rep, client=own_client, title="Pumps")
    ContactFactory(client=own_client)
    CounterpartyFactory(client=own_client)
    SourceFactory()
    InteractionFactory(client=own_client)
    ComplaintFactory(client=own_client, assignee=sales_rep)
    TimelineTaskFactory(client=own_client, assignee=sales_rep)
    CampaignFactory()
    MarketingEventFactory()
    LeadFactory(owner=sales_rep)
    SegmentFactory()
    _ledger(admin_user)
    return deal


def _ledger(user):
    """The generic chart, the fiscal year 2026 and one posted entry."""
    import datetime

    from tandem.core.services import default_legal_entity
    from tandem.finance import services
    from tandem.finance.models import Account, Journal

    company = default_legal_entity()
    services.install_chart_template(company, by=user)
    services.create_fiscal_year(company, start_date=datetime.date(2026, 1, 1), by=user)
    bank, capital = (Account.objects.get(company=company, code=code) for code in ("1010", "3000"))
    services.post_entry(company=company, journal=Journal.objects.get(company=company, code="GEN"),
                        date=datetime.date(2026, 3, 2), by=user,
                        lines=[{"account": bank, "debit": "10.00"}, {"account": capital, "credit": "10.00"}])


@pytest.fixture(params=["administrator", "sales representative"])
def token(request, records, admin_user, sales_rep):
    from tandem.core.services import create_api_token

    user = admin_user if request.param == "administrator" else sales_rep
    _token, secret = create_api_token(user, "fuzz", by=user)
    return secret


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_every_operation_answers_as_documented(case, token, wsgi_app):
    case.call_and_validate(app=wsgi_app, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
