"""Fixtures shared by the CRM tests: the default "Sales" pipeline and an open deal of a representative."""

import pytest

from tandem.crm.services import deals as deal_services
from tandem.parties.tests.factories import ClientFactory


@pytest.fixture
def sales(db):
    return deal_services.ensure_default_pipeline()


@pytest.fixture
def stages(sales):
    return {s.name: s for s in sales.stages.all()}


@pytest.fixture
def deal(sales, sales_rep):
    return deal_services.create_deal(by=sales_rep, client=ClientFactory(owner=sales_rep), title="Pumps for Acme")
