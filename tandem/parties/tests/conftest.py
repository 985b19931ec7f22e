"""Fixtures for the parties tests: clients owned by different people, and a guard that a refused
write left every table as it was."""

from contextlib import contextmanager

import pytest


def table_counts() -> dict:
    from tandem.core.models import AuditEntry
    from tandem.parties.models import BankAccount, Client, Contact, Counterparty, Source, Tag

    return {m.__name__: m.objects.count()
            for m in (Client, Counterparty, Contact, BankAccount, Source, Tag, AuditEntry)}


@pytest.fixture
def nothing_written(db):
    """`with nothing_written(): ...` fails if any parties row or audit entry appeared or vanished."""

    @contextmanager
    def check():
        before = table_counts()
        yield
        assert table_counts() == before

    return check
