"""The migrations that add the invariants first clean up rows that would break them (an installation from
before may hold any of these), then the constraints go in."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("crm", "0003_archive_instead_of_delete"), ("parties", "0003_archive_instead_of_delete")]
AFTER = [("crm", "0005_invariants_and_deal_version"), ("parties", "0005_invariants_and_client_version")]


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
def test_old_rows_are_cleaned_up_before_the_constraints(make_user, back_to_latest_afterwards):
    user = make_user()
    old = migrate(BEFORE)
    Tag, Source, Client = (old.get_model("parties", n) for n in ("Tag", "Source", "Client"))
    Pipeline, Stage, Deal, Visit, LostReason, Campaign = (
        old.get_model("crm", n) for n in ("Pipeline", "Stage", "Deal", "DealStageVisit", "LostReason", "Campaign"))

    Tag.objects.create(name="vip")
    vip_upper = Tag.objects.create(name="VIP")
    Source.objects.create(name="Website")
    Source.objects.create(name="WEBSITE")
    client = Client.objects.create(name="Acme", search_name="acme", owner_id=user.pk)
    client.tags.set([vip_upper])
    sales = Pipeline.objects.create(name="Sales", is_default=True)
    Pipeline.objects.create(name="SALES", is_default=True)
    stage = Stage.objects.create(pipeline=sales, name="One", position=1)
    reason, reason_upper = LostReason.objects.create(name="Price"), LostReason.objects.create(name="PRICE")
    now = timezone.now()
    deal = Deal.objects.create(title="Pumps", client=client, owner_id=user.pk, pipeline=sales, stage=stage,
                               stage_entered_at=now, amount=Decimal("-5"), lost_reason=reason_upper)
    Visit.objects.create(deal=deal, stage=stage, entered_at=now - datetime.timedelta(days=2))
    Visit.objects.create(deal=deal, stage=stage, entered_at=now)
    Campaign.objects.create(name="Spring", cost=Decimal("-1"))

    new = migrate(AFTER)

    Tag, Source, Client = (new.get_model("parties", n) for n in ("Tag", "Source", "Client"))
    Pipeline, Deal, Visit, Campaign = (new.get_model("crm", n) for n in ("Pipeline", "Deal", "DealStageVisit",
                                                                         "Campaign"))
    assert list(Tag.objects.values_list("name", flat=True)) == ["vip"]
    assert list(Client.objects.get(pk=client.pk).tags.values_list("name", flat=True)) == ["vip"]
    assert sorted(Source.objects.values_list("name", flat=True)) == ["WEBSITE (2)", "Website"]
    assert sorted(Pipeline.objects.values_list("name", "is_default")) == [("SALES (2)", False), ("Sales", True)]
    deal = Deal.objects.get(pk=deal.pk)
    assert deal.amount is None and deal.lost_reason_id == reason.pk
    assert list(new.get_model("crm", "LostReason").objects.values_list("name", flat=True)) == ["Price"]
    visits = list(Visit.objects.filter(deal_id=deal.pk).order_by("entered_at"))
    assert visits[0].left_at == visits[1].entered_at and visits[1].left_at is None
    assert Campaign.objects.get().cost == 0

