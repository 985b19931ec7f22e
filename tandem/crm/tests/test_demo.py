"""`tandem demo` also loads the CRM demo: a year of pipeline history through the services, once."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Min
from django.utils import timezone

from tandem.core.models import AuditEntry
from tandem.crm.demo import DEAL_COUNT
from tandem.crm.models import (
    Campaign,
    Complaint,
    Deal,
    DealStageVisit,
    EventAttendee,
    Interaction,
    Lead,
    MarketingEvent,
    Pipeline,
    SalesTarget,
    Segment,
    Task,
)
from tandem.crm.reports import deals as reports
from tandem.crm.services.complaints import overdue_q

pytestmark = pytest.mark.django_db(transaction=False)

MODELS = (Pipeline, Campaign, MarketingEvent, EventAttendee, Lead, Deal, DealStageVisit, Interaction, Complaint,
          Task, Segment, SalesTarget, AuditEntry)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


# Under a third of the shipped size keeps the test fast; the default size is the same code with more rows.
DEMO_SCALE = 0.3


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", scale=DEMO_SCALE, stdout=out)
    return out.getvalue()


def test_demo_loads_a_year_of_crm_work_once():
    output = load_demo()
    assert "CRM demo data loaded" in output
    now = timezone.now()

    # Pipelines, marketing, leads.
    assert Pipeline.objects.count() == 2 and Pipeline.objects.filter(is_default=True).count() == 1
    assert Campaign.objects.count() == 3 and MarketingEvent.objects.count() == 4
    assert EventAttendee.objects.filter(client__isnull=False).exists()
    assert EventAttendee.objects.filter(lead__isnull=False).exists()
    assert set(Lead.objects.values_list("status", flat=True)) == set(Lead.Status.values)
    assert not Lead.objects.filter(status=Lead.Status.DISQUALIFIED, disqualify_reason="").exists()
    assert not Lead.objects.filter(status=Lead.Status.QUALIFIED, deal__isnull=True).exists()

    # Deals: a year of them, won and lost ones, every lost one with its reason, history in the past.
    assert Deal.objects.count() >= round(DEAL_COUNT * DEMO_SCALE)
    by_status = dict(Deal.objects.values_list("status").annotate(n=Count("id")))
    assert by_status[Deal.Status.WON] > 0.25 * Deal.objects.count()
    assert by_status[Deal.Status.LOST] > 0.15 * Deal.objects.count()
    assert not Deal.objects.filter(status=Deal.Status.LOST, lost_reason__isnull=True).exists()
    assert Deal.objects.filter(status=Deal.Status.LOST).values("stage").distinct().count() >= 3
    assert not Deal.objects.exclude(status=Deal.Status.OPEN).filter(closed_at__isnull=True).exists()
    oldest = Deal.objects.aggregate(first=Min("created_at"))["first"]
    assert (now - oldest).days > 180
    assert Deal.objects.filter(status=Deal.Status.OPEN).values("stage").distinct().count() >= 4

    # Every deal has stage visits in order: each ends when the next begins; only an open deal has an open one.
    assert not Deal.objects.filter(stage_visits__isnull=True).exists()
    assert not DealStageVisit.objects.filter(left_at__lt=F("entered_at")).exists()
    assert not DealStageVisit.objects.filter(entered_at__gt=now).exists()
    visits: dict[int, list] = {}
    for visit in DealStageVisit.objects.order_by("deal_id", "id"):
        visits.setdefault(visit.deal_id, []).append(visit)
    for deal in Deal.objects.all():
        rows = visits[deal.pk]
        assert rows[0].entered_at == deal.created_at
        for before, after in zip(rows, rows[1:], strict=False):
            assert before.left_at == after.entered_at
        assert (rows[-1].left_at is None) == (deal.status == Deal.Status.OPEN)
        assert rows[-1].stage_id == deal.stage_id
    # Audit entries sit in the simulated past too.
    assert AuditEntry.objects.filter(action="crm.deal.moved", created_at__lt=now - timezone.timedelta(days=60)).exists()

    # Interactions over the year and some meetings ahead; complaints in every status, some overdue.
    assert Interaction.objects.count() > 100
    assert Interaction.objects.filter(kind=Interaction.Kind.MEETING, occurred_at__gt=now).exists()
    assert Interaction.objects.filter(kind=Interaction.Kind.CALL_OUT, duration_minutes__gt=0,
                                      outcome=Interaction.Outcome.REACHED).exists()
    assert set(Complaint.objects.values_list("status", flat=True)) == set(Complaint.Status.values)
    assert Complaint.objects.filter(overdue_q(now)).exists()
    assert Complaint.objects.filter(status__in=["new", "in_progress"], deadline__gt=now).exists()

    # Tasks for each of the sales team: overdue, today, upcoming, some with reminders.
    today = timezone.localdate()
    for username in ("manager", "rep1", "rep2"):
        open_tasks = Task.objects.filter(assignee__username=username, status=Task.Status.OPEN)
        assert open_tasks.filter(due_at__lt=now - timezone.timedelta(days=1)).exists(), username
        assert open_tasks.filter(due_at__gt=now + timezone.timedelta(days=1)).exists(), username
        assert open_tasks.filter(remind_at__isnull=False).exists(), username
    assert Task.objects.filter(status=Task.Status.DONE).exists()
    assert Task.objects.filter(due_at__date__gte=today - timezone.timedelta(days=1),
                               due_at__date__lte=today + timezone.timedelta(days=1)).exists()
    assert Segment.objects.filter(kind=Segment.Kind.RULE).count() == 3
    # Relative criteria stay numbers, evaluated when the segment is used.
    assert Segment.objects.get(name="Active, not contacted for 90 days").criteria["no_interaction_days"] == 90
    # Qualified company leads made contact persons with the lead's email, who are their deals' contacts.
    from_leads = Lead.objects.filter(status=Lead.Status.QUALIFIED).exclude(company_name="").select_related(
        "deal__contact")
    assert from_leads.count() >= 3
    assert all(lead.deal.contact and lead.deal.contact.email == lead.email for lead in from_leads)
    assert Segment.objects.get(kind=Segment.Kind.STATIC).members.exists()

    # Monthly sales targets for each representative, this month and the twelve before, in the base currency;
    # the home dashboard finds this month's (the won amount is measured against it).
    from tandem.core.services import get_company
    from tandem.crm.reports.dashboard import Conversion, targets_by_user

    this_month = today.replace(day=1)
    months = [this_month]
    for _ in range(12):
        months.append((months[-1] - timezone.timedelta(days=1)).replace(day=1))
    for username in ("rep1", "rep2"):
        targets = SalesTarget.objects.filter(user__username=username)
        assert sorted(targets.values_list("month", flat=True)) == sorted(months), username
        assert set(targets.values_list("currency", flat=True)) == {get_company().base_currency}
        assert all(target.amount > 0 for target in targets)
    assert set(SalesTarget.objects.values_list("user__username", flat=True)) == {"rep1", "rep2"}
    reps = SalesTarget.objects.values_list("user_id", flat=True).distinct()
    assert set(targets_by_user(this_month, Conversion(today))) == set(reps)

    # The lost-at-stage report over the demo: losses at several stages, realistic average stage times.
    pipeline = Pipeline.objects.get(is_default=True)
    report = reports.lost_at_stage(Deal.objects.all(), pipeline)
    assert report.total_lost > 0 and report.total_amounts
    assert sum(1 for row in report.stages if row.lost_count) >= 3
    assert all(row.completed_visits and row.average_days > 1 for row in report.stages)

    # A second run changes nothing.
    before = counts()
    output = load_demo()
    assert counts() == before
    assert "CRM demo data is already loaded" in output
