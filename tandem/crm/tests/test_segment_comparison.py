"""Segment comparison: clients, deals, won amount per currency, average won deal, conversion rate."""

from decimal import Decimal

from tandem.crm.models import Deal, Segment
from tandem.crm.reports.segments import compare_segments, conversion_rate
from tandem.crm.tests.factories import DealFactory
from tandem.crm.tests.factories_planning import SegmentFactory
from tandem.parties.models import Client
from tandem.parties.tests.factories import ClientFactory


def deal(client, status, amount=None, currency="EUR"):
    return DealFactory(client=client, owner=client.owner, status=status,
                       amount=None if amount is None else Decimal(amount), currency=currency)


def test_two_segments_side_by_side(admin_user, client):
    # Active clients: Alpha wins 100.00 and 33.33 EUR and loses one; Beta wins 0.01 EUR and 50 USD; one open deal.
    alpha = ClientFactory(name="Alpha", status=Client.Status.ACTIVE)
    beta = ClientFactory(name="Beta", status=Client.Status.ACTIVE)
    deal(alpha, Deal.Status.WON, "100.00")
    deal(alpha, Deal.Status.WON, "33.33")
    deal(alpha, Deal.Status.LOST, "70.00")
    deal(beta, Deal.Status.WON, "0.01")
    deal(beta, Deal.Status.WON, "50.00", "USD")
    deal(beta, Deal.Status.OPEN, "999.00")
    # Static group: Gamma, who lost twice and won one deal without an amount.
    gamma = ClientFactory(name="Gamma", status=Client.Status.INACTIVE)
    deal(gamma, Deal.Status.LOST, "10")
    deal(gamma, Deal.Status.LOST, "10")
    deal(gamma, Deal.Status.WON)
    active = SegmentFactory(name="Active", criteria={"status": ["active"]})
    group = SegmentFactory(name="Group", kind=Segment.Kind.STATIC)
    group.members.add(gamma)
    empty = SegmentFactory(name="Nobody", criteria={"won_deals_min": 99})

    rows = compare_segments([active, group, empty], admin_user)

    a, g, e = rows
    assert (a.clients, a.deals, a.won_deals, a.lost_deals) == (2, 6, 4, 1)
    # EUR: 100.00 + 33.33 + 0.01 = 133.34 over 3 deals -> 44.446666… -> 44.45; USD 50.00 over 1.
    assert [(t.currency, t.won_deals, t.won_amount, t.average_won_deal) for t in a.by_currency] == [
        ("EUR", 3, Decimal("133.34"), Decimal("44.45")), ("USD", 1, Decimal("50.00"), Decimal("50.00"))]
    # 4 won of 5 closed; the open deal does not count.
    assert a.conversion_rate == Decimal("80.00")
    assert (g.clients, g.deals, g.won_deals, g.lost_deals) == (1, 3, 1, 2)
    assert [(t.currency, t.won_deals, t.won_amount, t.average_won_deal) for t in g.by_currency] == [
        ("EUR", 1, Decimal("0.00"), None)]
    assert g.conversion_rate == Decimal("33.33")
    assert (e.clients, e.deals, e.conversion_rate, e.by_currency) == (0, 0, None, [])

    client.force_login(admin_user)
    page = client.get(f"/crm/reports/segment-comparison/?ids={active.pk}&ids={group.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "133.34" in html and "44.45" in html and "80.00 %" in html


def test_comparison_counts_only_what_the_user_may_see(sales_rep, make_user):
    from tandem.core import roles

    other = make_user(roles.SALES_REPRESENTATIVE, username="rep2")
    mine = ClientFactory(owner=sales_rep)
    theirs = ClientFactory(owner=other)
    deal(mine, Deal.Status.WON, "10.00")
    deal(theirs, Deal.Status.WON, "20.00")
    row, = compare_segments([SegmentFactory()], sales_rep)
    assert (row.clients, row.won_deals, row.by_currency[0].won_amount) == (1, 1, Decimal("10.00"))


def test_conversion_rate_rounds_half_up():
    assert conversion_rate(2, 1) == Decimal("66.67")
    assert conversion_rate(1, 7) == Decimal("12.50")
    assert conversion_rate(0, 0) is None
