"""Deleting a line of a stock count: while the count is a draft (service, page and API), refused with 409 once
it is posted or cancelled, recorded in the audit trail."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tandem.core import roles
from tandem.core.audit import AuditEntry
from tandem.core.errors import ConflictError
from tandem.stock import queries, services
from tandem.stock.models import StockCountLine

D = Decimal


@pytest.fixture
def draft(room):
    services.receive_stock(product=room.bolt, quantity=D(10), location=room.bin_a, by=None)
    count = services.create_count(warehouse=room.main, by=None)
    kept = services.set_count_line(count, product=room.bolt, location=room.bin_a, counted=D(8), by=None)
    wrong = services.set_count_line(count, product=room.bolt, location=room.bin_b, counted=D(3), by=None)
    return count, kept, wrong


def test_service_deletes_a_draft_line_and_records_it(room, draft, make_user):
    count, kept, wrong = draft
    user = make_user(roles.WAREHOUSE, username="storekeeper")
    services.remove_count_line(wrong, by=user)
    assert [line.pk for line in queries.count_lines(count)] == [kept.pk]
    entry = AuditEntry.objects.filter(action="stock.stockcount.line_removed").get()
    assert entry.changes["product"] == "BOLT-8" and entry.changes["location"] == "B1"
    assert entry.changes["counted"] == "3"
    services.remove_count_line(wrong, by=user)  # removed already: nothing happens
    # Posting adjusts only what is still counted.
    services.post_count(count, by=user)
    assert queries.on_hand_at(room.bolt, room.bin_a, None) == D(8)
    assert queries.on_hand_at(room.bolt, room.bin_b, None) == D(0)


def test_service_refuses_once_posted_or_cancelled(room, draft):
    count, kept, wrong = draft
    services.post_count(count, by=None)
    with pytest.raises(ConflictError) as refused:
        services.remove_count_line(kept, by=None)
    assert refused.value.code == "count_not_draft" and refused.value.status_code == 409
    other = services.create_count(warehouse=room.main, by=None)
    line = services.set_count_line(other, product=room.bolt, location=room.bin_a, counted=D(1), by=None)
    services.cancel_count(other, by=None)
    with pytest.raises(ConflictError):
        services.remove_count_line(line, by=None)
    assert StockCountLine.objects.filter(pk__in=[kept.pk, line.pk]).count() == 2


def test_page_shows_a_delete_button_per_line_while_draft(client, make_user, room, draft):
    count, kept, wrong = draft
    client.force_login(make_user(roles.WAREHOUSE, username="storekeeper"))
    url = reverse("stock:count-detail", args=[count.pk])
    html = client.get(url).content.decode()
    delete_url = reverse("stock:count-line-delete", args=[count.pk, wrong.pk])
    assert f'action="{delete_url}"' in html and html.count("data-delete-line") == 2
    response = client.post(delete_url)
    assert response.status_code == 302 and response["Location"].endswith("#lines")
    html = client.get(url).content.decode()
    assert "Line deleted." in html and html.count("data-delete-line") == 1
    assert not StockCountLine.objects.filter(pk=wrong.pk).exists()
    # A line of another count is not found; GET is not allowed.
    other = services.create_count(warehouse=room.second, by=None)
    assert client.post(reverse("stock:count-line-delete", args=[other.pk, kept.pk])).status_code == 404
    assert client.get(reverse("stock:count-line-delete", args=[count.pk, kept.pk])).status_code == 405
    # Posted: no buttons; a stale page's post is refused with 409 and the reason.
    services.post_count(count, by=None)
    html = client.get(url).content.decode()
    assert "data-delete-line" not in html
    refused = client.post(reverse("stock:count-line-delete", args=[count.pk, kept.pk]))
    assert refused.status_code == 409 and "A posted or cancelled count cannot change." in refused.content.decode()
    assert StockCountLine.objects.filter(pk=kept.pk).exists()


def test_page_needs_the_change_permission(client, make_user, room, draft):
    count, kept, _wrong = draft
    client.force_login(make_user(roles.VIEWER, username="viewer"))
    assert "data-delete-line" not in client.get(reverse("stock:count-detail", args=[count.pk])).content.decode()
    assert client.post(reverse("stock:count-line-delete", args=[count.pk, kept.pk])).status_code == 403
    assert StockCountLine.objects.filter(pk=kept.pk).exists()


def test_api_deletes_a_draft_line_and_answers_409_once_posted(api, make_user, room, draft):
    count, kept, wrong = draft
    http = api(make_user(roles.WAREHOUSE, username="storekeeper"))
    response = http.delete(f"/api/v1/stock/counts/{count.pk}/lines/{wrong.pk}")
    assert response.status_code == 204, response.content
    detail = http.get(f"/api/v1/stock/counts/{count.pk}").json()
    assert [line["id"] for line in detail["lines"]] == [kept.pk]
    assert http.delete(f"/api/v1/stock/counts/{count.pk}/lines/{wrong.pk}").status_code == 404
    other = services.create_count(warehouse=room.second, by=None)
    assert http.delete(f"/api/v1/stock/counts/{other.pk}/lines/{kept.pk}").status_code == 404
    viewer = api(make_user(roles.VIEWER, username="viewer"))
    assert viewer.delete(f"/api/v1/stock/counts/{count.pk}/lines/{kept.pk}").status_code == 403
    services.post_count(count, by=None)
    refused = http.delete(f"/api/v1/stock/counts/{count.pk}/lines/{kept.pk}")
    assert refused.status_code == 409 and refused.json()["field"] == "status"
    assert StockCountLine.objects.filter(pk=kept.pk).exists()
