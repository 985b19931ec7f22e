"""`tandem demo` loads a realistic data set through the services, once."""

import random
from io import StringIO

import phonenumbers
import pytest
from django.core.management import call_command
from django.db.models import Count

from tandem.core import roles
from tandem.core.models import AuditEntry, Company, User
from tandem.parties.demo import CLIENT_COUNT, DEMO_PASSWORD, german_iban, german_vat_id, russian_inn
from tandem.parties.models import BankAccount, Client, Contact, ContactChannel, Counterparty, Source

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count()
            for model in (User, Client, Counterparty, Contact, BankAccount, Source, AuditEntry)}


DEMO_SCALE = 0.25


def load_demo() -> str:
    out = StringIO()
    # A quarter of the shipped size keeps the test fast; the default size is the same code with more rows.
    call_command("load_demo", scale=DEMO_SCALE, stdout=out)
    return out.getvalue()


def test_demo_loads_clients_users_and_history_once():
    output = load_demo()

    assert Client.objects.count() >= round(CLIENT_COUNT * DEMO_SCALE)  # qualified CRM leads add more
    assert set(Client.objects.values_list("kind", flat=True)) == {Client.Kind.B2B, Client.Kind.B2C}
    assert Client.objects.values("status").distinct().count() >= 3
    company = Company.objects.get()
    assert (company.base_currency, company.language, company.time_zone) == ("EUR", "en", "Europe/Berlin")

    # One user per shipped role; admin is a superuser with the Administrator role.
    for role in roles.ROLES:
        assert User.objects.filter(groups__name=role).exists(), role
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.check_password(DEMO_PASSWORD)
    assert admin.groups.filter(name=roles.ADMINISTRATOR).exists()
    assert "http://127.0.0.1:8000" in output and DEMO_PASSWORD in output
    for username in ("admin", "manager", "rep1", "rep2", "warehouse", "accountant", "buyer", "production",
                     "viewer"):
        assert username in output

    # Some client changed its legal entity: a closed past counterparty and an open current one.
    changed = Client.objects.annotate(n=Count("counterparties")).filter(n=2).first()
    assert changed is not None
    past, current = sorted(changed.counterparties.all(), key=lambda cp: cp.valid_from)
    assert past.valid_to is not None and current.valid_to is None
    assert changed.current_counterparty() == current
    assert AuditEntry.objects.filter(action="parties.counterparty.updated", object_id=str(past.pk)).exists()
    assert not Client.objects.filter(kind=Client.Kind.B2B, counterparties__isnull=True).exists()
    assert BankAccount.objects.exists()

    # Every client has a contact, and every stored phone number is valid.
    assert not Client.objects.filter(contacts__isnull=True).exists()
    phones = list(ContactChannel.objects.filter(kind__in=ContactChannel.PHONE_KINDS).values_list("value", flat=True))
    phones += [p for p in Client.objects.values_list("phone", flat=True) if p]
    assert phones and all(phonenumbers.is_valid_number(phonenumbers.parse(p)) for p in phones)
    # Contact persons have several channels: e-mail and mobile each, many a messenger too.
    kinds = set(ContactChannel.objects.filter(contact__isnull=False).values_list("kind", flat=True))
    assert {"email", "mobile_phone", "office_phone", "telegram", "whatsapp"} <= kinds
    several = Contact.objects.annotate(n=Count("channels")).filter(n__gte=3).count()
    assert several >= Contact.objects.count() // 3
    assert AuditEntry.objects.filter(action="parties.client.created").count() == Client.objects.count()

    before = counts()
    output = load_demo()
    assert counts() == before
    assert "already loaded" in output and "rep1" in output


def german_vat_id_is_valid(vat_id: str) -> bool:
    digits = [int(c) for c in vat_id[2:]]
    product = 10
    for d in digits[:8]:
        product = (2 * ((d + product) % 10 or 10)) % 11
    return vat_id.startswith("DE") and len(digits) == 9 and (11 - product) % 10 == digits[8]


def russian_inn_is_valid(inn: str) -> bool:
    weights = [2, 4, 10, 3, 5, 9, 4, 6, 8]
    total = sum(w * int(d) for w, d in zip(weights, inn[:9], strict=True))
    return len(inn) == 10 and int(inn[9]) == total % 11 % 10


def test_generated_identifiers_pass_their_check_digits():
    # Published identifiers check the checkers: SAP's USt-IdNr and Sberbank's INN.
    assert german_vat_id_is_valid("DE811569869") and not german_vat_id_is_valid("DE811569868")
    assert russian_inn_is_valid("7707083893") and not russian_inn_is_valid("7707083894")
    rng = random.Random(1)
    for _ in range(50):
        assert german_vat_id_is_valid(german_vat_id(rng))
        assert russian_inn_is_valid(russian_inn(rng))
        iban = german_iban(rng, "10040000")
        assert len(iban) == 22 and int(iban[4:] + "1314" + iban[2:4]) % 97 == 1


def test_consumers_who_share_a_name_are_both_kept(monkeypatch):
    """Names are drawn at random: at the shipped size two consumers got the same name and the whole demo stopped
    at the duplicate check. As in life, both are kept."""
    from tandem.parties import demo

    monkeypatch.setattr(demo._DemoBuilder, "person", lambda self, russian: ("Jan", "Becker"))
    demo.build_demo_data(clients=12)

    consumers = Client.objects.filter(kind=Client.Kind.B2C, name="Jan Becker")
    assert consumers.count() >= 2
