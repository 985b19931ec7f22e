"""The work-centre load: per work centre and ISO week, the open orders' planned hours (set-up once plus time per unit
× quantity, less the minutes already booked) against capacity — the same figures on the page and in the API, and
one permission (reading production orders) for the page, its menu entry and the API."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from tandem.production import services
from tandem.production.models import BomOperation, WorkCentre
from tandem.production.tests.conftest import buy

pytestmark = pytest.mark.django_db
MONDAY = datetime.date(2026, 12, 7)  # 2026-W50


def _hours(minutes: int) -> str:
    return str((Decimal(minutes) / 60).quantize(Decimal("0.01")))


@pytest.fixture
def loaded(company, producer, table, leg, top, table_bom, assembly, shelf):
    """Assembly (10 h a week) and Paint (4 h a week) with orders in W50 (one confirmed, one in progress with time
    booked, one cancelled) and W51 (one confirmed, over both capacities)."""
    assembly.capacity_hours_per_week = Decimal(10)
    assembly.save()
    paint = WorkCentre.objects.create(company=company, code="PNT", name="Paint", hourly_cost=Decimal("20"),
                                      capacity_hours_per_week=Decimal(4))
    BomOperation.objects.create(bom=table_bom, sequence=20, name="Paint", work_centre=paint,
                                minutes_per_unit=Decimal(12), setup_minutes=Decimal(20))
    buy(leg, 500, "2.50", shelf)
    buy(top, 100, "40", shelf)

    def order(quantity, start):
        made = services.create_production_order(product=table, quantity=quantity, by=producer, planned_start=start)
        return services.confirm_production_order(made, by=producer)

    order(6, MONDAY)  # ASM 15 + 30 × 6 = 195 min; PNT 20 + 12 × 6 = 92 min
    running = services.start_production_order(order(4, MONDAY + datetime.timedelta(days=3)), by=producer)
    # ASM 15 + 30 × 4 = 135 min; PNT 20 + 12 × 4 = 68 min, of which 8 booked: 60 min left
    services.book_operation(running, operation=running.operations.get(work_centre=paint), minutes=Decimal(8),
                            by=producer)
    services.cancel_production_order(order(10, MONDAY), by=producer)  # cancelled: not counted
    order(20, MONDAY + datetime.timedelta(days=8))  # W51: ASM 15 + 600 = 615 min; PNT 20 + 240 = 260 min
    return {
        "ASM Assembly": {"capacity": "10", "2026-W50": (_hours(195 + 135), False),
                         "2026-W51": (_hours(615), True), "2026-W52": ("0.00", False)},
        "PNT Paint": {"capacity": "4", "2026-W50": (_hours(92 + 60), False),
                      "2026-W51": (_hours(260), True), "2026-W52": ("0.00", False)},
    }


def test_the_api_and_the_page_give_the_planned_hours_against_capacity(client, api, producer, loaded):
    assert loaded["ASM Assembly"]["2026-W50"][0] == "5.50" and loaded["PNT Paint"]["2026-W50"][0] == "2.53"
    response = api(producer).get("/api/v1/production/load?start=2026-12-09&weeks=3")
    assert response.status_code == 200, response.content
    rows = {row["work_centre"]["name"]: row for row in response.json()}
    assert set(rows) == set(loaded)
    for name, expected in loaded.items():
        assert rows[name]["capacity_hours_per_week"] == expected["capacity"]
        assert [(cell["week"], cell["hours"], cell["over"]) for cell in rows[name]["weeks"]] == [
            (week, *expected[week]) for week in ("2026-W50", "2026-W51", "2026-W52")]

    client.force_login(producer)
    page = client.get("/production/load/?start=2026-12-09&weeks=3")
    assert page.status_code == 200
    html = page.content.decode().replace("\n", "")
    for name, expected in loaded.items():
        row = html.split(f"{name}</th>")[1].split("</tr>")[0]
        assert f'<td class="num">{expected["capacity"]}' in row
        for week in ("2026-W50", "2026-W51", "2026-W52"):
            hours, over = expected[week]
            cell = row.split(f'data-week="{week}"')[1].split("</td>")[0]
            shown = re.search(r"\d[\d.,]*", cell.split(">", 1)[1]).group()
            assert Decimal(shown) == Decimal(hours) and ('data-over="1"' in cell) == over


def test_one_permission_for_the_page_its_menu_entry_and_the_api(client, api, make_user, producer, loaded):
    from tandem.core import roles

    client.force_login(producer)
    assert 'href="/production/load/"' in client.get("/production/orders/").content.decode()
    # Reading work centres alone is not enough: the load is read from the production orders.
    centres_only = make_user(None, username="centres1")
    centres_only.user_permissions.add(Permission.objects.get(codename="view_workcentre",
                                                             content_type__app_label="production"))
    for user in (centres_only, make_user(roles.SALES_REPRESENTATIVE, username="rep9")):
        assert api(user).get("/api/v1/production/load").status_code == 403
        client.force_login(user)
        assert client.get("/production/load/").status_code == 403
        assert 'href="/production/load/"' not in client.get("/").content.decode()
    client.force_login(centres_only)
    menu = client.get("/production/work-centres/")
    assert menu.status_code == 200, menu.status_code
    assert 'href="/production/load/"' not in menu.content.decode()
