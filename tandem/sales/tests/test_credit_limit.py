"""Confirming an order checks the client's credit limit (finance): refused over the limit or over the overdue
maximum with 409 credit_limit_exceeded, unless the legal entity asks for approval and a manager confirms (then
the approval is on the client's history). Service, API and page."""

import datetime
from decimal import Decimal as D

import pytest

from tandem.core import roles
from tandem.core.audit import history_for
from tandem.core.errors import ConflictError
from tandem.finance.models import CreditPolicy
from tandem.finance.receivables import services as receivables
from tandem.finance.tests.factories_receivables import open_invoice
from tandem.sales.models import Order
from tandem.sales.services import orders


@pytest.fixture
def accountant(make_user):
    return make_user(roles.ACCOUNTANT, username="credit-accountant")


@pytest.fixture
def order(stocked, sales_manager, client_of_rep, installation):
    """A draft order of €500 (a service: no stock needed) for a client owing €400."""
    open_invoice(client_of_rep, amount="400.00", due=datetime.date.today() + datetime.timedelta(days=10))
    return orders.create_order(by=sales_manager, client=client_of_rep, lines=[
        {"product": installation, "quantity": D(5), "unit_price": D("100")}])


def test_confirm_within_the_limit(order, accountant, sales_rep):
    receivables.set_credit_limit(order.client, by=accountant, amount="900", currency="EUR")
    assert orders.confirm_order(order, by=sales_rep).status == Order.Status.CONFIRMED


def test_confirm_over_the_limit_is_refused(order, accountant, sales_rep, sales_manager):
    receivables.set_credit_limit(order.client, by=accountant, amount="899.99", currency="EUR")
    for user in (sales_rep, sales_manager):  # policy "refuse": nobody goes over
        with pytest.raises(ConflictError) as refused:
            orders.confirm_order(order, by=user)
        assert refused.value.code == "credit_limit_exceeded"
    order.refresh_from_db()
    assert order.status == Order.Status.DRAFT


def test_overdue_over_its_maximum_refuses(order, accountant, sales_rep):
    receivables.set_credit_limit(order.client, by=accountant, amount="100000", currency="EUR", max_overdue="50")
    open_invoice(order.client, amount="60.00", due=datetime.date.today() - datetime.timedelta(days=3))
    with pytest.raises(ConflictError, match="overdue"):
        orders.confirm_order(order, by=sales_rep)


def test_approval_policy_lets_a_manager_confirm_and_audits_it(order, accountant, sales_rep, sales_manager):
    receivables.set_credit_limit(order.client, by=accountant, amount="500", currency="EUR")
    receivables.set_credit_policy(order.company, CreditPolicy.Mode.APPROVAL, by=accountant)
    with pytest.raises(ConflictError, match="manager may approve"):
        orders.confirm_order(order, by=sales_rep)
    assert orders.confirm_order(order, by=sales_manager).status == Order.Status.CONFIRMED
    approval = history_for(order.client).get(action="finance.creditlimit.overridden")
    assert approval.actor == sales_manager and approval.changes["document"] == order.number


def test_api_and_page_answer_the_refusal(order, accountant, sales_rep, api, client):
    receivables.set_credit_limit(order.client, by=accountant, amount="100", currency="EUR")
    response = api(sales_rep).post(f"/api/v1/sales/orders/{order.pk}/confirm", {}, content_type="application/json")
    assert response.status_code == 409 and response.json()["code"] == "credit_limit_exceeded"
    assert "Credit limit of Acme Pumps GmbH exceeded" in response.json()["message"]
    client.force_login(sales_rep)
    page = client.post(f"/sales/orders/{order.pk}/confirm/", follow=True)
    assert "Credit limit of Acme Pumps GmbH exceeded" in page.content.decode()
    detail = client.get(f"/sales/orders/{order.pk}/").content.decode()
    assert 'id="order-credit"' in detail and "data-limit" in detail


def test_deal_page_shows_exposure_and_the_timeline_shows_a_sent_reminder(deal, accountant, sales_rep, client):
    from django.urls import reverse

    from tandem.core.services import default_legal_entity

    company = default_legal_entity()
    invoice = open_invoice(deal.client, amount="250.00", due=datetime.date.today() - datetime.timedelta(days=20),
                           company=company)
    receivables.set_credit_limit(deal.client, by=accountant, amount="1000", currency="EUR")
    receivables.create_dunning_level(company, by=accountant, days_overdue=14, name="Second look",
                                     text="{number}: {amount} is {days} days late.")
    receivables.run_dunning(company, datetime.date.today(), by=accountant, send=True)
    client.force_login(sales_rep)
    page = client.get(reverse("crm:deal-detail", args=[deal.pk])).content.decode()
    assert "Balance and credit limit" in page and "€1,000.00" in page
    timeline = client.get(reverse("crm:client-timeline", args=[deal.client.pk])).content.decode()
    assert "sent a payment reminder" in timeline
    assert f"{invoice.number}: €250.00 is 20 days late." in timeline


def test_finance_switched_off_enforces_no_limit_and_shows_none(order, accountant, sales_rep, admin_user, client):
    from tandem.core.modules import set_module_enabled

    receivables.set_credit_limit(order.client, by=accountant, amount="100", currency="EUR")
    set_module_enabled("finance", False, by=admin_user)
    assert orders.confirm_order(order, by=sales_rep).status == Order.Status.CONFIRMED
    client.force_login(sales_rep)
    assert 'id="order-credit"' not in client.get(f"/sales/orders/{order.pk}/").content.decode()
