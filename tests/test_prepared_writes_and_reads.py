"""core.prepared (reads compiled once) and core.bulk (writes built once) give what the ORM gives: the same
instances, the same rows, the same refusals — the document steps rely on it for every lock, line and audit."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Q
from django.db.transaction import TransactionManagementError

from tandem.catalog.models import PriceGroup, PriceList, PriceListItem, Product, TaxCategory, Unit
from tandem.core.bulk import insert_row, insert_rows, update_rows
from tandem.core.models import AuditEntry
from tandem.core.prepared import prepared
from tandem.parties.models import Client

pytestmark = pytest.mark.django_db

ITEMS = prepared(lambda product_ids, currency, group_ids: PriceListItem.objects
                 .filter(product_id__in=product_ids, price_list__currency=currency)
                 .filter(Q(price_list__price_group__isnull=True) | Q(price_list__price_group_id__in=group_ids))
                 .select_related("price_list", "product__unit").order_by("pk"))
LOCKED_PRODUCT = prepared(lambda pk: Product.objects.select_for_update(of=("self",))
                          .select_related("unit", "tax_category").filter(pk=pk))


@pytest.fixture
def priced():
    unit = Unit.objects.create(code="box", name="Box", step=Decimal("0.001"))
    tax = TaxCategory.objects.create(name="Standard 23 %", rate=Decimal(23))
    pump = Product.objects.create(sku="PUMP-1", name="Pump", unit=unit, tax_category=tax)
    valve = Product.objects.create(sku="VALVE-1", name="Valve", unit=unit)
    group = PriceGroup.objects.create(name="Wholesale")
    general = PriceList.objects.create(name="General PLN", currency="PLN", valid_from=datetime.date(2026, 1, 1))
    wholesale = PriceList.objects.create(name="Wholesale PLN", currency="PLN", price_group=group)
    euro = PriceList.objects.create(name="General EUR", currency="EUR")
    items = [PriceListItem.objects.create(price_list=general, product=pump, unit_price=Decimal("120.5000")),
             PriceListItem.objects.create(price_list=wholesale, product=pump, unit_price=Decimal("99.9900"),
                                          min_quantity=Decimal("10.000")),
             PriceListItem.objects.create(price_list=euro, product=valve, unit_price=Decimal("7.2500"))]
    return {"pump": pump, "valve": valve, "group": group, "items": items}


def _orm_items(product_ids, currency, group_ids):
    return list(PriceListItem.objects.filter(product_id__in=product_ids, price_list__currency=currency)
                .filter(Q(price_list__price_group__isnull=True) | Q(price_list__price_group_id__in=group_ids))
                .select_related("price_list", "product__unit").order_by("pk"))


def _as_seen(item):
    return (item.pk, item.unit_price, item.min_quantity, item.created_at, item.price_list.name,
            item.price_list.valid_from, item.product.sku, item.product.unit.step)


@pytest.mark.parametrize("case", ["general only", "with the group", "both products", "other currency"])
def test_a_prepared_read_gives_the_instances_the_orm_gives(priced, django_assert_num_queries, case):
    pump, valve, group = priced["pump"], priced["valve"], priced["group"]
    args = {"general only": ([pump.pk], "PLN", []),
            "with the group": ([pump.pk], "PLN", [group.pk]),
            "both products": ([pump.pk, valve.pk], "PLN", [group.pk, group.pk + 1000]),
            "other currency": ([pump.pk, valve.pk], "EUR", [])}[case]
    expected = [_as_seen(item) for item in _orm_items(*args)]
    ITEMS.all(*args)  # compiled on the first call
    with django_assert_num_queries(1):  # the item, its price list, product and unit in one statement
        found = ITEMS.all(*args)
        assert [_as_seen(item) for item in found] == expected
    assert expected, "each case finds something"
    assert all(isinstance(item.unit_price, Decimal) for item in found)


def test_the_same_prepared_read_serves_other_values_and_list_lengths(priced):
    pump, valve, group = priced["pump"], priced["valve"], priced["group"]
    assert [i.pk for i in ITEMS.all([pump.pk], "PLN", [])] == [priced["items"][0].pk]
    assert [i.pk for i in ITEMS.all([pump.pk], "PLN", [group.pk])] == [item.pk for item in priced["items"][:2]]
    assert [i.pk for i in ITEMS.all([valve.pk], "EUR", [group.pk])] == [priced["items"][2].pk]
    assert ITEMS.all([], "PLN", [group.pk]) == []  # IN (): nothing, without a query
    assert ITEMS.all([pump.pk], "USD", []) == []


def test_get_locks_in_a_transaction_and_refuses_outside_one(priced):
    with transaction.atomic():
        product = LOCKED_PRODUCT.get(priced["pump"].pk)
    assert (product.sku, product.unit.code, product.tax_category.rate) == ("PUMP-1", "box", Decimal(23))
    with transaction.atomic(), pytest.raises(Product.DoesNotExist):
        LOCKED_PRODUCT.get(priced["pump"].pk + 1000)


@pytest.mark.django_db(transaction=True)
def test_a_prepared_lock_outside_a_transaction_is_refused_as_the_orm_refuses_it():
    with pytest.raises(TransactionManagementError):
        LOCKED_PRODUCT.get(1)


def test_a_lookup_that_rewrites_its_value_is_refused_when_compiled(priced):
    by_name = prepared(lambda name: Product.objects.filter(name__icontains=name))
    with pytest.raises(TypeError, match="does not reach the SQL"):
        by_name.all("pump")


def test_insert_rows_sets_pks_stamps_times_and_takes_foreign_keys_saved_since(priced):
    unit = priced["pump"].unit
    price_list = PriceList(name="Autumn PLN", currency="PLN")
    item = PriceListItem(price_list=price_list, product=priced["valve"], unit_price=Decimal("5.1000"))
    insert_row(price_list)  # saved after the item was given it, as entries are given moves
    insert_rows([item])
    stored = PriceListItem.objects.select_related("price_list").get(pk=item.pk)
    assert (stored.price_list.name, stored.unit_price, stored.product_id) == ("Autumn PLN", Decimal("5.1"),
                                                                              priced["valve"].pk)
    assert stored.created_at is not None and stored.created_at == item.created_at

    many = [PriceListItem(price_list=price_list, product=priced["pump"], unit_price=Decimal(n),
                          min_quantity=Decimal(n)) for n in range(1, 251)]  # three statements of at most 100
    insert_rows(many)
    assert [(row.pk, row.min_quantity) for row in PriceListItem.objects.filter(price_list=price_list,
                                                                                product=priced["pump"])
            .order_by("pk")] == [(obj.pk, Decimal(n)) for n, obj in enumerate(many, start=1)]

    with pytest.raises(TypeError):
        insert_rows([unit])  # has a pk: not a new row
    with pytest.raises(TypeError, match="overrides save"):
        insert_row(Product(sku="X-1", name="Search key comes from save()", unit=unit))


def test_update_rows_writes_the_fields_and_stamps_updated_at(priced):
    first, second = priced["items"][:2]
    before = first.updated_at
    first.unit_price, second.unit_price = Decimal("1.0000"), Decimal("2.0000")
    first.discount_percent = Decimal(50)  # not in the fields: not written
    update_rows(PriceListItem, ["unit_price", "updated_at"], [first, second])
    rows = {row.pk: row for row in PriceListItem.objects.filter(pk__in=[first.pk, second.pk])}
    assert (rows[first.pk].unit_price, rows[second.pk].unit_price) == (Decimal(1), Decimal(2))
    assert rows[first.pk].discount_percent == Decimal(0)
    assert rows[first.pk].updated_at > before
    with pytest.raises(TypeError, match="overrides save"):
        update_rows(Client, ["name"], [Client(pk=1, name="x")])


def test_an_audit_entry_is_written_as_the_orm_wrote_it(priced, django_assert_num_queries):
    from django.contrib.contenttypes.models import ContentType

    from tandem.core import audit

    ContentType.objects.get_for_model(Product)  # cached once per process, as in a running server
    with django_assert_num_queries(1):
        entry = audit.record(priced["pump"], "catalog.product.updated", by=None, changes={"name": ["A", "B"]})
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.action, stored.object_id, stored.changes, stored.object_repr) == (
        "catalog.product.updated", str(priced["pump"].pk), {"name": ["A", "B"]}, "PUMP-1 Pump")


def test_a_date_argument_used_twice_filters_as_the_orm_filters(priced):
    on_date = prepared(lambda currency, day: PriceList.objects.filter(currency=currency)
                       .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day))
                       .exclude(valid_to__lt=day).order_by("pk"))
    PriceList.objects.filter(name="General PLN").update(valid_to=datetime.date(2026, 6, 30))
    for day in (datetime.date(2025, 12, 31), datetime.date(2026, 1, 1), datetime.date(2026, 6, 30),
                datetime.date(2026, 7, 1)):
        expected = list(PriceList.objects.filter(currency="PLN")
                        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day))
                        .exclude(valid_to__lt=day).order_by("pk").values_list("name", flat=True))
        assert [row.name for row in on_date.all("PLN", day)] == expected, day
    assert [row.name for row in on_date.all("PLN", datetime.date(2026, 3, 1))] == ["General PLN", "Wholesale PLN"]
    assert [row.name for row in on_date.all("PLN", datetime.date(2025, 3, 1))] == ["Wholesale PLN"]
