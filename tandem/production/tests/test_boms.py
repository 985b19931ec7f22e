"""BOM versions, lines, operations and work centres through bom_services: the rules a planner relies on."""

import datetime
from decimal import Decimal

import pytest

from tandem.catalog.models import Product
from tandem.core.audit import entries_of
from tandem.core.errors import AccessDenied, BusinessRuleError, ConflictError
from tandem.production import bom_services as bs
from tandem.production.models import Bom, ProductionOrder, WorkCentre

pytestmark = pytest.mark.django_db

JAN = datetime.date(2026, 1, 1)


@pytest.fixture
def board(piece):
    return Product.objects.create(sku="BOARD-1", name="Oak board", unit=piece)


def _refusal(exc_info):
    return exc_info.value.code, exc_info.value.field


def test_work_centres_are_created_changed_archived_and_audited(admin_user, company):
    centre = bs.create_work_centre(by=admin_user, code="CUT", name="Cutting", hourly_cost="42.50")
    assert centre.hourly_cost == Decimal("42.50") and centre.capacity_hours_per_week == Decimal(40)

    changed = bs.update_work_centre(centre, by=admin_user, expected_version=1, hourly_cost=Decimal("45"))
    assert changed.version == 2 and changed.hourly_cost == Decimal(45)
    with pytest.raises(ConflictError) as stale:
        bs.update_work_centre(centre, by=admin_user, expected_version=1, name="Saw")
    assert stale.value.code == "stale"
    with pytest.raises(ConflictError) as duplicate:
        bs.create_work_centre(by=admin_user, code="cut", name="Second saw")
    assert _refusal(duplicate) == ("duplicate", "code")
    with pytest.raises(BusinessRuleError) as negative:
        bs.create_work_centre(by=admin_user, code="PNT", name="Paint", hourly_cost="-1")
    assert _refusal(negative) == ("negative", "hourly_cost")

    bs.archive_work_centre(centre, by=admin_user)
    assert WorkCentre.objects.get(pk=centre.pk).is_archived
    actions = [e.action for e in entries_of(centre)]
    assert {"production.workcentre.created", "production.workcentre.changed",
            "production.workcentre.archived"} <= set(actions)


def test_a_viewer_may_not_write(viewer, company):
    with pytest.raises(AccessDenied):
        bs.create_work_centre(by=viewer, code="CUT", name="Cutting")


def test_a_version_with_lines_and_operations(admin_user, table, leg, top, assembly):
    bom = bs.create_bom(product=table, by=admin_user, code="v1", valid_from=JAN, quantity="2")
    line = bs.add_bom_line(bom, by=admin_user, component=leg, quantity="8", scrap_percent="5",
                           expected_version=1)
    bs.add_bom_line(bom, by=admin_user, component=top, quantity="2", expected_version=2)
    operation = bs.add_bom_operation(bom, by=admin_user, name="Assemble", work_centre=assembly,
                                     minutes_per_unit="30", setup_minutes="15", expected_version=3)
    bom.refresh_from_db()
    assert bom.version == 4
    assert [(x.position, x.component.sku) for x in bom.lines.all()] == [(1, "LEG-1"), (2, "TOP-1")]
    assert operation.sequence == 10

    bs.update_bom_line(line, by=admin_user, expected_version=4, quantity="9")
    with pytest.raises(ConflictError) as stale:
        bs.update_bom_line(line, by=admin_user, expected_version=4, quantity="10")
    assert stale.value.code == "stale"
    bs.remove_bom_operation(operation, by=admin_user, expected_version=5)
    bom.refresh_from_db()
    assert bom.version == 6 and not bom.operations.exists()
    assert [e.action for e in entries_of(bom)][:2] == ["production.bom.operation_removed",
                                                        "production.bom.line_changed"]


@pytest.mark.parametrize(("values", "field", "code"), [
    ({"quantity": "0"}, "quantity", "not_positive"),
    ({"quantity": "-2"}, "quantity", "not_positive"),
    ({"quantity": "abc"}, "quantity", "invalid_number"),
    ({"quantity": "1", "scrap_percent": "100"}, "scrap_percent", "out_of_range"),
    ({"quantity": "1", "scrap_percent": "-1"}, "scrap_percent", "negative"),
    ({"quantity": "1.00001"}, "quantity", "too_precise"),
])
def test_line_quantities_and_scrap_are_checked(admin_user, table_bom, board, values, field, code):
    with pytest.raises(BusinessRuleError) as refused:
        bs.add_bom_line(table_bom, by=admin_user, component=board, **values)
    assert _refusal(refused) == (code, field)
    assert not table_bom.lines.filter(component=board).exists()


def test_a_product_is_not_its_own_component(admin_user, table, table_bom):
    with pytest.raises(BusinessRuleError) as refused:
        bs.add_bom_line(table_bom, by=admin_user, component=table, quantity="1")
    assert _refusal(refused) == ("self_component", "component")


def test_cycles_are_refused_at_every_level(admin_user, table, top, board, table_bom):
    """table → top (table_bom); top → board; board → table would close the loop three levels down."""
    top_bom = bs.create_bom(product=top, by=admin_user, code="v1", valid_from=JAN)
    bs.add_bom_line(top_bom, by=admin_user, component=board, quantity="3")
    board_bom = bs.create_bom(product=board, by=admin_user, code="v1", valid_from=JAN,
                              valid_to=datetime.date(2029, 12, 31))
    with pytest.raises(BusinessRuleError) as refused:
        bs.add_bom_line(board_bom, by=admin_user, component=table, quantity="1")
    assert _refusal(refused) == ("cycle", "component")
    # Directly: the top may not use the table either.
    with pytest.raises(BusinessRuleError) as direct:
        bs.add_bom_line(top_bom, by=admin_user, component=table, quantity="1")
    assert _refusal(direct) == ("cycle", "component")
    # Any version counts, even one not yet in force.
    later = bs.create_bom(product=board, by=admin_user, code="v9", valid_from=datetime.date(2030, 1, 1))
    with pytest.raises(BusinessRuleError):
        bs.add_bom_line(later, by=admin_user, component=table, quantity="1")


def test_versions_of_one_product_must_not_overlap(admin_user, table, table_bom):
    with pytest.raises(BusinessRuleError) as refused:
        bs.create_bom(product=table, by=admin_user, code="v2", valid_from=datetime.date(2027, 1, 1))
    assert _refusal(refused) == ("overlap", "valid_from")
    # Closing v1 first lets v2 take over the day after.
    bs.update_bom(table_bom, by=admin_user, expected_version=1, valid_to=datetime.date(2026, 12, 31))
    v2 = bs.create_bom(product=table, by=admin_user, code="v2", valid_from=datetime.date(2027, 1, 1),
                       copy_from=table_bom)
    assert [(x.component.sku, x.quantity, x.scrap_percent) for x in v2.lines.all()] == [
        ("LEG-1", Decimal("8.0000"), Decimal("5.0000")), ("TOP-1", Decimal("2.0000"), Decimal("0.0000"))]
    assert v2.operations.get().name == "Assemble"
    # Reopening v1 would overlap v2 again; a version before v1 that ends in time is fine.
    with pytest.raises(BusinessRuleError) as reopen:
        bs.update_bom(table_bom, by=admin_user, valid_to=None)
    assert _refusal(reopen) == ("overlap", "valid_from")
    bs.create_bom(product=table, by=admin_user, code="v0", valid_from=datetime.date(2025, 1, 1),
                  valid_to=datetime.date(2025, 12, 31))
    with pytest.raises(BusinessRuleError) as backwards:
        bs.create_bom(product=table, by=admin_user, code="vx", valid_from=datetime.date(2025, 6, 1),
                      valid_to=datetime.date(2025, 1, 1))
    assert _refusal(backwards) == ("end_before_start", "valid_to")
    with pytest.raises(ConflictError) as same_name:
        bs.create_bom(product=table, by=admin_user, code="V2", valid_from=datetime.date(2020, 1, 1),
                      valid_to=datetime.date(2020, 1, 2))
    assert _refusal(same_name) == ("duplicate", "code")


def test_an_archived_version_frees_its_dates_and_is_restored_only_without_overlap(admin_user, table, table_bom):
    bs.archive_bom(table_bom, by=admin_user)
    v2 = bs.create_bom(product=table, by=admin_user, code="v2", valid_from=JAN)
    with pytest.raises(BusinessRuleError) as refused:
        bs.restore_bom(table_bom, by=admin_user)
    assert _refusal(refused) == ("overlap", "valid_from")
    bs.archive_bom(v2, by=admin_user)
    assert not bs.restore_bom(table_bom, by=admin_user).is_archived


def test_a_version_used_by_production_orders_is_frozen(admin_user, table, table_bom, board, warehouse):
    from tandem.production.services import create_production_order

    create_production_order(product=table, quantity=1, by=admin_user, planned_start=datetime.date(2026, 3, 1))
    assert not bs.is_editable(table_bom)
    with pytest.raises(ConflictError) as refused:
        bs.add_bom_line(table_bom, by=admin_user, component=board, quantity="1")
    assert refused.value.code == "not_editable"
    # Its validity may still be closed so a new version takes over.
    bs.update_bom(table_bom, by=admin_user, valid_to=datetime.date(2026, 6, 30))
    ProductionOrder.objects.update(status=ProductionOrder.Status.CANCELLED)
    assert bs.is_editable(Bom.objects.get(pk=table_bom.pk))


def test_archived_work_centres_and_components_are_not_offered(admin_user, table_bom, assembly, board):
    bs.archive_work_centre(assembly, by=admin_user)
    with pytest.raises(BusinessRuleError) as centre:
        bs.add_bom_operation(table_bom, by=admin_user, name="Glue", work_centre=assembly)
    assert _refusal(centre) == ("archived", "work_centre")
    board.is_archived = True
    board.save()
    with pytest.raises(BusinessRuleError) as component:
        bs.add_bom_line(table_bom, by=admin_user, component=board, quantity="1")
    assert _refusal(component) == ("archived", "component")
