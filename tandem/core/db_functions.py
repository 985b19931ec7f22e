"""Database functions Django lacks, written per vendor."""

from django.db.models import FloatField, Func


class SecondsBetween(Func):
    """Seconds from `start` to `end` (two datetime expressions), computed in SQL.

    Django's `end - start` becomes a Python-level timedelta function on SQLite, called once per row; this
    stays in SQL on both databases so averages over many rows are cheap."""

    output_field = FloatField()
    arity = 2

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection,
                           template="((julianday(%(expressions)s)) * 86400.0)", arg_joiner=") - julianday(",
                           **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM (%(expressions)s))",
                           arg_joiner=" - ", **extra_context)
