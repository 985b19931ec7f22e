"""Searchable pickers of clients, counterparties, contact persons and owners: a few letters fetch at most
20 options through the lists' record rules, each telling two rows apart; forms never list every row, and a
counterparty or contact of another client is refused naming the field."""

import datetime

import pytest
from django.urls import reverse

from tandem.core import roles
from tandem.core.pickers import PICKER_LIMIT
from tandem.crm.forms.deals import DealForm
from tandem.crm.services import deals as deal_services
from tandem.parties.models import Counterparty
from tandem.parties.tests.factories import ClientFactory, ContactFactory, CounterpartyFactory

pytestmark = pytest.mark.django_db


def _options(http, url_name, **params):
    response = http.get(reverse(url_name), params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_representative_is_offered_only_own_clients_and_their_legal_entities(
    client, sales_rep, own_client, foreign_client
):
    CounterpartyFactory(client=own_client, legal_name="Rep Own Holding", tax_id="DE111")
    CounterpartyFactory(client=foreign_client, legal_name="Foreign Holding", tax_id="DE222")
    ContactFactory(client=foreign_client, first_name="Fiona", last_name="Foreign")
    client.force_login(sales_rep)

    clients = _options(client, "parties:client-picker", q="GmbH") + _options(client, "parties:client-picker", q="AG")
    assert "Rep Own GmbH" in clients and "Foreign Widgets AG" not in clients
    assert "Foreign Holding" not in _options(client, "parties:counterparty-picker", q="Holding")
    assert "Rep Own Holding" in _options(client, "parties:counterparty-picker", q="Holding")
    assert 'role="option"' not in _options(client, "parties:contact-picker", q="Fiona")
    # Naming the colleague's client does not reveal its rows either.
    assert "Foreign Holding" not in _options(client, "parties:counterparty-picker", client=foreign_client.pk)


def test_options_tell_namesakes_apart_by_town_tax_id_and_owner(client, sales_manager, make_user):
    anna = make_user(roles.SALES_REPRESENTATIVE, username="anna", first_name="Anna", last_name="Berg")
    otto = make_user(roles.SALES_REPRESENTATIVE, username="otto", first_name="Otto", last_name="Kranz")
    berlin = ClientFactory(name="Müller Bau", owner=anna)
    hamburg = ClientFactory(name="Müller Bau", owner=otto)
    CounterpartyFactory(client=berlin, tax_id="DE123456789", legal_address="Hauptstr. 1, 10115 Berlin, Germany")
    CounterpartyFactory(client=hamburg, tax_id="DE987654321", legal_address="Elbweg 2, 20095 Hamburg, Germany")
    client.force_login(sales_manager)

    html = _options(client, "parties:client-picker", q="müller")
    assert html.count('role="option"') == 2
    for expected in ("Berlin", "DE123456789", "Anna Berg", "Hamburg", "DE987654321", "Otto Kranz"):
        assert expected in html
    # A tax ID finds its client too.
    assert "Hamburg" in _options(client, "parties:client-picker", q="DE98765")


def test_at_most_twenty_options_and_a_hint_to_type_more(client, sales_manager):
    for n in range(PICKER_LIMIT + 5):
        ClientFactory(name=f"Nordwind {n:02d}", owner=sales_manager)
    client.force_login(sales_manager)
    html = _options(client, "parties:client-picker", q="nord")
    assert html.count('role="option"') == PICKER_LIMIT
    assert "type more letters" in html
    # One letter is not a search yet.
    assert 'role="option"' not in _options(client, "parties:client-picker", q="n")


def test_a_clients_counterparties_and_contacts_are_offered_once_it_is_chosen(client, sales_manager):
    acme = ClientFactory(name="Acme", owner=sales_manager)
    other = ClientFactory(name="Other", owner=sales_manager)
    CounterpartyFactory(client=acme, legal_name="Acme Pumps GmbH")
    CounterpartyFactory(client=other, legal_name="Other Pumps GmbH")
    ContactFactory(client=acme, first_name="Ada", last_name="Acme")
    ContactFactory(client=other, first_name="Olga", last_name="Other")
    client.force_login(sales_manager)

    # Nothing typed yet: the chosen client's rows are listed.
    html = _options(client, "parties:counterparty-picker", client=acme.pk)
    assert "Acme Pumps GmbH" in html and "Other Pumps GmbH" not in html
    html = _options(client, "parties:contact-picker", client=acme.pk)
    assert "Ada Acme" in html and "Olga Other" not in html
    # Each option names its client, so choosing one first fills the client.
    assert f'data-parent="{acme.pk}"' in html and 'data-parent-label="Acme"' in html


def test_owner_picker_offers_active_users_with_a_sales_role(client, sales_manager, make_user):
    make_user(roles.SALES_REPRESENTATIVE, username="rita", first_name="Rita", last_name="Sales")
    make_user(roles.SALES_REPRESENTATIVE, username="gone", first_name="Rita", last_name="Gone", is_active=False)
    make_user(roles.WAREHOUSE, username="wally", first_name="Rita", last_name="Warehouse")
    client.force_login(sales_manager)
    html = _options(client, "core:owner-picker", q="rita")
    assert "Rita Sales" in html and "Rita Gone" not in html and "Rita Warehouse" not in html
    # Task assignees may be anyone active.
    html = _options(client, "core:user-picker", q="rita")
    assert "Rita Warehouse" in html and "Rita Gone" not in html


def test_picker_answers_in_a_constant_number_of_queries(client, sales_manager, django_assert_max_num_queries):
    for n in range(30):
        c = ClientFactory(name=f"Query {n:02d}", owner=sales_manager)
        CounterpartyFactory(client=c)
        ContactFactory(client=c, first_name=f"Query{n}")
    client.force_login(sales_manager)
    client.get(reverse("parties:client-picker"), {"q": "qu"})  # warm the session and permission caches
    for url_name in ("parties:client-picker", "parties:counterparty-picker", "parties:contact-picker"):
        with django_assert_max_num_queries(8):
            html = _options(client, url_name, q="query")
        assert html.count('role="option"') == PICKER_LIMIT


def test_the_deal_form_never_lists_the_clients(client, sales_manager):
    deal_services.ensure_default_pipeline()
    for n in range(30):
        ClientFactory(name=f"Listed {n:02d} Ltd", owner=sales_manager)
    client.force_login(sales_manager)
    page = client.get(reverse("crm:deal-create")).content.decode()
    assert "Listed" not in page
    # The currency is a choice preset to the company's base currency.
    assert '<option value="EUR" selected>' in page


def _deal_post(client_row, **extra):
    return {"title": "Pumps", "client": client_row.pk, "currency": "EUR", **extra}


def test_a_counterparty_or_contact_of_another_client_is_refused_naming_the_field(client, sales_manager):
    deal_services.ensure_default_pipeline()
    acme = ClientFactory(name="Acme", owner=sales_manager)
    other = ClientFactory(name="Other", owner=sales_manager)
    foreign_cp = CounterpartyFactory(client=other)
    foreign_contact = ContactFactory(client=other)
    client.force_login(sales_manager)

    response = client.post(reverse("crm:deal-create"), _deal_post(acme, counterparty=foreign_cp.pk))
    assert response.status_code == 200
    assert response.context["form"].errors == {"counterparty": ["The counterparty belongs to another client."]}
    response = client.post(reverse("crm:deal-create"), _deal_post(acme, contact=foreign_contact.pk))
    assert response.context["form"].errors == {"contact": ["The contact person belongs to another client."]}
    assert not acme.deals.exists()


def test_the_api_refuses_a_counterparty_of_another_client_with_400_naming_it(api, sales_manager):
    deal_services.ensure_default_pipeline()
    acme = ClientFactory(name="Acme", owner=sales_manager)
    foreign_cp = CounterpartyFactory(client=ClientFactory(owner=sales_manager))
    response = api(sales_manager).post(
        "/api/v1/crm/deals",
        {"title": "Pumps", "client_id": acme.pk, "counterparty_id": foreign_cp.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "counterparty" and response.json()["code"] == "foreign_counterparty"


def test_typed_text_without_javascript_resolves_one_row_or_says_what_is_wrong(sales_manager):
    acme = ClientFactory(name="Acme Pumps", owner=sales_manager)
    ClientFactory(name="Acme Valves", owner=sales_manager)
    cp = CounterpartyFactory(client=acme, legal_name="Acme Pumps Holding")

    def form(**data):
        f = DealForm(data={"title": "Pumps", "currency": "EUR", **data}, user=sales_manager)
        f.is_valid()
        return f

    assert form(client_search="acme pumps").cleaned_data["client"] == acme  # one exact name
    assert form(client_search="valves").cleaned_data["client"].name == "Acme Valves"  # one match
    assert form(client_search=f"#{acme.pk}").cleaned_data["client"] == acme  # its number
    assert "Several client records match “Acme”" in form(client_search="Acme").errors["client"][0]
    assert form(client_search="Zeppelin").errors["client"] == [
        "No client matches “Zeppelin”. Type a few letters and choose from the list."
    ]
    assert form(client_search="#999999").errors["client"] == ["There is no client #999999 you may choose."]
    # A chosen id is kept while the text box still shows its name; edited text is searched instead.
    assert form(client=acme.pk, client_search="Acme Pumps").cleaned_data["client"] == acme
    assert form(client=acme.pk, client_search="Acme Valves").cleaned_data["client"].name == "Acme Valves"
    # The counterparty typed by name is looked for among the chosen client's.
    f = form(client=acme.pk, client_search="Acme Pumps", counterparty_search="holding")
    assert f.cleaned_data["counterparty"] == cp
    # An emptied box chooses nothing.
    assert (
        form(client=acme.pk, client_search="Acme Pumps", counterparty=cp.pk, counterparty_search="").cleaned_data[
            "counterparty"
        ]
        is None
    )


def test_an_archived_counterparty_is_not_offered(client, sales_manager):
    acme = ClientFactory(name="Acme", owner=sales_manager)
    Counterparty.objects.create(
        client=acme, legal_name="Old Acme KG", valid_from=datetime.date(2020, 1, 1), is_archived=True
    )
    client.force_login(sales_manager)
    assert "Old Acme KG" not in _options(client, "parties:counterparty-picker", client=acme.pk)


def test_a_deal_edit_page_shows_its_choices_by_name_with_their_ids_hidden(client, sales_manager):
    deal_services.ensure_default_pipeline()
    acme = ClientFactory(name="Acme", owner=sales_manager)
    cp = CounterpartyFactory(client=acme, legal_name="Acme Holding", tax_id="DE4711")
    deal = deal_services.create_deal(by=sales_manager, client=acme, title="Pumps", counterparty=cp)
    client.force_login(sales_manager)
    page = client.get(reverse("crm:deal-edit", args=[deal.pk])).content.decode()
    assert f'<input type="hidden" name="client" value="{acme.pk}" data-picker-value>' in page
    assert 'name="counterparty_search" value="Acme Holding"' in page and "DE4711" in page
    # The counterparty picker asks for the chosen client's rows.
    assert 'hx-include="[name=client]"' in page
    # Saved unchanged, the deal keeps its choices.
    response = client.post(reverse("crm:deal-edit", args=[deal.pk]), {
        "title": "Pumps", "client": acme.pk, "client_search": "Acme", "counterparty": cp.pk,
        "counterparty_search": "Acme Holding", "currency": "EUR", "version": deal.version})
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.counterparty == cp and deal.client == acme


@pytest.mark.parametrize("url_name", ["parties:counterparty-picker", "parties:contact-picker", "crm:deal-picker"])
def test_a_client_id_beyond_64_bits_is_refused_not_an_error(client, sales_manager, url_name):
    client.force_login(sales_manager)
    response = client.get(reverse(url_name), {"client": "9223372036854775808", "q": "ab"})
    assert response.status_code == 400
