"""Bulk writes the ORM makes expensive in Python.

`update_rows` writes the same fields of several rows of one model by primary key as one prepared statement run
for every row (DB-API executemany): what QuerySet.bulk_update does with one UPDATE … CASE WHEN per batch, whose
building costs ~20 times more Python for a few rows. Values are prepared by the fields (get_db_prep_save), as
save() prepares them; no signals are sent (neither does bulk_update)."""

from __future__ import annotations

from django.db import connections, router


def update_rows(model, fields: list[str] | tuple[str, ...], objs) -> None:
    """UPDATE <table> SET <fields> WHERE pk = … for each of `objs` (instances of `model` with a pk)."""
    objs = list(objs)
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name) for name in fields]
    sets = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {sets} WHERE {quote(model._meta.pk.column)} = %s"
    params = [[field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns] + [obj.pk]
              for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
