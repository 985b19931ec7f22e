"""Writes the ORM makes expensive in Python, for the hot paths of document flows.

`update_rows` writes the same fields of several rows of one model by primary key as one prepared statement run
for every row (DB-API executemany): what QuerySet.bulk_update does with one UPDATE … CASE WHEN per batch, whose
building costs ~20 times more Python for a few rows, and what save(update_fields=…) does for one row after
compiling its UPDATE anew on every call.

`insert_row` / `insert_rows` insert new instances with an INSERT built once per model, database and number of
rows (the ORM compiles it anew for every save() and bulk_create()).

Both prepare values exactly as save() does — `field.pre_save` (auto_now and auto_now_add stamp the time) then
`field.get_db_prep_save` — and, like bulk_update, send no signals: use them only for models without
save() overrides or signal receivers that matter (an override is refused)."""

from __future__ import annotations

from functools import cache

from django.db import connections, models, router


def _plain(model) -> None:
    if model.save is not models.Model.save:
        raise TypeError(f"{model.__name__} overrides save(): write it with save(), which runs the override.")


def update_rows(model, fields: list[str] | tuple[str, ...], objs) -> None:
    """UPDATE <table> SET <fields> WHERE pk = … for each of `objs` (instances of `model` with a pk)."""
    objs = list(objs)
    if not objs:
        return
    _plain(model)
    connection = connections[router.db_for_write(model)]
    columns, sql = _update_statement(model, tuple(fields), connection.alias)
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="update_rows", fields=columns)
    params = [[field.get_db_prep_save(field.pre_save(obj, False), connection) for field in columns] + [obj.pk]
              for obj in objs]
    with connection.cursor() as cursor:
        if len(params) == 1:
            cursor.execute(sql, params[0])
        else:
            cursor.executemany(sql, params)


@cache
def _update_statement(model, fields: tuple[str, ...], alias: str) -> tuple[list, str]:
    quote = connections[alias].ops.quote_name
    columns = [model._meta.get_field(name) for name in fields]
    sets = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    return columns, f"UPDATE {quote(model._meta.db_table)} SET {sets} WHERE {quote(model._meta.pk.column)} = %s"


def insert_row(obj: models.Model) -> models.Model:
    """INSERT `obj` (a new instance whose primary key the database assigns) and set its pk, as save() would."""
    insert_rows([obj])
    return obj


def insert_rows(objs) -> list:
    """INSERT new instances of one model, as bulk_create does (their pks set from RETURNING, in order), with the
    statement built once per model and number of rows (at most INSERT_BATCH rows per statement)."""
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    _plain(model)
    if any(type(obj) is not model or obj.pk is not None for obj in objs):
        raise TypeError("insert_rows takes new instances (no pk yet) of one model.")
    for obj in objs:  # a foreign key set to an object saved since (entries of moves just inserted) takes its pk
        obj._prepare_related_fields_for_save(operation_name="insert_rows")
    connection = connections[router.db_for_write(model)]
    for start in range(0, len(objs), INSERT_BATCH):
        batch = objs[start:start + INSERT_BATCH]
        columns, sql, returning = _insert_statement(model, connection.alias, len(batch))
        params = [field.get_db_prep_save(field.pre_save(obj, True), connection) for obj in batch for field in columns]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if returning:
                pks = [row[0] for row in cursor.fetchall()]
            else:  # one row per statement then (see _insert_statement)
                pks = [connection.ops.last_insert_id(cursor, model._meta.db_table, model._meta.pk.column)]
        for obj, pk in zip(batch, pks, strict=True):
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = connection.alias
    return objs


INSERT_BATCH = 100


@cache
def _insert_statement(model, alias: str, rows: int = 1) -> tuple[list, str, bool]:
    connection = connections[alias]
    quote = connection.ops.quote_name
    meta = model._meta
    if meta.auto_field is None:
        raise TypeError(f"{model.__name__} has no database-assigned primary key.")
    columns = [field for field in meta.local_concrete_fields
               if field is not meta.auto_field and not field.generated and not field.has_db_default()]
    returning = connection.features.can_return_rows_from_bulk_insert
    if not returning and rows > 1:
        raise NotImplementedError("insert_rows needs INSERT … RETURNING for several rows (SQLite ≥ 3.35, PostgreSQL)")
    row = f"({', '.join(['%s'] * len(columns))})"
    sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(field.column) for field in columns)}) "
           f"VALUES {', '.join([row] * rows)}")
    if returning:
        sql += f" RETURNING {quote(meta.pk.column)}"
    return columns, sql, returning
