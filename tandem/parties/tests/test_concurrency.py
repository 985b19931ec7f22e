"""Twenty people save the same tax ID (or email) at the same moment (PostgreSQL, real parallel connections):
one record is created, the others are refused as duplicates, because the duplicate check runs under a lock
per value inside the writing transaction. Confirmed duplicates ("save anyway") are all saved."""

import datetime

import pytest

from tandem.core import roles
from tandem.core.errors import ConflictError
from tandem.core.tests.parallel import run_in_parallel
from tandem.parties import services
from tandem.parties.models import Client, Counterparty
from tandem.parties.tests.factories import ClientFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

START = datetime.date(2026, 1, 1)


def test_twenty_simultaneous_clients_with_one_tax_id_create_one(make_user):
    manager = make_user(roles.SALES_MANAGER, username="mgr")
    clients = [ClientFactory(owner=manager, name=f"Applicant {i}") for i in range(20)]

    def register(index):
        return services.add_counterparty(clients[index], by=manager, legal_name=f"Applicant {index} GmbH",
                                         tax_id="de 123 456 788", valid_from=START)

    outcomes = run_in_parallel(register, 20)

    created = [o for o in outcomes if isinstance(o, Counterparty)]
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(created) == 1
    assert len(refused) == 19
    assert all(isinstance(e, ConflictError) and e.code == "duplicate" and e.field == "tax_id" for e in refused)
    assert Counterparty.objects.filter(tax_id="DE123456788").count() == 1


def test_twenty_simultaneous_new_clients_with_one_email_create_one(make_user):
    manager = make_user(roles.SALES_MANAGER, username="mgr")

    def create(index):
        return services.create_client(by=manager, name=f"Twin {index}", email="Orders@Twin.example")

    outcomes = run_in_parallel(create, 20)

    assert len([o for o in outcomes if isinstance(o, Client)]) == 1
    assert all(isinstance(o, ConflictError) and o.code == "duplicate" for o in outcomes if not isinstance(o, Client))
    assert Client.objects.filter(email="orders@twin.example").count() == 1


def test_confirmed_duplicates_are_all_saved_at_once(make_user):
    manager = make_user(roles.SALES_MANAGER, username="mgr")
    clients = [ClientFactory(owner=manager, name=f"Branch {i}") for i in range(20)]

    def register(index):
        return services.add_counterparty(clients[index], by=manager, legal_name="Branch GmbH", tax_id="DE999999995",
                                         valid_from=START, allow_duplicates=True)

    outcomes = run_in_parallel(register, 20)

    assert all(isinstance(o, Counterparty) for o in outcomes)
    assert Counterparty.objects.filter(tax_id="DE999999995").count() == 20
