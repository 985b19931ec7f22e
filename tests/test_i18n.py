"""Russian translation: the user's language picks the UI language, dates follow it, the catalogue is complete."""

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

PO_FILE = Path(settings.BASE_DIR) / "locale" / "ru" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")


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


def test_catalogue_is_complete_and_not_fuzzy():
    entries = _po_entries(PO_FILE)
    header = [e for e in entries if e["msgid"] == ""]
    assert len(header) == 1 and "fuzzy" not in header[0]["flags"]
    assert "Language: ru" in header[0]["msgstr"]
    assert "nplurals=3;" in header[0]["msgstr"]

    messages = [e for e in entries if e["msgid"] != ""]
    assert len(messages) > 200
    untranslated = [e["msgid"] for e in messages if not all(_translations(e))]
    fuzzy = [e["msgid"] for e in messages if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []
    plural_gaps = [e["msgid"] for e in messages if "msgid_plural" in e and len(_translations(e)) != 3]
    assert plural_gaps == []
    wrong_placeholders = [
        e["msgid"]
        for e in messages
        for text in _translations(e)
        if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(e["msgid"]))
    ]
    assert wrong_placeholders == []
    # Untranslated-looking entries: Russian text must contain Cyrillic (codes and names excepted).
    latin_only = {"CRM", "SMS", "BIC / SWIFT", "email", "Email", "%(record_type)s %(event)s"}
    not_russian = [
        e["msgid"] for e in messages
        if e["msgid"] not in latin_only and not re.search("[а-яё]", " ".join(_translations(e)), re.I)
    ]  # fmt: skip
    assert not_russian == []


def test_compiled_catalogue_is_shipped_and_current():
    assert MO_FILE.exists(), "run manage.py compilemessages and commit django.mo"
    with MO_FILE.open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)._catalog
    stale = [
        e["msgid"]
        for e in _po_entries(PO_FILE)
        if e["msgid"]
        and compiled.get(f"{e['msgctxt']}\x04{e['msgid']}" if "msgctxt" in e else e["msgid"]) is None
        and compiled.get((f"{e['msgctxt']}\x04{e['msgid']}" if "msgctxt" in e else e["msgid"], 0)) is None
    ]
    assert stale == [], "django.mo is older than django.po: run manage.py compilemessages"
    with translation.override("ru"):
        assert translation.gettext("Clients") == "Клиенты"
        assert translation.gettext("Tax ID") == "ИНН"
        assert translation.pgettext("counterparty badge", "Current") == "Действующий"


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
