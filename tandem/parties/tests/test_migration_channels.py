"""The contact's fixed phone and e-mail columns become channels; names get folded search keys; tax IDs keys."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("parties", "0005_invariants_and_client_version")]
AFTER = [("parties", "0007_remove_contact_fixed_channels")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_latest_afterwards():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_existing_contact_columns_become_channels(make_user, back_to_latest_afterwards):
    user = make_user()
    old = migrate(BEFORE)
    Client, Contact, Counterparty = (old.get_model("parties", n) for n in ("Client", "Contact", "Counterparty"))
    client = Client.objects.create(name="Wisła Hurt", search_name="wisła hurt", owner_id=user.pk)
    Counterparty.objects.create(
        client=client,
        legal_name="Wisła Sp. z o.o.",
        search_name="wisła sp. z o.o.",
        tax_id="PL5252812349",
        valid_from="2024-01-01",
    )
    Contact.objects.create(
        client=client,
        first_name="Ewa",
        last_name="Nowak",
        search_name="ewa nowak",
        email="ewa@wisla.pl",
        alternate_email="ewa.private@gmail.com",
        phone="+48226543210",
        mobile_phone="+48601234567",
        messengers="Telegram @ewa_nowak, WhatsApp +48601234567, ICQ 123",
    )
    Contact.objects.create(client=client, first_name="Jan", search_name="jan")

    new = migrate(AFTER)

    Client, Contact, Counterparty, Channel = (
        new.get_model("parties", n) for n in ("Client", "Contact", "Counterparty", "ContactChannel")
    )
    ewa = Contact.objects.get(first_name="Ewa")
    assert list(Channel.objects.filter(contact=ewa).order_by("position").values_list("kind", "value")) == [
        ("email", "ewa@wisla.pl"),
        ("email", "ewa.private@gmail.com"),
        ("office_phone", "+48226543210"),
        ("mobile_phone", "+48601234567"),
        ("telegram", "ewa_nowak"),
        ("whatsapp", "+48601234567"),
    ]
    assert ewa.messengers == "ICQ 123"  # what has no channel of its own stays as text
    assert not Channel.objects.filter(contact__first_name="Jan").exists()
    assert Client.objects.get().search_name == "wisla hurt"
    assert Counterparty.objects.get().tax_id_key == "5252812349"
