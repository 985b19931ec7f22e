"""The CRM part of the demo data set: pipelines, marketing, leads, a year of deals, interactions,
complaints, tasks and segments, on top of the parties demo (its users and clients).

Everything is created through the CRM services, so audit entries, stage visits, checklist items and
event attendance exist as for real work. The services stamp `timezone.now()`; a demo needs a year of
history, so right after each service call the rows it stamped are moved to the step's simulated time with
a queryset `.update()` (see `_Clock`): only columns holding "now" are moved (created_at, stage_entered_at,
stage visit entered_at/left_at, closed_at, status_changed_at, audit created_at), never values the step
was given. Reports then show realistic stage durations.

Deterministic: one random.Random (seeded from `seed`) drives every choice; dates are relative to the day
of loading (tasks "due today" are due today). Idempotent: `build_crm_demo` does nothing when the demo campaigns exist.
"""

from __future__ import annotations

import datetime
import random
import time
import unicodedata
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from tandem.core.models import AuditEntry, User
from tandem.core.services import get_company
from tandem.crm.models import (
    Campaign,
    Complaint,
    Deal,
    DealChecklistItem,
    DealStageVisit,
    EventAttendee,
    Interaction,
    Lead,
    LostReason,
    MarketingEvent,
    Pipeline,
    SalesTarget,
    Segment,
    Stage,
    StageRule,
    Task,
)
from tandem.crm.services import (
    attribution,
    complaints,
    deals,
    interactions,
    leads,
    reference_lists,
    segments,
    tasks,
)
from tandem.parties import services as party_services
from tandem.parties.demo import DE_FIRST, DE_LAST, DE_STEMS, DE_TRADES, RU_FIRST, RU_LAST, german_vat_id
from tandem.parties.models import Client, Contact, Counterparty, Source

SEED = 20240917
DEAL_COUNT = 280  # plus one deal per qualified lead
SALES_TEAM = ("rep1", "rep2", "manager")
OWNER_WEIGHTS = {"rep1": 5, "rep2": 4, "manager": 2}

EXTRA_LOST_REASONS = ("Delivery time too long", "Project postponed")
PROJECTS_PIPELINE = {
    "name": "Projects",
    "stages": [
        {"name": "Briefing", "probability": 10, "rules": [{"kind": "required_field", "field_name": "contact"}]},
        {"name": "Site visit", "probability": 30, "rules": [{"kind": "checklist", "label": "Site visit done"}]},
        {"name": "Concept and quote", "probability": 50,
         "rules": [{"kind": "required_field", "field_name": "amount"},
                   {"kind": "checklist", "label": "Quote approved by the sales manager"}]},
        {"name": "Contract", "probability": 80,
         "rules": [{"kind": "required_field", "field_name": "counterparty"},
                   {"kind": "required_field", "field_name": "expected_close_date"},
                   {"kind": "checklist", "label": "Contract signed"}]},
        {"name": "Kick-off", "probability": 95, "rules": []},
    ],
}
# (name, source name, starts days ago, length in days, cost)
CAMPAIGNS = [
    ("Spring mailing: shelving systems", "Advertising", 330, 60, "4800.00"),
    ("Trade fair season", "Exhibition", 250, 150, "26500.00"),
    ("Partner referral programme", "Referral", 120, None, "3000.00"),
]
# (name, kind, starts days ago, days, location, cost, campaign index, responsible)
EVENTS = [
    ("LogiMAT Stuttgart", MarketingEvent.Kind.EXHIBITION, 230, 3, "Messe Stuttgart", "18400.00", 1, "manager"),
    ("Procurement seminar Berlin", MarketingEvent.Kind.SEMINAR, 160, 1, "Berlin, Hotel Adlon", "3200.00", 1,
     "rep1"),
    ("Webinar: storage automation", MarketingEvent.Kind.WEBINAR, 75, 1, "Online", "450.00", 0, "rep2"),
    ("Intralogistics conference Hamburg", MarketingEvent.Kind.CONFERENCE, 35, 2, "Hamburg Messe", "7900.00", 2,
     "manager"),
]
SALES_TITLES = ["Warehouse shelving", "Pallet racking", "Forklift service contract", "Packaging machine",
                "Spare parts framework", "Conveyor belt upgrade", "Annual maintenance", "Pilot order",
                "Label printers", "Office furniture", "Workbenches", "Safety equipment", "Replacement order"]
PROJECT_TITLES = ["Warehouse fit-out", "Production line relocation", "Cold store extension", "Mezzanine floor",
                  "Shipping area redesign"]
# Lost reasons by stage: early deals go quiet, later ones lose on price or to a competitor.
LOST_BY_STAGE = [
    ["Not reachable", "No budget", "No decision"],
    ["No budget", "No decision", "Chose a competitor", "Project postponed"],
    ["Price too high", "Chose a competitor", "Delivery time too long"],
    ["Price too high", "Chose a competitor", "Project postponed"],
    ["Chose a competitor", "No decision"],
]
LOST_NOTES = ["", "", "Competitor offered 12 % below our price.", "Budget moved to next year.",
              "Decision maker left the company.", "Needed delivery within two weeks."]
DISQUALIFY_REASONS = ["No budget this year", "Private person, not a business customer",
                      "Duplicate of an existing client", "Outside our delivery area",
                      "Student project, no purchase intent", "Not reachable after three attempts"]
CALL_SUBJECTS = ["Follow-up on the offer", "Delivery date", "Question about the invoice", "New price list",
                 "Reorder", "Service appointment", "Introduction call"]
MEETING_SUBJECTS = ["Site visit", "Product demo", "Contract negotiation", "Quarterly review", "Kick-off meeting"]
EMAIL_SUBJECTS = ["Offer attached", "Order confirmation", "Technical data sheet", "Meeting minutes",
                  "Price adjustment", "Delivery schedule"]
NOTES = ["Prefers calls before 10 am.", "Budget approval expected next month.", "Asked for references.",
         "Competitor visited them last week.", "Plans to expand the warehouse next year.",
         "Decision by the managing director only."]
COMPLAINTS = [  # category code (crm.ComplaintCategory.code), severity, description
    ("quality", Complaint.Severity.HIGH, "Two shelf uprights arrived bent."),
    ("delivery", Complaint.Severity.MEDIUM, "Delivery came three days late."),
    ("billing", Complaint.Severity.LOW, "Invoice shows the list price, not the agreed price."),
    ("service", Complaint.Severity.MEDIUM, "Technician did not show up for the appointment."),
    ("quality", Complaint.Severity.CRITICAL, "Conveyor motor failed after one week."),
    ("delivery", Complaint.Severity.HIGH, "Wrong pallet racks delivered."),
    ("other", Complaint.Severity.LOW, "Packaging waste left on site."),
    ("billing", Complaint.Severity.MEDIUM, "Credit note still missing."),
]
RESOLUTIONS = ["Replacement parts shipped free of charge.", "Corrected invoice sent.",
               "Goodwill discount of 5 % on the next order.", "New appointment held, work completed."]
REJECTIONS = ["Damage caused by improper assembly on site.", "Delivery date was confirmed as agreed."]
TASK_TITLES = ["Call back about the offer", "Send revised quote", "Prepare contract draft", "Check payment status",
               "Plan site visit", "Follow up after the trade fair", "Update contact details",
               "Ask for feedback on the delivery"]


@dataclass
class CrmDemoResult:
    created: bool
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    skipped: str = ""

    def lines(self) -> list[str]:
        if self.skipped:
            return [f"CRM demo skipped: {self.skipped}"]
        if not self.created:
            return ["CRM demo data is already loaded; nothing changed."]
        counts = ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in self.counts.items())
        return [f"CRM demo data loaded in {self.seconds:.1f} s: {counts}."]


def crm_demo_present() -> bool:
    return Campaign.objects.filter(name=CAMPAIGNS[0][0]).exists()


def build_crm_demo(*, seed: int = SEED, scale: float = 1.0) -> CrmDemoResult:
    """Load the CRM demo data unless it is there already. Needs the parties demo (its users and clients)."""
    if crm_demo_present():
        return CrmDemoResult(created=False)
    users = {u.username: u for u in User.objects.filter(username__in=[*SALES_TEAM, "admin", "warehouse"])}
    if len(users) < len(SALES_TEAM) + 2 or not Client.objects.filter(owner__username__in=SALES_TEAM).exists():
        return CrmDemoResult(created=False, skipped="the demo users and clients are missing (run `tandem demo`).")
    started = time.monotonic()
    with transaction.atomic():
        # Its own stream: the parties demo draws from random.Random(seed), and the same numbers would
        # give the leads' companies the VAT IDs of existing clients.
        builder = _CrmDemoBuilder(random.Random(f"crm-{seed}"), users, deal_count=max(20, round(DEAL_COUNT * scale)))
        builder.build()
    return CrmDemoResult(created=True, counts=builder.summary(), seconds=time.monotonic() - started)


def _ascii(text: str) -> str:
    text = text.replace("ß", "ss")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


class _Clock:
    """Moves what a service stamped "now" to the simulated time of the step (see the module docstring)."""

    def __init__(self):
        self.started = timezone.now()
        self.now = self.started

    def settle(self, when: datetime.datetime, *targets) -> None:
        """targets: (queryset, [datetime columns]); rows' columns stamped since the run began get `when`."""
        when = min(when, self.started - datetime.timedelta(minutes=1))
        AuditEntry.objects.filter(created_at__gte=self.started).update(created_at=when)
        for qs, columns in targets:
            qs.update(**{c: Case(When(**{f"{c}__gte": self.started}, then=Value(when)), default=F(c))
                         for c in columns})


TRACKED = ["created_at", "updated_at"]


@dataclass
class _DealHistory:
    """When a deal's steps happened in the simulated year: creation, each stage entry, ticks, closing."""

    created: datetime.datetime
    entries: list[datetime.datetime] = field(default_factory=list)
    ticked: dict[int, datetime.datetime] = field(default_factory=dict)
    closed: datetime.datetime | None = None
    updated: datetime.datetime | None = None

    def __post_init__(self):
        self.entries = self.entries or [self.created]
        self.updated = self.updated or self.created


class _CrmDemoBuilder:
    def __init__(self, rng: random.Random, users: dict[str, User], deal_count: int = DEAL_COUNT):
        self.rng = rng
        self.deal_count = deal_count
        self.users = users
        self.clock = _Clock()
        self.now = self.clock.started
        self.team = [users[name] for name in SALES_TEAM]
        self.histories: dict[int, _DealHistory] = {}
        self.deal_spans: dict[int, list[tuple[Deal, datetime.datetime, datetime.datetime]]] = {}
        self.counts: dict[str, int] = {}
        self.zone = zoneinfo.ZoneInfo(get_company().time_zone or "UTC")

    # Helpers

    def ago(self, days: float) -> datetime.datetime:
        return self.now - datetime.timedelta(days=days)

    def owner(self) -> User:
        names = list(OWNER_WEIGHTS)
        return self.users[self.rng.choices(names, [OWNER_WEIGHTS[n] for n in names])[0]]

    def amount(self, low: int, high: int) -> Decimal:
        return Decimal(self.rng.randrange(low, high, 50))

    def summary(self) -> dict[str, int]:
        deal_qs = Deal.objects.all()
        return {
            "pipelines": Pipeline.objects.count(),
            "campaigns": Campaign.objects.count(),
            "events": MarketingEvent.objects.count(),
            "leads": Lead.objects.count(),
            "deals": deal_qs.count(),
            "won": deal_qs.filter(status=Deal.Status.WON).count(),
            "lost": deal_qs.filter(status=Deal.Status.LOST).count(),
            "interactions": Interaction.objects.count(),
            "complaints": Complaint.objects.count(),
            "tasks": Task.objects.count(),
            "segments": Segment.objects.count(),
            "sales_targets": SalesTarget.objects.count(),
        }

    # The whole set

    def build(self) -> None:
        admin, manager = self.users["admin"], self.users["manager"]
        self.sales = deals.ensure_default_pipeline(by=admin)
        for name in EXTRA_LOST_REASONS:
            if not LostReason.objects.filter(name__iexact=name).exists():
                deals.create_lost_reason(by=admin, name=name)
        self.reasons = {r.name: r for r in LostReason.objects.filter(is_active=True)}
        self.projects = (Pipeline.objects.filter(name=PROJECTS_PIPELINE["name"]).first()
                         or deals.create_pipeline(by=admin, **PROJECTS_PIPELINE))
        self.stages = {p.pk: list(Stage.objects.filter(pipeline=p).prefetch_related("rules").order_by("position"))
                       for p in (self.sales, self.projects)}
        self.sources = {s.name: s for s in Source.objects.all()}
        clients = list(Client.objects.filter(owner__username__in=SALES_TEAM)
                       .active().select_related("owner", "first_source")
                       .prefetch_related("contacts", "counterparties").order_by("pk"))
        self.clients_by_owner: dict[int, list[Client]] = {}
        for client in clients:
            self.clients_by_owner.setdefault(client.owner_id, []).append(client)
        self.clients = clients
        self.marketing(manager)
        self.lead_set()
        for _ in range(self.deal_count):
            self.play_new_deal()
        self.backdate_deals()
        self.interaction_set()
        self.complaint_set()
        self.task_set()
        self.segment_set(manager)
        self.target_set(manager)

    # Sales targets: the representatives' monthly targets for the last 12 months and this one (one insert).

    def target_set(self, manager: User) -> None:
        currency = get_company().base_currency
        month = timezone.localdate(self.now).replace(day=1)
        months = [month]
        for _ in range(12):
            months.append((months[-1] - datetime.timedelta(days=1)).replace(day=1))
        base = {"rep1": 30000, "rep2": 24000}
        SalesTarget.objects.bulk_create([
            SalesTarget(user=self.users[name], month=first, currency=currency, created_by=manager,
                        amount=Decimal(amount + 1000 * self.rng.randrange(0, 6)))
            for name, amount in base.items() for first in months
        ])

    # Marketing

    def marketing(self, manager: User) -> None:
        self.campaigns = []
        for name, source, days_ago, length, cost in CAMPAIGNS:
            starts = self.ago(days_ago).date()
            campaign = attribution.create_campaign(
                by=manager, name=name, source=self.sources.get(source), starts_on=starts, cost=cost,
                ends_on=starts + datetime.timedelta(days=length) if length else None, currency="EUR")
            self.clock.settle(self.ago(days_ago + 7), (Campaign.objects.filter(pk=campaign.pk), TRACKED))
            self.campaigns.append(campaign)
        self.events = []
        for name, kind, days_ago, days, location, cost, campaign, responsible in EVENTS:
            starts = self.ago(days_ago).date()
            event = attribution.create_event(
                by=manager, name=name, kind=kind, starts_on=starts, ends_on=starts + datetime.timedelta(days=days - 1),
                location=location, cost=cost, currency="EUR", responsible=self.users[responsible],
                campaign=self.campaigns[campaign])
            self.clock.settle(self.ago(days_ago + 30), (MarketingEvent.objects.filter(pk=event.pk), TRACKED))
            self.events.append(event)
            for client in self.rng.sample(self.clients, min(len(self.clients), self.rng.randint(8, 18))):
                contacts = list(client.contacts.all())
                attribution.add_attendee(event, by=manager, client=client,
                                         contact=self.rng.choice(contacts) if contacts else None)
            self.clock.settle(self.ago(days_ago - days), (EventAttendee.objects.filter(event=event), ["created_at"]))

    # Leads

    def lead_set(self) -> None:
        """~60 leads over the year: new, qualified into a client and a deal, disqualified with a reason."""
        plan = ["new"] * 24 + ["qualified"] * 20 + ["disqualified"] * 16
        self.rng.shuffle(plan)
        used: set[str] = set()
        for outcome in plan:
            rng = self.rng
            russian = rng.random() < 0.25
            first = rng.choice(RU_FIRST if russian else DE_FIRST)
            last = rng.choice(RU_LAST if russian else DE_LAST)
            company = f"{rng.choice(DE_STEMS)} {rng.choice(DE_TRADES)} {rng.choice(['GmbH', 'AG', 'KG'])}" \
                if rng.random() < 0.8 else ""
            domain = (_ascii(company.rsplit(" ", 1)[0]).lower().replace(" ", "-") + ".example") if company \
                else "mail.example"
            email = f"{_ascii(first).lower()}.{_ascii(last).lower()}@{domain}"
            while email in used:
                email = email.replace("@", f"{rng.randint(2, 9)}@", 1)
            used.add(email)
            owner = self.owner()
            days_ago = rng.uniform(2, 60) if outcome == "new" else rng.uniform(20, 350)
            event = campaign = source = None
            roll = rng.random()
            since = {e: (self.now.date() - e.starts_on).days for e in self.events}
            candidates = [e for e in self.events if 1 <= since[e] <= (80 if outcome == "new" else 400)]
            if roll < 0.3 and candidates:
                # Met at the event: the lead is entered in the days after it.
                event = rng.choice(candidates)
                days_ago = max(since[event] - rng.uniform(0, 4), 0.5)
            elif roll < 0.5:
                campaign = rng.choice(self.campaigns)
            else:
                source = self.sources.get(rng.choice(["Website", "Cold call", "Referral", "Advertising"]))
            created = self.ago(max(days_ago, 0.5))
            lead = leads.create_lead(
                by=owner, owner=owner, name=f"{first} {last}", company_name=company, email=email, source=source,
                campaign=campaign, event=event,
                notes=rng.choice(["", "", "Asked for a catalogue.", "Met at our stand.", "Called the hotline."]))
            self.clock.settle(created, (Lead.objects.filter(pk=lead.pk), [*TRACKED, "status_changed_at"]),
                              (EventAttendee.objects.filter(lead=lead), ["created_at"]))
            decided = created + datetime.timedelta(days=rng.uniform(1, 12))
            decided = min(decided, self.ago(0.2))
            if outcome == "disqualified":
                leads.disqualify_lead(lead, by=owner, reason=rng.choice(DISQUALIFY_REASONS))
                self.clock.settle(decided, (Lead.objects.filter(pk=lead.pk), [*TRACKED, "status_changed_at"]))
            elif outcome == "qualified":
                title = f"{rng.choice(SALES_TITLES)} for {company or f'{first} {last}'}"
                lead = leads.qualify_lead(lead, by=owner, create_client=True, deal_title=title,
                                          amount=self.amount(1500, 40000) if rng.random() < 0.5 else None)
                deal = Deal.objects.select_related("client", "stage__pipeline").get(pk=lead.deal_id)
                # The rep completes the new client as for any other: the contact person and, for a business,
                # the legal entity that will sign.
                contact = party_services.add_contact(deal.client, by=owner, first_name=first, last_name=last,
                                                     email=email, allow_duplicates=True)
                if company:
                    party_services.add_counterparty(
                        deal.client, by=owner, legal_name=company, valid_from=decided.date(),
                        tax_id=german_vat_id(rng), legal_address=f"{rng.choice(DE_STEMS)}straße {rng.randint(1, 90)}, "
                        f"{rng.randint(10000, 99999)} {rng.choice(['Berlin', 'Hamburg', 'Köln', 'Leipzig'])}")
                self.clock.settle(decided, (Lead.objects.filter(pk=lead.pk), [*TRACKED, "status_changed_at"]),
                                  (Client.objects.filter(pk=deal.client_id), TRACKED),
                                  (Contact.objects.filter(pk=contact.pk), TRACKED),
                                  (Counterparty.objects.filter(client_id=deal.client_id), TRACKED))
                history = self.histories[deal.pk] = _DealHistory(decided)
                self.play(deal, owner, history, (self.now - decided).total_seconds() / 86400)

    # Deals

    def play_new_deal(self) -> None:
        rng = self.rng
        owner = self.owner()
        candidates = self.clients_by_owner.get(owner.pk) or self.clients
        project = rng.random() < 0.15
        if project:
            b2b = [c for c in candidates if c.kind == Client.Kind.B2B and c.counterparties.all()]
            candidates = b2b or candidates
            project = bool(b2b)
        client = rng.choice(candidates)
        pipeline = self.projects if project else self.sales
        outcome = rng.choices(["won", "lost", "open"], [35, 25, 40])[0]
        days_ago = rng.uniform(20, 365) if outcome != "open" else rng.uniform(2, 150)
        created = self.ago(days_ago)
        counterparty = self.counterparty(client)
        russian = (client.phone or "").startswith("+7")
        currency = "RUB" if russian and rng.random() < 0.5 else "EUR"
        event = campaign = None
        attended = [e for e in self.events if e.starts_on <= created.date()]
        if attended and rng.random() < 0.2:
            event = rng.choice(attended)
        elif rng.random() < 0.15:
            campaign = rng.choice([c for c in self.campaigns if c.starts_on <= created.date()] or self.campaigns)
        deal = deals.create_deal(
            by=owner, client=client, owner=owner, pipeline=pipeline,
            title=f"{rng.choice(PROJECT_TITLES if project else SALES_TITLES)} – {client.name}"[:200],
            amount=self.deal_amount(pipeline, currency) if rng.random() < 0.6 else None, currency=currency,
            counterparty=counterparty if rng.random() < 0.7 else None,
            contact=self.contact(client) if rng.random() < 0.5 else None,
            event=event, campaign=campaign or (event.campaign if event else None),
        )
        history = self.histories[deal.pk] = _DealHistory(created)
        self.step(history, created)
        self.play(deal, owner, history, days_ago, outcome=outcome)

    def deal_amount(self, pipeline: Pipeline, currency: str) -> Decimal:
        low, high = (15000, 250000) if pipeline.pk == self.projects.pk else (800, 60000)
        return self.amount(low, high) * (90 if currency == "RUB" else 1)

    def counterparty(self, client: Client):
        current = [cp for cp in client.counterparties.all() if cp.valid_to is None]
        return current[0] if current else None

    def contact(self, client: Client):
        contacts = list(client.contacts.all())
        return contacts[0] if contacts else None

    def step(self, history: _DealHistory, when: datetime.datetime) -> None:
        """A service call on the deal happened at `when`: its audit entries move there now, the deal's own
        columns and stage visits at the end (backdate_deals, in bulk)."""
        self.clock.settle(when)
        history.updated = when

    def play(self, deal: Deal, owner: User, history: _DealHistory, days_ago: float, outcome: str | None = None):
        """Lead the deal from its first stage: tick checklists and fill required fields before leaving a
        stage, move on, then win or lose it (or leave it open), each step at its simulated time."""
        rng = self.rng
        outcome = outcome or rng.choices(["won", "lost", "open"], [35, 25, 40])[0]
        stages = self.stages[deal.pipeline_id]
        last = len(stages) - 1
        if outcome == "won":
            target = last
        elif outcome == "lost":
            target = rng.choices(range(len(stages)), [30, 25, 25, 15, 5][:len(stages)])[0]
        else:
            target = rng.choices(range(len(stages)), [25, 25, 20, 18, 12][:len(stages)])[0]
        # Stays per stage (days); closed deals also stay in the final one before closing.
        stays = [rng.uniform(1.5, 6 + 5 * k) for k in range(target + (0 if outcome == "open" else 1))]
        span = days_ago * (rng.uniform(0.4, 0.9) if outcome == "open" else 1) - rng.uniform(0.2, 3)
        total = sum(stays) or 1
        if total > span:
            stays = [s * max(span, 0.1) / total for s in stays]
        when = history.created
        stage_index = 0
        back_and_forth = target >= 3 and rng.random() < 0.08
        while stage_index < target:
            stay = stays[stage_index]
            deal, met = self.meet_rules(deal, stages[stage_index], owner, history,
                                        when + datetime.timedelta(days=stay * 0.6))
            if not met:  # a required value this client cannot give: the deal stalls here
                outcome = "open" if outcome == "open" else "lost"
                target = stage_index
                break
            when += datetime.timedelta(days=stay)
            deal = self.move(deal, stages[stage_index + 1], owner, history, when)
            stage_index += 1
            if back_and_forth and stage_index == 3:
                # Needs more work: back to the proposal for a few days, then forward again.
                back_and_forth = False
                deal = self.move(deal, stages[2], owner, history, when + datetime.timedelta(days=stay * 0.1))
                when += datetime.timedelta(days=stay * 0.3)
                deal = self.move(deal, stages[3], owner, history, when)
        if outcome == "open":
            self.remember(deal, history.created, self.now)
            return
        if outcome == "won":
            deal, _met = self.meet_rules(deal, stages[last], owner, history,
                                         when + datetime.timedelta(days=stays[-1] * 0.5))
        when += datetime.timedelta(days=stays[target])
        if outcome == "won":
            deal = deals.win_deal(deal, by=owner)
        else:
            reasons = [self.reasons[n] for n in LOST_BY_STAGE[min(target, 4)] if n in self.reasons]
            deal = deals.lose_deal(deal, by=owner, lost_reason=rng.choice(reasons or list(self.reasons.values())),
                                   note=rng.choice(LOST_NOTES))
        history.closed = when
        self.step(history, when)
        self.remember(deal, history.created, when)

    def move(self, deal: Deal, stage: Stage, owner: User, history: _DealHistory, when) -> Deal:
        deal = deals.move_deal_to_stage(deal, stage, by=owner)
        history.entries.append(when)
        self.step(history, when)
        return deal

    def remember(self, deal: Deal, start, end) -> None:
        self.deal_spans.setdefault(deal.client_id, []).append((deal, start, end))

    def meet_rules(self, deal: Deal, stage: Stage, owner: User, history: _DealHistory, when) -> tuple[Deal, bool]:
        """Tick the stage's checklist and fill its required fields; False when a value is not available."""
        changes = {}
        for rule in stage.rules.all():
            if rule.kind == StageRule.Kind.CHECKLIST:
                deals.set_checklist_item(deal, rule, True, by=owner)
                history.ticked[rule.pk] = when
                self.step(history, when)
            elif getattr(deal, Deal._meta.get_field(rule.field_name).attname) in (None, ""):
                if rule.field_name == "amount":
                    changes["amount"] = self.deal_amount(deal.pipeline, deal.currency)
                elif rule.field_name == "expected_close_date":
                    changes["expected_close_date"] = (when + datetime.timedelta(days=self.rng.randint(14, 60))).date()
                elif rule.field_name == "counterparty":
                    changes["counterparty"] = self.counterparty(deal.client)
                elif rule.field_name == "contact":
                    changes["contact"] = self.contact(deal.client)
                elif rule.field_name == "source":
                    changes["source"] = deal.client.first_source or next(iter(self.sources.values()))
        if any(value is None for value in changes.values()):
            return deal, False
        if changes:
            deal = deals.update_deal(deal, by=owner, **changes)
            self.step(history, when)
        return deal, True

    def backdate_deals(self) -> None:
        """Put the deals' own timestamps, stage visits and ticked checklist items at their simulated times
        (the services stamped the time of loading); bulk updates, one batch per 500 rows."""
        rows = list(Deal.objects.filter(pk__in=self.histories).only("pk", "status"))
        for deal in rows:
            h = self.histories[deal.pk]
            deal.created_at, deal.updated_at, deal.stage_entered_at = h.created, h.updated, h.entries[-1]
            if h.closed:
                deal.closed_at = deal.status_changed_at = h.closed
        Deal.objects.bulk_update(rows, ["created_at", "updated_at", "stage_entered_at", "closed_at",
                                        "status_changed_at"], batch_size=500)
        visits = list(DealStageVisit.objects.filter(deal_id__in=self.histories).order_by("deal_id", "id"))
        index: dict[int, int] = {}
        for visit in visits:
            h = self.histories[visit.deal_id]
            n = index[visit.deal_id] = index.get(visit.deal_id, -1) + 1
            visit.entered_at = h.entries[n]
            visit.left_at = h.entries[n + 1] if n + 1 < len(h.entries) else h.closed
        DealStageVisit.objects.bulk_update(visits, ["entered_at", "left_at"], batch_size=500)
        items = list(DealChecklistItem.objects.filter(deal_id__in=self.histories))
        for item in items:
            item.done_at = self.histories[item.deal_id].ticked.get(item.rule_id, item.done_at)
        DealChecklistItem.objects.bulk_update(items, ["done_at"], batch_size=500)

    # Interactions

    def interaction_set(self) -> None:
        rng = self.rng
        kinds = [Interaction.Kind.CALL_OUT, Interaction.Kind.CALL_IN, Interaction.Kind.MEETING,
                 Interaction.Kind.EMAIL, Interaction.Kind.NOTE, Interaction.Kind.SMS]
        weights = [30, 18, 12, 25, 12, 3]
        self.logged: list[Interaction] = []
        for client in rng.sample(self.clients, int(len(self.clients) * 0.75)):
            owner = client.owner
            spans = self.deal_spans.get(client.pk, [])
            for _ in range(rng.randint(1, 7)):
                kind = rng.choices(kinds, weights)[0]
                deal = None
                if spans and rng.random() < 0.5:
                    deal, start, end = rng.choice(spans)
                    occurred = start + (end - start) * rng.random()
                else:
                    occurred = self.ago(rng.uniform(0.1, 365))
                self.log(client, owner, kind, occurred, deal)
        # Meetings already agreed for the coming weeks.
        for client in rng.sample(self.clients, min(len(self.clients), 15)):
            local = (self.now + datetime.timedelta(days=rng.randint(1, 21))).astimezone(self.zone)
            occurred = local.replace(hour=rng.choice([9, 10, 11, 14, 15]), minute=rng.choice([0, 30]), second=0,
                                     microsecond=0)
            self.log(client, client.owner, Interaction.Kind.MEETING, occurred, None,
                     logged=self.ago(rng.uniform(0.5, 10)))
        Interaction.objects.bulk_update(self.logged, ["created_at", "updated_at"], batch_size=500)

    def log(self, client: Client, owner: User, kind: str, occurred, deal, logged=None) -> None:
        rng = self.rng
        values: dict = {}
        if kind in (Interaction.Kind.CALL_IN, Interaction.Kind.CALL_OUT):
            outcome = rng.choices(list(Interaction.Outcome.values), [70, 12, 6, 10, 2])[0]
            values = {"subject": rng.choice(CALL_SUBJECTS), "outcome": outcome,
                      "duration_minutes": rng.randint(2, 35) if outcome == Interaction.Outcome.REACHED
                      else rng.randint(0, 1)}
        elif kind == Interaction.Kind.MEETING:
            values = {"subject": rng.choice(MEETING_SUBJECTS), "duration_minutes": rng.choice([30, 45, 60, 90, 120])}
        elif kind == Interaction.Kind.EMAIL:
            values = {"subject": rng.choice(EMAIL_SUBJECTS)}
        elif kind == Interaction.Kind.SMS:
            values = {"text": "Delivery confirmed for tomorrow morning."}
        else:
            values = {"text": rng.choice(NOTES)}
        contacts = list(client.contacts.all())
        interaction = interactions.log_interaction(
            by=owner, client=client, kind=kind, occurred_at=occurred, deal=deal,
            contact=rng.choice(contacts) if contacts and kind != Interaction.Kind.NOTE else None, **values)
        when = min(logged or occurred, self.clock.started)
        self.clock.settle(when)  # its audit entry; the row itself in bulk at the end of interaction_set
        interaction.created_at = interaction.updated_at = when
        self.logged.append(interaction)

    # Complaints

    def complaint_set(self) -> None:
        """Complaints in every status; some open ones past their deadline."""
        rng = self.rng
        manager = self.users["manager"]
        assignees = [self.users["manager"], self.users["rep1"], self.users["rep2"], self.users["warehouse"]]
        reference_lists.ensure_default_complaint_categories()
        plan = (["new"] * 5 + ["new_overdue"] * 3 + ["in_progress"] * 5 + ["in_progress_overdue"] * 3
                + ["resolved"] * 8 + ["rejected"] * 3)
        columns = [*TRACKED, "status_changed_at", "closed_at"]
        for status in plan:
            client = rng.choice(self.clients)
            category, severity, description = rng.choice(COMPLAINTS)
            won = [d for d, _s, _e in self.deal_spans.get(client.pk, []) if d.status == Deal.Status.WON]
            days = Complaint.DEADLINE_DAYS[severity]
            if status.endswith("overdue"):
                opened = self.ago(days + rng.uniform(1, 10))
            elif status in ("new", "in_progress"):
                opened = self.ago(rng.uniform(0.1, days * 0.8))
            else:
                opened = self.ago(rng.uniform(days + 5, 300))
            complaint = complaints.register_complaint(
                by=client.owner, client=client, category=category, severity=severity, description=description,
                deal=won[0] if won else None, assignee=rng.choice(assignees))
            qs = Complaint.objects.filter(pk=complaint.pk)
            # The deadline follows from the (simulated) opening time, as the service computes it from now.
            qs.update(deadline=Complaint.default_deadline(severity, opened))
            self.clock.settle(opened, (qs, columns))
            step = opened + datetime.timedelta(days=min(days, 2) * rng.uniform(0.2, 0.5))
            if status.startswith("in_progress") or status in ("resolved", "rejected"):
                complaint = complaints.start_complaint(complaint, by=manager)
                self.clock.settle(step, (qs, columns))
            if status in ("resolved", "rejected"):
                closed = step + datetime.timedelta(days=days * rng.uniform(0.3, 1.5))
                if status == "resolved":
                    complaints.resolve_complaint(complaint, by=manager, resolution=rng.choice(RESOLUTIONS))
                else:
                    complaints.reject_complaint(complaint, by=manager, resolution=rng.choice(REJECTIONS))
                self.clock.settle(closed, (qs, columns))

    # Tasks

    def task_set(self) -> None:
        """For each of the sales team: overdue, due today, upcoming and done tasks, most with reminders."""
        rng = self.rng
        manager = self.users["manager"]
        today = self.now.astimezone(self.zone)
        for user in self.team:
            own_deals = list(Deal.objects.filter(owner=user, status=Deal.Status.OPEN).order_by("pk"))
            own_leads = list(Lead.objects.filter(owner=user, status=Lead.Status.NEW).order_by("pk"))
            own_clients = self.clients_by_owner.get(user.pk, [])
            slots = ([("overdue", d) for d in (-6, -3, -1)] + [("today", h) for h in (9, 13, 16)]
                     + [("upcoming", d) for d in (1, 2, 4, 8)] + [("done", d) for d in (-20, -9, -4)])
            for kind, offset in slots:
                if kind == "today":
                    due = today.replace(hour=offset, minute=rng.choice([0, 30]), second=0, microsecond=0)
                else:
                    due = (today + datetime.timedelta(days=offset)).replace(
                        hour=rng.choice([9, 10, 11, 14, 15, 17]), minute=0, second=0, microsecond=0)
                link: dict = {}
                roll = rng.random()
                if roll < 0.45 and own_deals:
                    link["deal"] = rng.choice(own_deals)
                elif roll < 0.65 and own_leads:
                    link["lead"] = rng.choice(own_leads)
                elif own_clients:
                    link["client"] = rng.choice(own_clients)
                remind = due - datetime.timedelta(minutes=rng.choice([15, 30, 60, 120])) if rng.random() < 0.7 else None
                by = manager if user != manager and rng.random() < 0.25 else user
                task = tasks.create_task(
                    by=by, assignee=user, title=rng.choice(TASK_TITLES), due_at=due, remind_at=remind,
                    priority=rng.choice([Task.Priority.NORMAL] * 3 + [Task.Priority.HIGH, Task.Priority.LOW]),
                    **link)
                created = min(due, self.now) - datetime.timedelta(days=rng.uniform(1, 6))
                qs = Task.objects.filter(pk=task.pk)
                self.clock.settle(created, (qs, [*TRACKED, "completed_at"]))
                if kind == "done":
                    tasks.complete_task(task, by=user)
                    self.clock.settle(due - datetime.timedelta(hours=rng.uniform(1, 20)),
                                      (qs, ["updated_at", "completed_at"]))
        # The warehouse checks complaints about deliveries.
        for complaint in Complaint.objects.filter(status__in=complaints.OPEN_STATUSES).order_by("pk")[:3]:
            task = tasks.create_task(by=manager, assignee=self.users["warehouse"], complaint=complaint,
                                     title="Check the delivery note and photos",
                                     due_at=complaint.deadline - datetime.timedelta(hours=4))
            self.clock.settle(complaint.created_at, (Task.objects.filter(pk=task.pk), TRACKED))

    # Segments

    def segment_set(self, manager: User) -> None:
        criteria = {"status": [Client.Status.ACTIVE], "last_interaction_before": (self.now.date()
                    - datetime.timedelta(days=90)).isoformat()}
        segments.create_segment(by=manager, name="Active, not contacted for 90 days", criteria=criteria,
                                description="Active clients without an interaction in the last 90 days.")
        top = {"won_deals_min": 1, "won_amount_min": "20000", "currency": "EUR"}
        segments.create_segment(by=manager, name="Top customers", criteria=top,
                                description="Won deals worth 20,000 EUR or more in total.")
        fair = segments.create_segment(by=manager, name="LogiMAT follow-up", kind=Segment.Kind.STATIC,
                                       description="Visitors of our LogiMAT stand to invite to the open house.")
        members = list(EventAttendee.objects.filter(event=self.events[0], client__isnull=False)
                       .values_list("client_id", flat=True))
        if members:
            segments.add_members(fair, members, by=manager)
        self.clock.settle(self.ago(3), (Segment.objects.all(), TRACKED))
