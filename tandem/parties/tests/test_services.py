"""Business rules of parties.services: what is refused, what is normalised, what is audited."""

import datetime

import pytest

from tandem.core.audit import history_for
from tandem.core.errors import AccessDenied, BusinessRuleError, ConflictError
from tandem.core.models import AuditEntry
from tandem.parties import services
from tandem.parties.models import Client, Contact, Counterparty
from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory

JAN_1 = datetime.date(2024, 1, 1)


def entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


# --- Counterparties over time -----------------------------------------------------------------------


def test_new_counterparty_closes_the_open_predecessor_and_audits_both(sales_manager):
    acme = ClientFactory(owner=sales_manager)
    old = services.add_counterparty(acme, by=sales_manager, legal_name="Acme GmbH", valid_from=JAN_1)

    new = services.add_counterparty(
        acme, by=sales_manager, legal_name="Acme AG", valid_from=datetime.date(2024, 7, 1)
    )

    old.refresh_from_db()
    assert old.valid_to == datetime.date(2024, 6, 30)
    assert new.valid_to is None
    assert acme.current_counterparty(datetime.date(2024, 6, 30)) == old
    assert acme.current_counterparty(datetime.date(2024, 7, 1)) == new
    closed = entries("parties.counterparty.updated")
    assert [(e.object_id, e.changes) for e in closed] == [(str(old.pk), {"valid_to": [None, "2024-06-30"]})]
    assert [e.object_id for e in entries("parties.counterparty.created")] == [str(old.pk), str(new.pk)]
    # Both are filed under the client, so its card shows them.
    assert {e.object_id for e in history_for(acme).filter(content_type=closed[0].content_type)} == {
        str(old.pk), str(new.pk),
    }  # fmt: skip


def test_overlapping_period_is_refused_and_nothing_changes(sales_manager):
    acme = ClientFactory(owner=sales_manager)
    CounterpartyFactory(client=acme, valid_from=JAN_1, valid_to=datetime.date(2024, 12, 31))
    before = AuditEntry.objects.count()

    with pytest.raises(BusinessRuleError) as exc:
        services.add_counterparty(
            acme, by=sales_manager, legal_name="Overlap", valid_from=datetime.date(2024, 6, 1)
        )
    assert (exc.value.code, exc.value.field) == ("period_overlap", "valid_from")
    assert Counterparty.objects.count() == 1 and AuditEntry.objects.count() == before


def test_counterparty_starting_before_the_open_one_is_refused(sales_manager):
    acme = ClientFactory(owner=sales_manager)
    CounterpartyFactory(client=acme, valid_from=datetime.date(2024, 6, 1))
    with pytest.raises(BusinessRuleError) as exc:
        services.add_counterparty(acme, by=sales_manager, legal_name="Earlier", valid_from=JAN_1)
    assert exc.value.code == "period_overlap"


def test_valid_to_before_valid_from_is_refused(sales_manager):
    acme = ClientFactory(owner=sales_manager)
    with pytest.raises(BusinessRuleError):
        services.add_counterparty(
            acme,
            by=sales_manager,
            legal_name="Backwards",
            valid_from=JAN_1,
            valid_to=datetime.date(2023, 12, 31),
        )
    assert not Counterparty.objects.exists()


def test_tax_id_is_normalised(sales_manager):
    cp = services.add_counterparty(
        ClientFactory(owner=sales_manager),
        by=sales_manager,
        legal_name="X",
        tax_id=" de 123 456 788 ",
        valid_from=JAN_1,
    )
    assert cp.tax_id == "DE123456788"


# --- Normalisation and validation -------------------------------------------------------------------


def test_phones_are_stored_in_e164(sales_manager):
    acme = services.create_client(by=sales_manager, name="Acme", phone="+49 (30) 123-4567")
    contact = services.add_contact(
        acme, by=sales_manager, first_name="Anna", phone="+7 900 123-45-67", mobile_phone="+49 151 2345 6789"
    )
    assert acme.phone == "+49301234567"
    assert (contact.phone, contact.mobile_phone) == ("+79001234567", "+4915123456789")


def test_invalid_phone_is_refused_on_its_field(sales_manager):
    with pytest.raises(BusinessRuleError) as exc:
        services.create_client(by=sales_manager, name="Acme", phone="12")
    assert (exc.value.code, exc.value.field) == ("invalid_phone", "phone")
    assert not Client.objects.exists() and not AuditEntry.objects.exists()


# --- Duplicates -------------------------------------------------------------------------------------


def test_duplicate_tax_id_names_the_existing_client(sales_manager):
    first = ClientFactory(name="First Ltd", owner=sales_manager)
    services.add_counterparty(
        first, by=sales_manager, legal_name="First GmbH", tax_id="DE111111117", valid_from=JAN_1
    )
    second = ClientFactory(name="Second Ltd", owner=sales_manager)

    with pytest.raises(ConflictError) as exc:
        services.add_counterparty(
            second, by=sales_manager, legal_name="Second", tax_id="de 111 111 117", valid_from=JAN_1
        )
    assert exc.value.code == "duplicate" and exc.value.field == "tax_id"
    assert "First Ltd" in exc.value.message
    assert [(d["field"], d["client_id"]) for d in exc.value.extra["duplicates"]] == [("tax ID", first.pk)]

    services.add_counterparty(
        second, by=sales_manager, legal_name="Second", tax_id="DE111111117", valid_from=JAN_1, allow_duplicates=True
    )
    assert Counterparty.objects.filter(tax_id="DE111111117").count() == 2


def test_duplicate_email_is_found_case_insensitively(sales_manager):
    existing = services.create_client(by=sales_manager, name="Existing", email="info@acme.example")
    with pytest.raises(ConflictError) as exc:
        services.create_client(by=sales_manager, name="New", email="INFO@Acme.example")
    assert "Existing" in exc.value.message and exc.value.field == "email"
    assert exc.value.extra["duplicates"][0]["client_id"] == existing.pk
    assert Client.objects.count() == 1


def test_duplicate_phone_of_a_contact_names_its_client(sales_manager, sales_rep):
    other = services.create_client(by=sales_rep, name="Rep Client")
    services.add_contact(other, by=sales_rep, first_name="Ivan", mobile_phone="+7 900 123 45 67")

    with pytest.raises(ConflictError) as exc:
        services.create_client(by=sales_manager, name="New", phone="+79001234567")
    duplicate = exc.value.extra["duplicates"][0]
    assert (duplicate["field"], duplicate["client_name"]) == ("phone", "Rep Client")
    assert "Ivan" in duplicate["record"]


def test_updating_to_own_unchanged_values_is_not_a_duplicate(sales_manager):
    acme = services.create_client(by=sales_manager, name="Acme", email="a@acme.example", phone="+49301234567")
    services.update_client(acme, by=sales_manager, email="a@acme.example", phone="+49 30 1234567", notes="x")


# --- Owners and permissions -------------------------------------------------------------------------


def test_representative_cannot_assign_other_owners(sales_rep, sales_manager):
    with pytest.raises(BusinessRuleError) as exc:
        services.create_client(by=sales_rep, name="Not mine", owner=sales_manager)
    assert (exc.value.code, exc.value.field) == ("owner_not_allowed", "owner")

    mine = services.create_client(by=sales_rep, name="Mine")
    assert mine.owner == sales_rep
    with pytest.raises(BusinessRuleError) as exc:
        services.update_client(mine, by=sales_rep, owner=sales_manager)
    assert exc.value.code == "owner_not_allowed"
    mine.refresh_from_db()
    assert mine.owner == sales_rep


def test_manager_may_assign_any_active_owner(sales_manager, sales_rep, make_user):
    assert services.create_client(by=sales_manager, name="For rep", owner=sales_rep).owner == sales_rep
    gone = make_user("Sales representative", is_active=False)
    with pytest.raises(BusinessRuleError) as exc:
        services.create_client(by=sales_manager, name="For gone", owner=gone)
    assert exc.value.code == "inactive_owner"


def test_viewer_may_not_write(viewer, sales_manager):
    with pytest.raises(AccessDenied):
        services.create_client(by=viewer, name="Nope")
    acme = ClientFactory(owner=sales_manager)
    with pytest.raises(AccessDenied):
        services.add_contact(acme, by=viewer, first_name="Nope")
    assert not Contact.objects.exists()


# --- Audit ------------------------------------------------------------------------------------------


def test_each_change_writes_an_audit_entry_with_old_and_new_values(sales_manager):
    acme = services.create_client(by=sales_manager, name="Acme", tags=["b2b"])
    created = entries("parties.client.created")[0]
    assert (
        created.actor == sales_manager
        and created.changes["name"] == "Acme"
        and created.changes["tags"] == ["b2b"]
    )

    services.update_client(
        acme, by=sales_manager, name="Acme Group", status=Client.Status.ACTIVE, tags=["b2b", "vip"]
    )
    updated = entries("parties.client.updated")[0]
    assert updated.changes == {
        "name": ["Acme", "Acme Group"], "status": ["prospect", "active"], "tags": [["b2b"], ["b2b", "vip"]],
    }  # fmt: skip

    services.update_client(acme, by=sales_manager, name="Acme Group")  # no change, no entry
    assert len(entries("parties.client.updated")) == 1

    cp = services.add_counterparty(acme, by=sales_manager, legal_name="Acme GmbH", valid_from=JAN_1)
    services.update_counterparty(cp, by=sales_manager, registration_number="HRB 1")
    assert entries("parties.counterparty.updated")[0].changes == {"registration_number": ["", "HRB 1"]}

    contact = services.add_contact(acme, by=sales_manager, first_name="Anna")
    services.update_contact(contact, by=sales_manager, last_name="Schmidt")
    assert entries("parties.contact.updated")[0].changes == {"last_name": ["", "Schmidt"]}
    services.delete_contact(contact, by=sales_manager)
    assert entries("parties.contact.deleted")[0].changes["first_name"] == "Anna"

    # All of it shows on the client's card, newest first.
    assert [e.action for e in history_for(acme)][:2] == ["parties.contact.deleted", "parties.contact.updated"]
    assert history_for(acme).count() == 7


def test_deleting_a_client_is_audited(sales_manager):
    acme = services.create_client(by=sales_manager, name="Acme")
    services.delete_client(acme, by=sales_manager)
    assert not Client.objects.exists()
    assert entries("parties.client.deleted")[0].object_repr == "Acme"
