"""Translations: the user's language (or the browser's) picks the UI language, dates follow it, and every
catalogue (Russian, Indonesian, Korean, Polish, Bulgarian, Portuguese (Brazil)) is complete and compiled."""

import ast
import datetime
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tandem.core import roles
from tandem.parties.tests.factories import ClientFactory, CounterpartyFactory

# Every language but English (the source language) ships a catalogue; nplurals as gettext/CLDR define them.
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
NPLURALS = {"ru": 3, "id": 1, "ko": 1, "pl": 3, "bg": 2, "pt-br": 2}
# A word each compiled catalogue must know (checks that the .mo is the one Django loads).
CLIENTS = {"ru": "Клиенты", "id": "Klien", "ko": "고객", "pl": "Klienci", "bg": "Клиенти", "pt-br": "Clientes"}


def po_file(language: str) -> Path:
    return Path(settings.BASE_DIR) / "locale" / translation.to_locale(language) / "LC_MESSAGES" / "django.po"


PO_FILE = po_file("ru")


@pytest.fixture
def web(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def text_of(response) -> str:
    return response.content.decode()


# --- The user's language --------------------------------------------------------------------------


def test_russian_user_gets_russian_client_list(web, make_user):
    user = make_user(roles.SALES_MANAGER, username="ru_manager", language="ru")
    ClientFactory(name="Ромашка", owner=user)

    response = web(user).get(reverse("parties:client-list"))

    assert response.status_code == 200
    assert response["Content-Language"] == "ru"
    html = text_of(response)
    assert '<html lang="ru">' in html
    assert ">Клиенты</a>" in html  # the menu entry
    assert "<h1>Клиенты</h1>" in html
    assert "Новый клиент" in html
    assert "Ответственный" in html
    assert "Источник" in html
    assert "Ромашка" in html
    assert "New client" not in html
    assert "Log out" not in html and "Выйти" in html


def test_russian_user_gets_russian_home_page(web, make_user):
    user = make_user(roles.SALES_MANAGER, username="ru_home", language="ru")

    html = text_of(web(user).get(reverse("core:home")))

    assert ">Клиенты</a>" in html
    assert "Здравствуйте," in html
    assert "Двухфакторная аутентификация" in html
    assert "Your modules" not in html


def test_english_user_gets_english(web, make_user):
    user = make_user(roles.SALES_MANAGER, username="en_manager", language="en")
    ClientFactory(owner=user)

    response = web(user).get(reverse("parties:client-list"))
    html = text_of(response)
    assert response["Content-Language"] == "en"
    assert ">Clients</a>" in html
    assert "New client" in html
    assert "Клиенты" not in html

    home = text_of(web(user).get(reverse("core:home")))
    assert "Your modules" in home
    assert "Ваши модули" not in home


def test_plural_forms_follow_russian_rules(web, make_user):
    user = make_user(roles.SALES_MANAGER, username="ru_plural", language="ru")
    for _ in range(3):
        ClientFactory(owner=user)

    html = text_of(web(user).get(reverse("parties:client-list")))

    assert "Страница 1 из 1 · 3 клиента" in html
    with translation.override("ru"):
        forms = [
            translation.ngettext(
                "Page %(number)s of %(pages)s · %(counter)s client",
                "Page %(number)s of %(pages)s · %(counter)s clients",
                n,
            )
            % {"number": 1, "pages": 1, "counter": n}
            for n in (1, 2, 5, 11, 21, 22)
        ]
    assert [f.rsplit(" ", 1)[1] for f in forms] == [
        "клиент", "клиента", "клиентов", "клиентов", "клиент", "клиента",
    ]  # fmt: skip


# --- Dates and numbers by locale -------------------------------------------------------------------


def test_client_card_dates_in_russian_format(web, make_user):
    user = make_user(roles.SALES_MANAGER, username="ru_dates", language="ru")
    cp = CounterpartyFactory(
        client=ClientFactory(owner=user), legal_name="ООО «Ромашка»", valid_from=datetime.date(2024, 6, 30)
    )

    html = text_of(web(user).get(reverse("parties:client-detail", args=[cp.client_id])))

    assert "Действует с 30.06.2024" in html
    assert "06/30/2024" not in html
    assert "Контрагенты" in html and "Контактные лица" in html and "ИНН" in html


def test_client_card_dates_in_english_format(web, make_user):
    user = make_user(roles.SALES_MANAGER, username="en_dates", language="en")
    cp = CounterpartyFactory(client=ClientFactory(owner=user), valid_from=datetime.date(2024, 6, 30))

    html = text_of(web(user).get(reverse("parties:client-detail", args=[cp.client_id])))

    assert "Valid from 06/30/2024" in html
    assert "30.06.2024" not in html


def test_numbers_are_localized():
    from django.utils.formats import number_format

    with translation.override("ru"):
        assert number_format(1234.5, 2, use_l10n=True, force_grouping=True) == "1\xa0234,50"
    with translation.override("en"):
        assert number_format(1234.5, 2, use_l10n=True, force_grouping=True) == "1,234.50"


# --- The catalogue ---------------------------------------------------------------------------------


def _po_entries(path: Path) -> list[dict]:
    """A small .po reader: each entry's flags, msgctxt, msgid, msgid_plural and msgstr / msgstr[n]."""
    entries, entry, key = [], None, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if entry is not None and "msgid" in entry:
                entries.append(entry)
            entry, key = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "obsolete": False}
        if line.startswith("#~"):
            entry["obsolete"] = True
            continue
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$', line)
        if match:
            key = match.group(1)
            entry[key] = ast.literal_eval(match.group(2))
        elif line.startswith('"') and key:
            entry[key] += ast.literal_eval(line)
        else:
            raise AssertionError(f"unexpected line in {path.name}: {raw!r}")
    return [e for e in entries if not e["obsolete"]]


def _translations(entry) -> list[str]:
    return [value for key, value in entry.items() if key.startswith("msgstr")]


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\{.*?\}\}")


def test_every_language_has_a_catalogue_and_known_plural_rules():
    assert set(TRANSLATED) == set(NPLURALS) == set(CLIENTS)
    assert [code for code in ("id", "ko", "pl", "bg", "pt-br") if code not in TRANSLATED] == []


def _header(entries) -> str:
    header = [e for e in entries if e["msgid"] == ""]
    assert len(header) == 1 and "fuzzy" not in header[0]["flags"]
    return header[0]["msgstr"]


# Entries that are the same in every script: abbreviations, codes, a bare format.
# Messenger names and the example of a channel list (a phone, an address, a handle) stay as they are.
LATIN_EVERYWHERE = {"CRM", "SMS", "BIC / SWIFT", "IBAN", "BIC", "Telegram", "WhatsApp", "Skype", "E-mail",
                    "+48 22 654 32 10, anna@example.com, @anna_k…", "%(record_type)s %(event)s", "%(actor)s %(action)s",
                    "SKU", "PDF", "−%(percent)s %%", "CSV", "MT940", "CAMT.053", "%(from)s – %(to)s",
                    "%(kind)s #%(move)s: %(quantity)s × %(sku)s, %(places)s"}
# Untranslated-looking entries: text in these languages must be in their script.
SCRIPT = {
    "ru": ("[а-яё]", LATIN_EVERYWHERE | {"email", "Email"}),
    "bg": ("[а-яѝ]", LATIN_EVERYWHERE),
    "ko": ("[\uac00-\ud7a3]", LATIN_EVERYWHERE),
}


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogue_is_complete_and_not_fuzzy(language):
    entries = _po_entries(po_file(language))
    header = _header(entries)
    assert f"Language: {translation.to_locale(language)}\n" in header
    nplurals = int(re.search(r"nplurals=(\d+);", header).group(1))
    assert nplurals == NPLURALS[language]

    messages = [e for e in entries if e["msgid"] != ""]
    assert len(messages) > 200
    untranslated = [e["msgid"] for e in messages if not all(_translations(e))]
    fuzzy = [e["msgid"] for e in messages if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []
    plural_gaps = [e["msgid"] for e in messages if "msgid_plural" in e and len(_translations(e)) != nplurals]
    assert plural_gaps == []
    # A plural form carries the singular's or the plural's placeholders: Russian's first form also says
    # "21 tasks", and a language with one form has only the plural's wording.
    wrong_placeholders = [
        e["msgid"]
        for e in messages
        for text in _translations(e)
        if sorted(PLACEHOLDER.findall(text)) not in (
            sorted(PLACEHOLDER.findall(e["msgid"])), sorted(PLACEHOLDER.findall(e.get("msgid_plural", e["msgid"]))))
    ]
    assert wrong_placeholders == []
    if language in SCRIPT:
        pattern, exceptions = SCRIPT[language]
        not_in_script = [
            e["msgid"] for e in messages
            if e["msgid"] not in exceptions and not re.search(pattern, " ".join(_translations(e)), re.I)
        ]  # fmt: skip
        assert not_in_script == []
    else:
        # Latin-script languages share some words with English (Status, Webinar, Bank), but few.
        same_as_english = [e["msgid"] for e in messages if _translations(e) == [e["msgid"]]]
        assert len(same_as_english) < len(messages) // 20, same_as_english


@pytest.mark.parametrize("language", TRANSLATED)
def test_compiled_catalogue_is_shipped_and_current(language):
    mo_file = po_file(language).with_suffix(".mo")
    assert mo_file.exists(), "run manage.py compilemessages and commit django.mo"
    with mo_file.open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)._catalog
    stale = [
        e["msgid"]
        for e in _po_entries(po_file(language))
        if e["msgid"]
        and compiled.get(f"{e['msgctxt']}\x04{e['msgid']}" if "msgctxt" in e else e["msgid"]) is None
        and compiled.get((f"{e['msgctxt']}\x04{e['msgid']}" if "msgctxt" in e else e["msgid"], 0)) is None
    ]
    assert stale == [], "django.mo is older than django.po: run manage.py compilemessages"
    with translation.override(language):
        assert translation.gettext("Clients") == CLIENTS[language]


def test_russian_catalogue_words():
    with translation.override("ru"):
        assert translation.gettext("Tax ID") == "ИНН"
        assert translation.pgettext("counterparty badge", "Current") == "Действующий"


@pytest.mark.parametrize(
    ("language", "forms"),
    [
        ("pl", {1: "1 klient", 2: "2 klientów", 5: "5 klientów", 22: "22 klientów"}),
        ("bg", {1: "1 клиент", 2: "2 клиента", 5: "5 клиента"}),
        ("pt-br", {0: "0 cliente", 1: "1 cliente", 2: "2 clientes"}),
        ("id", {1: "1 klien", 5: "5 klien"}),
        ("ko", {1: "고객 1명", 5: "고객 5명"}),
    ],
)
def test_plural_forms_follow_each_language(language, forms):
    with translation.override(language):
        for n, expected in forms.items():
            text = translation.ngettext(
                "Page %(number)s of %(pages)s · %(counter)s client",
                "Page %(number)s of %(pages)s · %(counter)s clients",
                n,
            ) % {"number": 1, "pages": 1, "counter": n}
            assert text.endswith(expected), (n, text)
    with translation.override("pl"):
        minutes = [translation.ngettext("%(minutes)s minute", "%(minutes)s minutes", n) % {"minutes": n}
                   for n in (1, 2, 5, 22)]
    assert minutes == ["1 minuta", "2 minuty", "5 minut", "22 minuty"]


# --- The new languages in the UI --------------------------------------------------------------------


def test_polish_user_gets_polish_client_list(web, make_user):
    user = make_user(roles.SALES_MANAGER, username="pl_manager", language="pl")
    ClientFactory(name="Stokrotka sp. z o.o.", owner=user)

    response = web(user).get(reverse("parties:client-list"), HTTP_ACCEPT_LANGUAGE="ko")

    assert response.status_code == 200
    assert response["Content-Language"] == "pl"  # the user's choice wins over the browser
    html = text_of(response)
    assert '<html lang="pl">' in html
    assert ">Klienci</a>" in html and "<h1>Klienci</h1>" in html
    assert "Nowy klient" in html and "Właściciel" in html and "Wyloguj się" in html
    assert "Stokrotka sp. z o.o." in html
    assert "New client" not in html and "Log out" not in html


def test_user_without_a_language_gets_the_browsers(web, make_user):
    user = make_user(roles.SALES_MANAGER, username="browser_ko", language="")
    ClientFactory(owner=user)
    browser = web(user)

    korean = browser.get(reverse("parties:client-list"), HTTP_ACCEPT_LANGUAGE="ko-KR,ko;q=0.9,en;q=0.5")
    assert korean["Content-Language"] == "ko"
    html = text_of(korean)
    assert '<html lang="ko">' in html and "<h1>고객</h1>" in html and "새 고객" in html and "로그아웃" in html
    assert "New client" not in html

    brazilian = browser.get(reverse("parties:client-list"), HTTP_ACCEPT_LANGUAGE="pt-BR,pt;q=0.8")
    assert brazilian["Content-Language"] == "pt-br"
    assert "<h1>Clientes</h1>" in text_of(brazilian) and "Novo cliente" in text_of(brazilian)

    nothing_asked = browser.get(reverse("parties:client-list"))
    assert nothing_asked["Content-Language"] == "en" and "New client" in text_of(nothing_asked)


def test_a_new_user_follows_the_browser(db):
    from tandem.core.models import User

    assert User.objects.create_user("fresh", password="x-long-password-1").language == ""


def test_login_page_follows_the_browser(client, db):
    html = text_of(client.get(reverse("core:login"), HTTP_ACCEPT_LANGUAGE="bg"))
    assert '<html lang="bg">' in html and "Вход" in html


def test_profile_offers_the_languages_and_the_browsers_first(web, make_user):
    user = make_user(roles.SALES_MANAGER, username="pl_profile", language="pl")
    browser = web(user)

    html = text_of(browser.get(reverse("core:profile")))
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', html)
    assert options[0] == ("", "Język przeglądarki")
    assert [value for value, _label in options] == ["", "en", "ru", "id", "ko", "pl", "bg", "pt-br"]
    assert ("pt-br", "Portugalski (Brazylia)") in options and ("ko", "Koreański") in options
    assert '<option value="pl" selected>' in html

    response = browser.post(
        reverse("core:profile"),
        {"first_name": "Jan", "last_name": "Kowalski", "email": "jan@example.com", "language": ""},
        HTTP_ACCEPT_LANGUAGE="id",
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == ""
    page = browser.get(reverse("core:profile"), HTTP_ACCEPT_LANGUAGE="id")
    assert page["Content-Language"] == "id"
    assert "Profil Anda telah disimpan." in text_of(page)  # the message is in the language of the next page

    browser.post(reverse("core:profile"), {"first_name": "Jan", "last_name": "Kowalski",
                                           "email": "jan@example.com", "language": "pt-br"})
    user.refresh_from_db()
    assert user.language == "pt-br"


def test_api_accepts_the_new_languages_and_the_browsers(api, make_user):
    http = api(make_user(roles.SALES_MANAGER, username="api_lang", language="en"))
    for language in ("bg", ""):
        response = http.patch("/api/v1/me", {"language": language}, content_type="application/json")
        assert response.status_code == 200, response.content
        assert response.json()["language"] == language


# --- The CRM ---------------------------------------------------------------------------------------


def test_russian_user_gets_russian_deal_board_and_my_day(web, make_user):
    from tandem.crm.tests.factories import DealFactory

    user = make_user(roles.SALES_MANAGER, username="ru_crm", language="ru")
    DealFactory(owner=user, title="Поставка насосов")
    browser = web(user)

    board = browser.get(reverse("crm:deal-board"))
    assert board.status_code == 200
    html = text_of(board)
    assert "<h1>Сделки" in html
    assert "Новая сделка" in html and "Проигрыши по этапам" in html and "Воронки" in html
    assert "Поставка насосов" in html
    assert "New deal" not in html and "Lost at stage" not in html

    my_day = browser.get(reverse("crm:my-day"))
    assert my_day.status_code == 200
    html = text_of(my_day)
    assert "<h1>Мой день</h1>" in html
    assert "Все задачи" in html and "Сегодня" in html and "Предстоящие" in html
    assert "Просроченных задач нет." in html
    assert "My day" not in html and "Upcoming" not in html


def test_service_refusals_follow_the_active_language(make_user):
    from tandem.core.errors import BusinessRuleError, ConflictError
    from tandem.crm.services import deals as deal_services
    from tandem.crm.tests.factories import DealFactory, PipelineFactory, StageRuleFactory

    user = make_user(roles.SALES_MANAGER, username="ru_refusal", language="ru")
    deal = DealFactory(owner=user, pipeline=PipelineFactory(stages=["Квалификация", "Предложение"]))
    first, second = deal.pipeline.stages.order_by("position")
    StageRuleFactory(stage=first, label="Потребности выявлены")

    with translation.override("ru"):
        with pytest.raises(BusinessRuleError) as lost:
            deal_services.lose_deal(deal, by=user, lost_reason=None)
        with pytest.raises(ConflictError) as moved:
            deal_services.move_deal_to_stage(deal, second, by=user)
    assert lost.value.code == "lost_reason_required" and lost.value.field == "lost_reason"
    assert lost.value.message == "Укажите, почему сделка проиграна."
    assert moved.value.code == "stage_rule_unmet"
    assert moved.value.message == (
        "Сделка пока не может покинуть этап «Квалификация». Не выполнено: Потребности выявлены."
    )

    with translation.override("en"):
        with pytest.raises(BusinessRuleError) as english:
            deal_services.lose_deal(deal, by=user, lost_reason=None)
    assert english.value.message == "Say why the deal was lost."


PAGES = [
    "core:home", "core:profile", "parties:client-list", "parties:client-create", "crm:deal-board", "crm:deal-list",
    "crm:deal-create", "crm:lead-list", "crm:lead-create", "crm:my-day", "crm:task-list", "crm:complaint-list",
    "crm:complaint-create", "crm:segment-list", "crm:campaign-list", "crm:event-list", "crm:pipeline-list",
    "crm:report-attribution", "crm:report-lost-at-stage", "crm:report-segment-comparison",
]  # fmt: skip


@pytest.mark.parametrize("language", TRANSLATED)
def test_main_pages_render_in_every_language(web, make_user, language):
    """A translation with a broken placeholder would raise while rendering: every main page answers 200."""
    from tandem.crm.tests.factories import DealFactory

    user = make_user(roles.ADMINISTRATOR, username=f"pages_{language}", language=language)
    deal = DealFactory(owner=user)
    browser = web(user)
    urls = [reverse(name) for name in PAGES] + [
        reverse("parties:client-detail", args=[deal.client_id]),
        reverse("crm:deal-detail", args=[deal.pk]),
    ]
    for url in urls:
        response = browser.get(url)
        assert response.status_code == 200, url
        assert response["Content-Language"] == language, url


def test_every_source_string_is_in_every_catalogue(tmp_path, settings, monkeypatch):
    """Extract the strings from the code and templates as makemessages does (README's command) and check
    that each catalogue translates every one: a string added without a translation fails here."""
    import shutil

    from django.core.management import call_command

    import tandem

    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext is missing: `make test` installs it (scripts/install-chromium.sh).")
    source = Path(tandem.__file__).parent
    shutil.copytree(source, tmp_path / "tandem", ignore=shutil.ignore_patterns(
        "tests", "static", "locale", "migrations", "__pycache__", "*.pyc", "*.mo", "*.po"))
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    (tmp_path / "locale").mkdir()
    monkeypatch.chdir(tmp_path)
    for domain in ("django",):
        call_command("makemessages", locale=["ru"], domain=domain, keep_pot=True, verbosity=0)
    wanted = {(e.get("msgctxt"), e["msgid"]) for e in _po_entries(tmp_path / "locale" / "django.pot")
              if e["msgid"]}
    assert len(wanted) > 500  # the extraction found the application's strings
    for language in TRANSLATED:
        translated = {(e.get("msgctxt"), e["msgid"]) for e in _po_entries(po_file(language))
                      if e["msgid"] and all(_translations(e)) and "fuzzy" not in e["flags"]}
        missing = sorted(msgid for _ctx, msgid in wanted - {key for key in translated})
        assert missing == [], f"{language}: {len(missing)} strings without a translation, e.g. {missing[:5]}"
