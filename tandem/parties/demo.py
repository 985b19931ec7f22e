"""The demo data set: a company, one user per shipped role, and a few hundred realistic clients.

Everything goes through the services (so the audit trail and the duplicate rules hold as for real
data); the only direct writes are the demo users, their roles and the lookup rows (sources).
A fixed random seed makes two runs produce the same data; `load_demo` calls `build_demo_data`, which
does nothing but report the logins when the data set is already there.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

import phonenumbers
from django.contrib.auth.models import Group
from django.db import transaction

from tandem.core import audit, roles
from tandem.core.models import User
from tandem.core.services import update_company
from tandem.parties import services
from tandem.parties.models import Client, Source

SEED = 20240917
DEMO_PASSWORD = "tandem-demo-2024"
CLIENT_COUNT = 220
COMPANY = {"name": "Nordlicht Handel GmbH", "base_currency": "EUR", "language": "en",
           "time_zone": "Europe/Berlin"}

# (username, first name, last name, role); admin is also superuser and staff.
DEMO_USERS = [
    ("admin", "Anja", "Keller", roles.ADMINISTRATOR),
    ("manager", "Markus", "Brandt", roles.SALES_MANAGER),
    ("rep1", "Lena", "Vogel", roles.SALES_REPRESENTATIVE),
    ("rep2", "Dmitri", "Orlov", roles.SALES_REPRESENTATIVE),
    ("warehouse", "Jonas", "Fischer", roles.WAREHOUSE),
    ("accountant", "Sabine", "Hartmann", roles.ACCOUNTANT),
    ("buyer", "Tomasz", "Nowak", roles.PURCHASING),
    ("production", "Pavel", "Smirnov", roles.PRODUCTION),
    ("viewer", "Clara", "Neumann", roles.VIEWER),
]
SOURCES = [
    ("Website", Source.Channel.WEBSITE),
    ("Referral", Source.Channel.REFERRAL),
    ("Exhibition", Source.Channel.EXHIBITION),
    ("Advertising", Source.Channel.ADVERTISING),
    ("Cold call", Source.Channel.COLD_CALL),
]
TAGS = ["VIP", "Wholesale", "Retail", "Key account", "Newsletter", "Export", "Public sector", "Late payer"]

# --- Word lists -------------------------------------------------------------------------------------

DE_FIRST = ["Anna", "Lukas", "Sophie", "Felix", "Marie", "Jan", "Laura", "Tobias", "Julia", "Stefan",
            "Katrin", "Michael", "Sarah", "Thomas", "Nina", "Florian", "Eva", "Matthias", "Lisa", "Andreas"]
DE_LAST = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
           "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
           "Braun", "Krüger", "Hofmann", "Lange", "Werner", "Krause"]
RU_FIRST = ["Ivan", "Olga", "Sergey", "Natalia", "Alexei", "Elena", "Mikhail", "Tatiana", "Andrei", "Irina",
            "Nikolai", "Svetlana", "Pavel", "Yulia", "Vladimir", "Ekaterina"]
RU_LAST = ["Ivanov", "Petrov", "Sidorov", "Kuznetsov", "Popov", "Volkov", "Sokolov", "Lebedev", "Kozlov",
           "Novikov", "Morozov", "Egorov", "Pavlov", "Semenov", "Golubev", "Vinogradov"]
# Russian surnames take a feminine form.
RU_FEMININE = {"Olga", "Natalia", "Elena", "Tatiana", "Irina", "Svetlana", "Yulia", "Ekaterina"}

DE_STEMS = ["Nord", "Süd", "Alpen", "Rhein", "Elb", "Spree", "Hansa", "Berg", "Wald", "Stern", "Falken",
            "Linden", "Ost", "West", "Donau", "Isar", "Main", "Hafen"]
DE_TRADES = ["Bau", "Logistik", "Maschinenbau", "Technik", "Elektro", "Metall", "Holz", "Druck", "Handel",
             "Medizintechnik", "Kunststoff", "Energie", "Software", "Möbel", "Textil", "Lebensmittel"]
DE_FORMS = ["GmbH", "GmbH", "GmbH", "AG", "KG", "GmbH & Co. KG", "UG (haftungsbeschränkt)"]
RU_STEMS = ["Sever", "Volga", "Ural", "Baltika", "Sibir", "Neva", "Altai", "Vostok", "Zvezda", "Orion",
            "Granit", "Kama", "Don", "Taiga"]
RU_TRADES = ["Stroy", "Trans", "Torg", "Mash", "Prom", "Tekh", "Energo", "Snab", "Les", "Agro", "Metall",
             "Soft"]
RU_FORMS = ["OOO", "OOO", "OOO", "AO", "PAO"]

DE_CITIES = [  # city, postcode prefix, dialling code, streets
    ("Berlin", "10", "30", ["Friedrichstraße", "Torstraße", "Kantstraße", "Greifswalder Straße"]),
    ("Hamburg", "20", "40", ["Mönckebergstraße", "Steindamm", "Osterstraße"]),
    ("München", "80", "89", ["Leopoldstraße", "Sonnenstraße", "Landsberger Straße"]),
    ("Köln", "50", "221", ["Hohe Straße", "Aachener Straße", "Venloer Straße"]),
    ("Frankfurt am Main", "60", "69", ["Berger Straße", "Hanauer Landstraße", "Mainzer Landstraße"]),
    ("Leipzig", "04", "341", ["Karl-Liebknecht-Straße", "Eisenbahnstraße"]),
]
RU_CITIES = [
    ("Moscow", "1", "495", ["ul. Tverskaya", "Leninsky prospekt", "ul. Arbat", "Profsoyuznaya ul."]),
    ("Saint Petersburg", "19", "812", ["Nevsky prospekt", "Liteyny prospekt", "Moskovsky prospekt"]),
]
DE_COURTS = {"Berlin": "Amtsgericht Charlottenburg", "Hamburg": "Amtsgericht Hamburg",
             "München": "Amtsgericht München", "Köln": "Amtsgericht Köln",
             "Frankfurt am Main": "Amtsgericht Frankfurt am Main", "Leipzig": "Amtsgericht Leipzig"}
DE_BANKS = [  # name, BLZ, BIC
    ("Commerzbank", "10040000", "COBADEBBXXX"),
    ("Deutsche Bank", "10070000", "DEUTDEBBXXX"),
    ("Berliner Sparkasse", "10050000", "BELADEBEXXX"),
    ("Postbank", "10010010", "PBNKDEFFXXX"),
    ("GLS Bank", "43060967", "GENODEM1GLS"),
]
RU_BANKS = [  # name, BIK
    ("Sberbank", "044525225"),
    ("VTB", "044525187"),
    ("Alfa-Bank", "044525593"),
    ("Tinkoff Bank", "044525974"),
]
POSITIONS = ["Managing Director", "Purchasing Manager", "Head of Procurement", "Chief Accountant",
             "Sales Assistant", "Logistics Coordinator", "Project Manager", "CEO", "Office Manager"]
MOBILE_PREFIXES_DE = ["151", "152", "160", "170", "171", "172", "176", "177"]
MOBILE_PREFIXES_RU = ["903", "916", "925", "985", "911", "921"]

# Statuses weighted like a real pipeline: most clients active, some prospects, a few gone quiet, and a
# few archived (inactive and out of the client list).
ARCHIVED = "archived"
STATUS_WEIGHTS = [(Client.Status.ACTIVE, 55), (Client.Status.PROSPECT, 25), (Client.Status.INACTIVE, 15),
                  (ARCHIVED, 5)]
# A fixed "today" for the generated dates, so two runs produce the same periods.
DEMO_TODAY = datetime.date(2025, 6, 30)


# --- Valid identifiers ------------------------------------------------------------------------------

def german_vat_id(rng: random.Random) -> str:
    """DE + 8 digits + check digit (ISO 7064 MOD 11,10), as the Bundeszentralamt für Steuern checks."""
    return german_vat_id_from(str(rng.randint(10000000, 99999999)))


def german_vat_id_from(eight_digits: str) -> str:
    """The USt-IdNr with these 8 leading digits (the first one not 0) and its check digit."""
    product = 10
    for d in map(int, eight_digits):
        total = (d + product) % 10 or 10
        product = (2 * total) % 11
    return f"DE{eight_digits}{(11 - product) % 10}"


def russian_inn(rng: random.Random) -> str:
    """A 10-digit INN of a legal entity with its check digit."""
    digits = [7, 7] + [rng.randint(0, 9) for _ in range(7)]  # 77.. = Moscow tax offices
    weights = [2, 4, 10, 3, 5, 9, 4, 6, 8]
    check = sum(w * d for w, d in zip(weights, digits, strict=True)) % 11 % 10
    return "".join(map(str, digits)) + str(check)


def russian_ogrn(rng: random.Random) -> str:
    """A 13-digit OGRN (state registration number) with its check digit."""
    body = "1" + str(rng.randint(2, 24)).zfill(2) + "77" + "".join(str(rng.randint(0, 9)) for _ in range(7))
    return body + str(int(body) % 11 % 10)


def german_iban(rng: random.Random, blz: str) -> str:
    account = "".join(str(rng.randint(0, 9)) for _ in range(10))
    bban = blz + account
    # ISO 13616: move "DE00" to the end, letters to numbers (D=13, E=14), 98 - mod 97.
    check = 98 - int(bban + "131400") % 97
    return f"DE{check:02d}{bban}"


def russian_account(rng: random.Random) -> str:
    """A 20-digit settlement account of a legal entity in roubles (407 02 810 ...)."""
    return "40702810" + "".join(str(rng.randint(0, 9)) for _ in range(12))


def _valid_phone(rng: random.Random, make) -> str:
    while True:
        number = make(rng)
        if phonenumbers.is_valid_number(phonenumbers.parse(number)):
            return number


# --- The builder ------------------------------------------------------------------------------------

@dataclass
class DemoLogin:
    username: str
    role: str
    password: str | None  # None: the user existed before and kept its own password


@dataclass
class DemoResult:
    created: bool
    logins: list[DemoLogin] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def demo_present() -> bool:
    """The data set is there when its users exist and the sales team owns clients."""
    usernames = [u[0] for u in DEMO_USERS]
    return (
        User.objects.filter(username__in=usernames).count() == len(usernames)
        and Client.objects.filter(owner__username__in=["manager", "rep1", "rep2"]).exists()
    )


def demo_logins() -> list[DemoLogin]:
    """The demo users as they are now; a password is shown only if it still is the demo one."""
    users = {u.username: u for u in User.objects.filter(username__in=[u[0] for u in DEMO_USERS])}
    logins = []
    for username, _first, _last, role in DEMO_USERS:
        user = users.get(username)
        if user is not None:
            shown = DEMO_PASSWORD if user.check_password(DEMO_PASSWORD) else None
            logins.append(DemoLogin(username, role, shown))
    return logins


def build_demo_data(*, seed: int = SEED, clients: int = CLIENT_COUNT) -> DemoResult:
    """Load the demo data set unless it is already there. Returns the logins and what was created."""
    if demo_present():
        return DemoResult(created=False, logins=demo_logins())
    with transaction.atomic():
        builder = _DemoBuilder(random.Random(seed))
        builder.build(clients)
    return DemoResult(created=True, logins=demo_logins(), counts=builder.counts)


class _DemoBuilder:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.users: dict[str, User] = {}
        self.used_emails: set[str] = set()
        self.used_phones: set[str] = set()
        self.used_names: set[str] = set()
        self.counts = {"clients": 0, "counterparties": 0, "contacts": 0, "bank_accounts": 0}

    # Users, company, lookups

    def build(self, client_count: int) -> None:
        self.create_users()
        admin = self.users["admin"]
        update_company(by=admin, **COMPANY)
        self.sources = [self.create_source(name, channel) for name, channel in SOURCES]
        owners = [self.users["rep1"]] * 5 + [self.users["rep2"]] * 4 + [self.users["manager"]]
        for number in range(client_count):
            self.create_client(number, self.rng.choice(owners))

    def create_users(self) -> None:
        groups = {g.name: g for g in Group.objects.filter(name__in=roles.ROLES)}
        for username, first, last, role in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, first_name=first, last_name=last,
                            email=f"{username}@nordlicht-handel.example", language="en")
                user.set_password(DEMO_PASSWORD)
                if role == roles.ADMINISTRATOR:
                    user.is_superuser = user.is_staff = True
                user.save()
                audit.record(user, "core.user.created", by=None,
                             changes=audit.snapshot(user, ["username", "first_name", "last_name", "email"]))
            user.groups.add(groups[role])
            self.users[username] = User.objects.get(pk=user.pk)  # fresh permission cache

    def create_source(self, name: str, channel: str) -> Source:
        source, _created = Source.objects.get_or_create(name=name, defaults={"channel": channel})
        return source

    # Unique values: the services refuse duplicates, and so should the data set.

    def unique(self, used: set[str], make) -> str:
        while True:
            value = make()
            if value not in used:
                used.add(value)
                return value

    def phone(self, russian: bool, mobile: bool, area_code: str | None = None) -> str:
        """A valid number nobody else in the data set has; landlines in the client's city."""
        rng = self.rng
        if russian:
            landline = area_code or rng.choice(["495", "499", "812"])
            prefix = rng.choice(MOBILE_PREFIXES_RU) if mobile else landline

            def make(r):
                return f"+7 {prefix} {r.randint(200, 999)}-{r.randint(10, 99)}-{r.randint(10, 99)}"
        elif mobile:
            prefix = rng.choice(MOBILE_PREFIXES_DE)

            def make(r):
                return f"+49 {prefix} {r.randint(1000000, 9999999)}{r.randint(0, 9)}"
        else:
            code = area_code or rng.choice(DE_CITIES)[2]

            def make(r):
                return f"+49 {code} {r.randint(2000000, 9999999)}"
        return self.unique(self.used_phones, lambda: _valid_phone(rng, make))

    def email(self, local: str, domain: str) -> str:
        local = _ascii(local)
        address = f"{local}@{domain}"
        while address in self.used_emails:
            address = f"{local}{self.rng.randint(2, 99)}@{domain}"
        self.used_emails.add(address)
        return address

    def person(self, russian: bool) -> tuple[str, str]:
        if russian:
            first = self.rng.choice(RU_FIRST)
            last = self.rng.choice(RU_LAST) + ("a" if first in RU_FEMININE else "")
        else:
            first, last = self.rng.choice(DE_FIRST), self.rng.choice(DE_LAST)
        return first, last

    # Clients

    def create_client(self, number: int, owner: User) -> None:
        rng = self.rng
        russian = rng.random() < 0.3
        b2b = rng.random() < 0.65
        status = rng.choices([s for s, _w in STATUS_WEIGHTS], [w for _s, w in STATUS_WEIGHTS])[0]
        tags = rng.sample(TAGS, rng.choice([0, 0, 1, 1, 2, 3]))
        source = rng.choice(self.sources)
        city = rng.choice(RU_CITIES if russian else DE_CITIES)
        # Some active clients started as prospects: their timeline shows the status change.
        promoted = status == Client.Status.ACTIVE and number % 4 == 0
        if promoted:
            status = Client.Status.PROSPECT
        archived = status == ARCHIVED
        if archived:
            status = Client.Status.INACTIVE
        if b2b:
            stem, trade = self.company_stem(russian)
            name = f"{stem} {trade}" if not russian else f"{stem}{trade.lower()}"
            domain = f"{_ascii(name).replace(' ', '-').lower()}.{'ru' if russian else 'de'}"
            client = services.create_client(
                by=owner, owner=owner, name=name, kind=Client.Kind.B2B, status=status, first_source=source,
                email=self.email("info", domain), phone=self.phone(russian, mobile=False, area_code=city[2]),
                website=f"https://www.{domain}", tags=tags,
                notes=rng.choice(["", "", "Prefers invoices by email.", "Annual framework contract.",
                                  "Asks for delivery before noon.", "Met at the trade fair in Hannover."]),
            )
            self.add_counterparties(client, name, russian, city, by=owner)
            for _ in range(rng.choice([1, 1, 2, 2, 3])):
                first, last = self.person(russian)
                self.add_contact(client, first, last, russian, domain, city[2], by=owner,
                                 position=rng.choice(POSITIONS))
        else:
            first, last = self.person(russian)
            domain = rng.choice(["mail.ru", "yandex.ru"] if russian else ["gmx.de", "web.de", "t-online.de"])
            email = self.email(f"{first}.{last}".lower(), domain)
            mobile = self.phone(russian, mobile=True)
            # Two consumers may share a name (as in life); the demo keeps both.
            client = services.create_client(
                by=owner, owner=owner, name=f"{first} {last}", kind=Client.Kind.B2C, status=status,
                first_source=source, email=email, phone=mobile, tags=tags, allow_duplicates=True,
            )
            # A consumer is their own contact person: same email and phone as the client record,
            # which the duplicate check would otherwise refuse.
            services.add_contact(client, by=owner, first_name=first, last_name=last, allow_duplicates=True,
                                 channels=[{"kind": "email", "value": email}, {"kind": "mobile_phone", "value": mobile},
                                           {"kind": "whatsapp", "value": mobile}])
            self.counts["contacts"] += 1
        self.counts["clients"] += 1
        if promoted:
            services.update_client(client, by=owner, status=Client.Status.ACTIVE)
        if archived:
            services.archive_client(client, by=owner)

    def company_stem(self, russian: bool) -> tuple[str, str]:
        stems, trades = (RU_STEMS, RU_TRADES) if russian else (DE_STEMS, DE_TRADES)
        while True:
            stem, trade = self.rng.choice(stems), self.rng.choice(trades)
            if (stem, trade) not in self.used_names:
                self.used_names.add((stem, trade))
                return stem, trade
            if len(self.used_names) > 400:  # the word lists ran out: number the names
                return stem, f"{trade} {len(self.used_names)}"

    def add_counterparties(self, client: Client, name: str, russian: bool, city, *, by: User) -> None:
        rng = self.rng
        city_name, postcode, _code, streets = city
        country = "Russia" if russian else "Germany"
        street = f"{rng.choice(streets)} {rng.randint(1, 180)}"
        address = f"{street}, {postcode}{rng.randint(100, 999)} {city_name}, {country}"
        forms = RU_FORMS if russian else DE_FORMS
        # About a third of business clients changed the legal entity that contracts with us.
        changed = rng.random() < 0.35
        start = DEMO_TODAY - datetime.timedelta(days=rng.randint(400 if changed else 30, 2500))
        entities = [(rng.choice(forms), start)]
        if changed:
            moved = start + datetime.timedelta(days=rng.randint(180, (DEMO_TODAY - start).days - 10))
            entities.append((rng.choice([f for f in forms if f != entities[0][0]] or forms), moved))
        for index, (form, valid_from) in enumerate(entities):
            legal_name = f'{form} "{name}"' if russian else f"{name} {form}"
            if russian:
                tax_id, registration = russian_inn(rng), russian_ogrn(rng)
            else:
                tax_id = german_vat_id(rng)
                registration = f"HRB {rng.randint(10000, 250000)} — {DE_COURTS[city_name]}"
            # The successor is often entered by accounting; add_counterparty closes the predecessor.
            actor = self.users["accountant"] if index else by
            postal = address if rng.random() < 0.7 else f"PO Box {rng.randint(1000, 9999)}, {city_name}"
            cp = services.add_counterparty(
                client, by=actor, legal_name=legal_name, valid_from=valid_from, tax_id=tax_id,
                country="RU" if russian else "DE", registration_number=registration, legal_address=address,
                postal_address=postal,
            )
            self.counts["counterparties"] += 1
            for _ in range(rng.choice([1, 1, 1, 2])):
                if russian:
                    bank, bik = rng.choice(RU_BANKS)
                    services.add_bank_account(cp, by=actor, bank_name=bank, bic=bik, currency="RUB",
                                              account_number=russian_account(rng))
                else:
                    bank, blz, bic = rng.choice(DE_BANKS)
                    services.add_bank_account(cp, by=actor, bank_name=bank, bic=bic, currency="EUR",
                                              account_number=german_iban(rng, blz))
                self.counts["bank_accounts"] += 1

    def add_contact(self, client: Client, first: str, last: str, russian: bool, domain: str, area_code: str,
                    *, by: User, position: str) -> None:
        """A contact person with several channels: e-mail and mobile always, often an office phone and a
        messenger or two, sometimes a social account."""
        rng = self.rng
        handle = f"{_ascii(first).lower()}_{_ascii(last).lower()}".replace("-", "_")
        mobile = self.phone(russian, mobile=True)
        channels = [{"kind": "email", "value": self.email(f"{first[0]}.{last}".lower(), domain)},
                    {"kind": "mobile_phone", "value": mobile}]
        if rng.random() < 0.5:
            channels.append({"kind": "office_phone", "value": self.phone(russian, mobile=False, area_code=area_code)})
        if rng.random() < (0.6 if russian else 0.3):
            channels.append({"kind": "telegram", "value": f"@{handle}"})
        if rng.random() < 0.4:
            channels.append({"kind": "whatsapp", "value": mobile})
        if rng.random() < 0.15:
            channels.append({"kind": "skype", "value": f"{handle}.work"})
        if rng.random() < 0.2:
            channels.append({"kind": "social", "value": f"https://www.linkedin.com/in/{handle.replace('_', '-')}"})
        if rng.random() < 0.15:
            channels.append({"kind": "email", "value": self.email(f"{first}.{last}".lower(), "gmail.com")})
        services.add_contact(client, by=by, first_name=first, last_name=last, position=position, channels=channels)
        self.counts["contacts"] += 1


_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss",
                                  "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def _ascii(text: str) -> str:
    return text.translate(_TRANSLITERATION)
