"""Shipment and return pages: the order page's Ship button and summary, the Ship form, step buttons from
can_<action>() and the role, the return form, panels on the client card, deal page and complaint page."""

import datetime
import re
from decimal import Decimal as D

import pytest
from django.urls import reverse

from tandem.crm.models import Complaint, ComplaintCategory
from tandem.sales.models import CustomerReturn, Order, Shipment

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(make_order, receive, pump, deal):
    receive(pump, 10)
    made = make_order([(pump, 5)])
    Order.objects.filter(pk=made.pk).update(deal=deal)
    return made


def _login(client, user):
    client.force_login(user)
    return client


def test_ship_part_of_an_order_through_the_pages(client, order, sales_rep, storekeeper, shelf):
    rep = _login(client, sales_rep)
    page = rep.get(reverse("sales:order-detail", args=[order.pk])).content.decode()
    assert 'data-action="ship"' in page and "Shipments and returns" in page
    line = order.lines.get()
    form = rep.get(reverse("sales:shipment-create") + f"?order={order.pk}")
    assert form.status_code == 200 and f'name="quantity_{line.pk}"' in form.content.decode()
    too_many = rep.post(reverse("sales:shipment-create"), {
        "order": order.pk, "shipment_date": "2026-03-03", f"quantity_{line.pk}": "6", f"location_{line.pk}": shelf.pk})
    assert too_many.status_code == 400 and not Shipment.objects.exists()
    made = rep.post(reverse("sales:shipment-create"), {
        "order": order.pk, "shipment_date": "2026-03-03", "carrier": "DHL",
        f"quantity_{line.pk}": "3", f"location_{line.pk}": shelf.pk})
    shipment = Shipment.objects.get()
    assert made.status_code == 302 and made["Location"] == reverse("sales:shipment-detail", args=[shipment.pk])
    detail = rep.get(made["Location"]).content.decode()
    assert 'data-action="pick"' not in detail and 'data-action="cancel"' in detail  # the warehouse picks

    store = _login(client, storekeeper)
    for step in ("pick", "pack", "ship"):
        page = store.get(reverse("sales:shipment-detail", args=[shipment.pk])).content.decode()
        assert f'data-action="{step}"' in page
        store.post(reverse(f"sales:shipment-{step}", args=[shipment.pk]), {"tracking_number": "JD9"}
                   if step == "ship" else {})
    shipment.refresh_from_db()
    assert (shipment.status, shipment.tracking_number) == (Shipment.Status.SHIPPED, "JD9")
    order_page = store.get(reverse("sales:order-detail", args=[order.pk])).content.decode()
    assert re.search(r'data-field="shipped">3<', order_page) and re.search(r'data-field="left">2<', order_page)
    pdf = store.get(reverse("sales:shipment-pdf", args=[shipment.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert "JD9" in store.get(reverse("sales:shipment-list")).content.decode()


def test_client_card_deal_page_and_complaint_page_show_the_documents(client, order, storekeeper, sales_rep,
                                                                     client_of_rep, deal, quarantine):
    from tandem.sales.services import shipments

    shipment = shipments.create_shipment(order, by=storekeeper)
    for step in (shipments.pick_shipment, shipments.pack_shipment, shipments.ship_shipment):
        shipment = step(shipment, by=storekeeper)
    category = ComplaintCategory.objects.order_by("pk").first() or ComplaintCategory.objects.create(name="Q")
    complaint = Complaint.objects.create(client=client_of_rep, category=category, description="Leaks",
                                         assignee=sales_rep,
                                         deadline=datetime.datetime(2026, 3, 20, tzinfo=datetime.UTC))
    rep = _login(client, sales_rep)
    card = rep.get(reverse("parties:client-detail", args=[client_of_rep.pk])).content.decode()
    assert shipment.number in card
    assert shipment.number in rep.get(reverse("crm:deal-detail", args=[deal.pk])).content.decode()
    complaint_page = rep.get(reverse("crm:complaint-detail", args=[complaint.pk])).content.decode()
    assert "No customer returns." in complaint_page
    form_url = reverse("sales:return-create") + f"?order={order.pk}&complaint={complaint.pk}"
    assert form_url.replace("&", "&amp;") in complaint_page
    line = order.lines.get()
    form = rep.get(form_url).content.decode()
    assert f'name="quantity_{line.pk}"' in form and 'name="receive"' not in form  # the warehouse receives
    posted = rep.post(reverse("sales:return-create"), {
        "order": order.pk, "return_date": "2026-03-10", "location": quarantine.pk, "complaint": complaint.pk,
        "reason": "Leaks", f"quantity_{line.pk}": "2"})
    customer_return = CustomerReturn.objects.get()
    assert posted.status_code == 302 and customer_return.complaint == complaint
    store = _login(client, storekeeper)
    store.post(reverse("sales:return-receive", args=[customer_return.pk]))
    customer_return.refresh_from_db()
    assert customer_return.status == CustomerReturn.Status.RECEIVED
    rep = _login(client, sales_rep)
    complaint_page = rep.get(reverse("crm:complaint-detail", args=[complaint.pk])).content.decode()
    assert customer_return.number in complaint_page and "PUMP-1 2 pc" in complaint_page
    assert line.shipment_lines.get().quantity == D(5)
