"""Querysets compiled once and run many times: the reads on the hot path of every document step.

Why: turning a QuerySet into SQL is most of what a read costs in Python — on a 2-core VM ~1 ms to compile
`Quote.objects.filter(pk=…)` against ~0.15 ms to run it and build the instance — and a document step (lock the
document, read its lines, its stock rows) compiles the same few querysets on every request with only the ids
changing.

    _LOCK = prepared(lambda pk: Quote.objects.select_for_update().select_related("client").filter(pk=pk))
    quote = _LOCK.get(quote.pk)          # Quote.DoesNotExist / MultipleObjectsReturned as QuerySet.get
    lines = _LINES.all(order.pk)         # a list of instances, as list(queryset)

The builder is called once per database connection (and per length of each list argument) with stand-in values;
the SQL it compiles to is kept with where each argument's value goes, and later calls run that SQL with the real
values and build the instances as QuerySet iteration does (select_related objects, annotations, the database's
value converters). Arguments are ids, strings or dates, or lists of ids or strings: the values filter()
compares with `=`, `<`, `>` or `IN`. Anything the stand-in cannot be found for (a value the lookup rewrites,
e.g. `icontains`) is refused when compiling, so a wrong use fails on its first call in tests, never silently.
Everything else in the builder is fixed at the first call: it must read nothing but its arguments (no "today",
no setting that may change).
"""

from __future__ import annotations

import datetime
import weakref
from collections.abc import Callable, Sequence
from itertools import count

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, get_related_populators
from django.db.transaction import TransactionManagementError

# Ids no table holds: negative, yet inside a 32-bit integer column's range (PostgreSQL drops an out-of-range value
# from the SQL, which would then be refused as "does not reach the SQL").
_STAND_IN_BASE = -2_073_741_824
_DATE_STAND_IN = datetime.date(1111, 1, 1)  # dates no business record has (and no builder's own constant)
_builders = count()
NOTHING = object()  # what a query that can match no row (an empty IN list) compiles to


class PreparedQuery:
    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self.key = next(_builders)
        self.alias: str | None = None

    # --- Running ---------------------------------------------------------------------------------------------

    def all(self, *args) -> list:
        shape = _shape(args)
        compiled = self._compiled(shape)
        if compiled is NOTHING:
            return []  # e.g. `pk IN ()`: the ORM answers without asking the database, so do we
        connection = connections[compiled.db]
        if compiled.for_update and connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        params = list(compiled.params)
        for position, argument, item, kind in compiled.slots:
            value = args[argument] if item is None else args[argument][item]
            if kind is TEXT:
                value = str(value)
            elif kind is DATE:
                value = connection.ops.adapt_datefield_value(value)
            else:
                value = value if type(value) is int else int(value)
                if kind is not None:
                    value = kind(value)
            params[position] = value
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        return compiled.instances(rows, connection)

    def first(self, *args):
        """The first instance or None (the builder orders and slices, e.g. `.order_by("pk")[:1]`)."""
        found = self.all(*args)
        return found[0] if found else None

    def get(self, *args):
        found = self.all(*args)
        if len(found) == 1:
            return found[0]
        model = self.build(*_stand_ins(_shape(args))[0]).model
        if not found:
            raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
        raise model.MultipleObjectsReturned(f"get() returned more than one {model._meta.object_name}.")

    # --- Compiling -------------------------------------------------------------------------------------------

    def _compiled(self, shape: tuple) -> _Compiled | object:
        alias = self.alias
        if alias is not None:  # known after the first call: the cache lives on the thread's connection
            compiled = connections[alias].__dict__.get("_tandem_prepared", {}).get((self.key, shape))
            if compiled is not None:
                return compiled
        stand_ins, where = _stand_ins(shape)
        queryset = self.build(*stand_ins)
        self.alias = alias = queryset.db
        connection = connections[alias]
        compiled = _compile(connection, queryset, where)
        connection.__dict__.setdefault("_tandem_prepared", {})[(self.key, shape)] = compiled
        return compiled


TEXT, DATE = "text", "date"


def _shape(args) -> tuple:
    """What the compiled SQL depends on in the arguments: each list's length, and which are dates."""
    return tuple(len(arg) if isinstance(arg, (list, tuple)) else
                 DATE if isinstance(arg, datetime.date) and not isinstance(arg, datetime.datetime) else None
                 for arg in args)


def _stand_ins(shape: tuple) -> tuple[list, dict]:
    """Values for the builder that no real argument has, and {stand-in: (argument, item in its list)}."""
    stand_ins, where = [], {}
    for argument, size in enumerate(shape):
        if size is DATE:
            value = _DATE_STAND_IN + datetime.timedelta(days=len(where))
            where[value] = (argument, None)
            stand_ins.append(value)
            continue
        values = []
        for item in range(size) if size is not None else (None,):
            value = _STAND_IN_BASE + len(where)
            where[value] = (argument, item)
            values.append(value)
        stand_ins.append(values if size is not None else values[0])
    return stand_ins, where


def _compile(connection, queryset: QuerySet, where: dict) -> _Compiled | object:
    if queryset._iterable_class is not ModelIterable or queryset._known_related_objects or \
            queryset._prefetch_related_lookups:
        raise TypeError("prepared() runs plain model querysets (no values(), related managers or prefetch).")
    compiler = queryset.query.get_compiler(connection=connection)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return NOTHING
    dates = {connection.ops.adapt_datefield_value(value): value for value in where
             if isinstance(value, datetime.date)}
    slots, reached = [], set()
    for position, value in enumerate(params):
        if isinstance(value, int) and not isinstance(value, bool) and value in where:
            # int, or the driver's type the field asked for (psycopg's Int8 for a bigint column): kept for the run
            stand_in, kind = int(value), (None if type(value) is int else type(value))
        elif type(value) is str and value[1:].isdigit() and int(value) in where:  # a text column's value
            stand_in, kind = int(value), TEXT
        elif isinstance(value, (str, datetime.date)) and (value in dates or value in where):
            stand_in, kind = dates.get(value, value), DATE
        else:
            continue
        slots.append((position, *where[stand_in], kind))  # an argument may be used more than once
        reached.add(stand_in)
    if set(where) - reached:
        raise TypeError("prepared(): an argument's value does not reach the SQL as it is; use it for ids, strings "
                        "and dates compared with =, <, > or IN.")
    return _Compiled(compiler, sql, tuple(params), slots, queryset, connection.alias)


class _Compiled:
    """The SQL, the parameter slots, and what QuerySet iteration needs to build instances from rows."""

    def __init__(self, compiler, sql: str, params: tuple, slots: list, queryset: QuerySet, db: str):
        self.sql, self.params, self.slots = sql, params, slots
        self.for_update = queryset.query.select_for_update
        self.db = db
        klass_info, select = compiler.klass_info, compiler.select
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [column[0].target.attname for column in select[self.start:self.end]]
        self.fetch_mode = queryset._fetch_mode
        self.populators = get_related_populators(klass_info, select, self.db, self.fetch_mode)
        self.annotations = list((compiler.annotation_col_map or {}).items())
        self.converters = list(compiler.get_converters([s[0] for s in select[0:compiler.col_count]]).items())

    def instances(self, rows: Sequence, connection) -> list:
        from_db, db, init_list, start, end = self.model.from_db, self.db, self.init_list, self.start, self.end
        fetch_mode, populators, annotations = self.fetch_mode, self.populators, self.annotations
        converters = self.converters
        found, peers = [], []
        for row in rows:
            if converters:
                row = list(row)
                for position, (functions, expression) in converters:
                    value = row[position]
                    for function in functions:
                        value = function(value, expression, connection)
                    row[position] = value
            obj = from_db(db, init_list, row[start:end], fetch_mode=fetch_mode)
            if fetch_mode.track_peers:
                peers.append(weakref.ref(obj))
                obj._state.peers = peers
            for populator in populators:
                populator.populate(row, obj)
            for name, position in annotations:
                setattr(obj, name, row[position])
            found.append(obj)
        return found


def prepared(build: Callable[..., QuerySet]) -> PreparedQuery:
    """A read compiled once per connection: `build(*ids)` returns the queryset (see the module's text)."""
    return PreparedQuery(build)
