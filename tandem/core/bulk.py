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


def _plain(model, *, inserting: bool = False) -> None:
    if model.save is models.Model.save:
        return
    # A save() that only guards rows already written (posted journal entries) has nothing to say about new ones.
    if inserting and getattr(model, "save_guards_only_existing_rows", False):
        return
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
    _plain(model, inserting=True)
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


def add_to(model, increments: dict, **where) -> int:
    """UPDATE <table> SET f = f + %s, … WHERE k = %s AND … (the running totals a posting adds to); returns the
    number of rows changed, so the caller creates the row when there was none. Keys and fields are field names
    (`account_id` for a foreign key)."""
    connection = connections[router.db_for_write(model)]
    sql, fields, keys = _add_statement(model, tuple(increments), tuple(where), connection.alias, returning=False)
    params = [field.get_db_prep_save(increments[name], connection) for name, field in zip(increments, fields,
                                                                                       strict=True)]
    params += [key.get_db_prep_value(where[name], connection) for name, key in zip(where, keys, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def next_in_sequence(model, field: str, **where) -> int | None:
    """UPDATE <table> SET <field> = <field> + 1 WHERE … RETURNING <field>: the next number of a sequence row,
    which the UPDATE locks until the transaction ends (so numbers have no gaps); None when there is no such row."""
    connection = connections[router.db_for_write(model)]
    sql, _fields, keys = _add_statement(model, (field,), tuple(where), connection.alias, returning=True)
    params = [key.get_db_prep_value(where[name], connection) for name, key in zip(where, keys, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


@cache
def _add_statement(model, fields: tuple[str, ...], keys: tuple[str, ...], alias: str, *, returning: bool):
    connection = connections[alias]
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in fields]
    keys = [model._meta.get_field(name) for name in keys]
    if returning:
        sets = ", ".join(f"{quote(field.column)} = {quote(field.column)} + 1" for field in fields)
    else:
        sets = ", ".join(f"{quote(field.column)} = {quote(field.column)} + %s" for field in fields)
    sql = (f"UPDATE {quote(model._meta.db_table)} SET {sets} "
           f"WHERE {' AND '.join(f'{quote(key.column)} = %s' for key in keys)}")
    if returning:
        if not connection.features.can_return_columns_from_insert:  # UPDATE … RETURNING came with it
            raise NotImplementedError("next_in_sequence needs UPDATE … RETURNING (SQLite ≥ 3.35, PostgreSQL)")
        sql += f" RETURNING {quote(fields[0].column)}"
    return sql, fields, keys
