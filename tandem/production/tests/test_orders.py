"""Making a production order from a product's BOM in force."""

import datetime
from decimal import Decimal

import pytest

from tandem.core.errors import BusinessRuleError
from tandem.production import queries
from tandem.production.models import Bom
from tandem.production.services import create_production_order

pytestmark = pytest.mark.django_db


def test_a_draft_order_copies_components_with_scrap_and_operations(admin_user, table, table_bom, warehouse):
    order = create_production_order(product=table, quantity=Decimal(3), by=admin_user,
                                    planned_start=datetime.date(2026, 12, 7))

    assert order.status == "draft" and order.number == f"MO-2026-{order.pk:05d}"
    required = {c.product.sku: c.required_quantity for c in order.components.select_related("product")}
    # 8 legs per 2 tables → 12 for 3, and 5 % scrap on top: 12 / 0.95 = 12.6316 (rounded up)
    assert required == {"LEG-1": Decimal("12.6316"), "TOP-1": Decimal("3.0000")}
    (operation,) = order.operations.all()
    assert operation.planned_minutes == Decimal("105.0000")  # 15 set-up + 30 minutes a table × 3 tables
    assert operation.hourly_cost == Decimal("30")
    assert order.warehouse == warehouse


def test_the_newest_bom_in_force_on_the_start_date_is_used(admin_user, table, table_bom, leg, warehouse):
    newer = Bom.objects.create(product=table, code="v2", valid_from=datetime.date(2027, 1, 1))
    newer.lines.create(component=leg, quantity=Decimal(4))

    assert queries.active_bom(table, datetime.date(2026, 12, 31)) == table_bom
    assert queries.active_bom(table, datetime.date(2027, 1, 1)) == newer
    order = create_production_order(product=table, quantity=1, by=admin_user,
                                    planned_start=datetime.date(2027, 2, 1))
    assert order.bom == newer


def test_refusals_name_the_field(admin_user, table, leg, table_bom, warehouse):
    with pytest.raises(BusinessRuleError) as no_bom:
        create_production_order(product=leg, quantity=1, by=admin_user)
    assert no_bom.value.field == "bom"
    with pytest.raises(BusinessRuleError) as zero:
        create_production_order(product=table, quantity="0", by=admin_user)
    assert zero.value.field == "quantity"
    with pytest.raises(BusinessRuleError) as dates:
        create_production_order(product=table, quantity=1, by=admin_user, planned_start=datetime.date(2026, 12, 7),
                                planned_end=datetime.date(2026, 12, 1))
    assert dates.value.field == "planned_end"
