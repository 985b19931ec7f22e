from tandem.parties.tests.factories import ClientFactory


def test_home_page_counts_only_the_clients_a_representative_may_see(client, sales_rep, sales_manager):
    ClientFactory.create_batch(3, owner=sales_rep)
    ClientFactory.create_batch(4, owner=sales_manager)

    client.force_login(sales_rep)
    response = client.get("/")
    assert response.status_code == 200
    assert [(str(card["label"]), card["count"]) for card in response.context["summary"]] == [("Clients", 3)]

    client.force_login(sales_manager)
    response = client.get("/")
    assert [card["count"] for card in response.context["summary"]] == [7]
