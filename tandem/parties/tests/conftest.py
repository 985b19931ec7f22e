"""Fixtures for the parties tests: clients owned by different people, and a guard that a refused
write left every table as it was."""

from contextlib import contextmanager

import pytest

from tandem.core import roles


@pytest.fixture
def other_rep(make_user):
    """A second sales representative: owner of clients the first one must not see."""
    return make_user(roles.SALES_REPRESENTATIVE, username="rep2")


@pytest.fixture
def own_client(sales_rep):
    from tandem.parties.tests.factories import ClientFactory

    return ClientFactory(name="Rep Own GmbH", owner=sales_rep, email="own@rep-own.example")


@pytest.fixture
def foreign_client(other_rep):
    from tandem.parties.tests.factories import ClientFactory

    return ClientFactory(name="Foreign Widgets AG", owner=other_rep, email="info@foreign.example")


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
