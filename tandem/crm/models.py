"""CRM: leads, deals through pipeline stages with rules, interactions, attribution, complaints,
segments, tasks. Clients, counterparties, contacts and sources come from parties."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tandem.core import limits
from tandem.core.db_functions import SecondsBetween
from tandem.core.models import AMOUNT, ArchivableModel, TrackedModel, amount_in_range, validate_currency

# --- Attribution ------------------------------------------------------------------------------------

class Campaign(ArchivableModel, TrackedModel):
    """A marketing campaign; leads and deals carry the campaign that brought them."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    source = models.ForeignKey("parties.Source", verbose_name=_("source"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="campaigns")
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    cost = models.DecimalField(_("cost"), default=0, **AMOUNT)
    currency = models.CharField(_("currency"), max_length=3, default="EUR", validators=[validate_currency])

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [amount_in_range("cost", "campaign_cost_range")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        """Offered in pickers: not archived (the API's `is_active` reads this)."""
        return not self.is_archived


class MarketingEvent(TrackedModel):
    """An exhibition, seminar or similar event: its cost and who attended."""

    class Kind(models.TextChoices):
        EXHIBITION = "exhibition", _("Exhibition")
        SEMINAR = "seminar", _("Seminar")
        WEBINAR = "webinar", _("Webinar")
        CONFERENCE = "conference", _("Conference")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.EXHIBITION)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    cost = models.DecimalField(_("cost"), default=0, **AMOUNT)
    currency = models.CharField(_("currency"), max_length=3, default="EUR", validators=[validate_currency])
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("responsible"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="events")
    source = models.ForeignKey("parties.Source", verbose_name=_("source"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="events")

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("marketing event")
        verbose_name_plural = _("marketing events")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                                   name="marketing_event_period"),
            amount_in_range("cost", "marketing_event_cost_range"),
        ]

    def __str__(self) -> str:
        return self.name


class EventAttendee(models.Model):
    event = models.ForeignKey(MarketingEvent, on_delete=models.CASCADE, related_name="attendees")
    client = models.ForeignKey("parties.Client", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="event_attendances")
    lead = models.ForeignKey("crm.Lead", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="event_attendances")
    contact = models.ForeignKey("parties.Contact", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(client__isnull=False) | Q(lead__isnull=False),
                                   name="attendee_is_client_or_lead"),
            models.UniqueConstraint(fields=["event", "client"], condition=Q(client__isnull=False),
                                    name="attendee_client_once"),
            models.UniqueConstraint(fields=["event", "lead"], condition=Q(lead__isnull=False),
                                    name="attendee_lead_once"),
        ]

    def __str__(self) -> str:
        return f"{self.client or self.lead} @ {self.event}"


# --- Leads ------------------------------------------------------------------------------------------

class Lead(TrackedModel):
    """Unqualified interest. Qualifying links or creates a client and opens a deal."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        QUALIFIED = "qualified", _("Qualified")
        DISQUALIFIED = "disqualified", _("Disqualified")

    TRANSITIONS = {
        Status.NEW: {Status.QUALIFIED, Status.DISQUALIFIED},
        Status.QUALIFIED: set(),
        Status.DISQUALIFIED: {Status.NEW},
    }

    name = models.CharField(_("contact name"), max_length=200)
    company_name = models.CharField(_("company"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, db_index=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="owned_leads")
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.NEW,
                              db_index=True)
    source = models.ForeignKey("parties.Source", verbose_name=_("source"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="leads")
    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="leads")
    event = models.ForeignKey(MarketingEvent, verbose_name=_("marketing event"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="leads")
    notes = models.TextField(_("notes"), blank=True)
    disqualify_reason = models.TextField(_("disqualification reason"), blank=True)
    client = models.ForeignKey("parties.Client", verbose_name=_("client"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="leads")
    deal = models.OneToOneField("crm.Deal", verbose_name=_("deal"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="lead")
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        permissions = [("view_all_leads", _("Can see leads of other owners"))]
        indexes = [  # the lead list newest first, all and a representative's own
            models.Index(fields=["created_at", "id"], name="lead_newest"),
            models.Index(fields=["owner", "created_at", "id"], name="lead_owner_newest"),
        ]

    def __str__(self) -> str:
        return self.company_name or self.name

    def can_qualify(self) -> bool:
        return self.Status.QUALIFIED in self.TRANSITIONS[self.status]

    def can_disqualify(self) -> bool:
        return self.Status.DISQUALIFIED in self.TRANSITIONS[self.status]


# --- Pipelines and deals ----------------------------------------------------------------------------

class Pipeline(ArchivableModel):
    class WinRules(models.TextChoices):
        """Which stage rules must be met before a deal of the pipeline may be won."""

        REMAINING = "remaining", _("Its stage and every later stage")
        CURRENT = "current", _("Its current stage only")

    name = models.CharField(_("name"), max_length=100)
    is_default = models.BooleanField(_("default"), default=False)
    win_rules = models.CharField(_("rules checked when a deal is won"), max_length=10, choices=WinRules.choices,
                                 default=WinRules.REMAINING)

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        constraints = [
            models.UniqueConstraint(Lower("name"), name="pipeline_name_unique_ci",
                                    violation_error_message=_("A pipeline with this name exists already.")),
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="pipeline_one_default",
                                    violation_error_message=_("Another pipeline is the default already.")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        """Offered for new deals: not archived (the API's `is_active` reads this)."""
        return not self.is_archived


class Stage(ArchivableModel):
    """An ordered step of a pipeline. Its rules must be met before a deal may leave it."""

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"))
    probability = models.PositiveSmallIntegerField(_("probability, %"), default=10)
    # A deal staying longer than this many days in the stage is marked on the board (empty: no limit).
    max_days = models.PositiveSmallIntegerField(_("days allowed in stage"), null=True, blank=True)

    class Meta:
        ordering = ["pipeline", "position"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "position"], name="stage_position_unique"),
            models.CheckConstraint(condition=Q(probability__lte=100), name="stage_probability_percent"),
        ]

    def __str__(self) -> str:
        return self.name


class StageRule(ArchivableModel):
    """What must be done before a deal may leave a stage: a checklist item, or a field that must be filled.

    An archived rule no longer holds deals back and is not shown on checklists; the ticks that name it stay."""

    class Kind(models.TextChoices):
        CHECKLIST = "checklist", _("Checklist item")
        REQUIRED_FIELD = "required_field", _("Required field")

    # Deal fields a rule may require, with their labels.
    REQUIRABLE_FIELDS = {
        "amount": _("Amount"),
        "counterparty": _("Counterparty"),
        "expected_close_date": _("Expected close date"),
        "contact": _("Contact person"),
        "source": _("Source"),
    }

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    label = models.CharField(_("label"), max_length=200, blank=True)
    field_name = models.CharField(_("field"), max_length=40, blank=True,
                                  choices=[(k, v) for k, v in REQUIRABLE_FIELDS.items()])
    position = models.PositiveSmallIntegerField(default=0)
    # A checklist item only people of this role (a group) may tick or untick; empty: anyone who may change the deal.
    required_role = models.ForeignKey("auth.Group", verbose_name=_("only ticked by"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["stage", "position", "id"]
        verbose_name = _("stage rule")
        verbose_name_plural = _("stage rules")

    def __str__(self) -> str:
        if self.kind == self.Kind.REQUIRED_FIELD:
            return str(self.REQUIRABLE_FIELDS.get(self.field_name, self.field_name))
        return self.label

    def may_tick(self, user, group_ids: set[int] | None = None) -> bool:
        """Whether `user` may tick or untick this checklist item (its role, if it names one).
        `group_ids`: the user's group ids when already read (a checklist asks for every item)."""
        if self.required_role_id is None or user.is_superuser:
            return True
        if group_ids is None:
            return user.groups.filter(pk=self.required_role_id).exists()
        return self.required_role_id in group_ids

    def tick_refusal(self) -> str:
        """Why someone outside the item's role may not tick it (the API's 403 message, the checkbox's hint)."""
        return gettext("Only a %(role)s may tick “%(rule)s”.") % {"role": self.required_role.name,
                                                                   "rule": self.label}


class LostReason(models.Model):
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("lost reason")
        verbose_name_plural = _("lost reasons")
        constraints = [
            models.UniqueConstraint(Lower("name"), name="lost_reason_name_unique_ci",
                                    violation_error_message=_("A lost reason with this name exists already.")),
        ]

    def __str__(self) -> str:
        return self.name


class Deal(TrackedModel):
    """A sales opportunity, opened early (amount may be unknown) and led through a pipeline's stages.

    Its pipeline is its stage's pipeline (`deal.pipeline`): there is no second column that could disagree.
    `version` counts changes; an edit based on an older version is refused (crm.services.deals)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    TRANSITIONS = {
        Status.OPEN: {Status.WON, Status.LOST},
        Status.WON: {Status.OPEN},
        Status.LOST: {Status.OPEN},
    }

    title = models.CharField(_("title"), max_length=200)
    client = models.ForeignKey("parties.Client", verbose_name=_("client"), on_delete=models.PROTECT,
                               related_name="deals")
    counterparty = models.ForeignKey("parties.Counterparty", verbose_name=_("counterparty"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="deals")
    contact = models.ForeignKey("parties.Contact", verbose_name=_("contact person"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="deals")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="owned_deals")
    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="deals")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    amount = models.DecimalField(_("amount"), null=True, blank=True, **AMOUNT)
    currency = models.CharField(_("currency"), max_length=3, default="EUR", validators=[validate_currency])
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    source = models.ForeignKey("parties.Source", verbose_name=_("source"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="deals")
    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="deals")
    event = models.ForeignKey(MarketingEvent, verbose_name=_("marketing event"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="deals")
    lost_reason = models.ForeignKey(LostReason, verbose_name=_("lost reason"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="deals")
    lost_note = models.TextField(_("lost note"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    stage_entered_at = models.DateTimeField(_("in stage since"))
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        permissions = [("view_all_deals", _("Can see deals of other owners"))]
        indexes = [
            # The board: newest open cards per stage, and per-stage counts and sums read from the index alone.
            models.Index(fields=["status", "stage", "created_at", "id"], name="deal_board_cards"),
            models.Index(fields=["status", "stage", "currency", "amount"], name="deal_board_totals"),
            # A representative's board (own open cards per stage) and own deal list, newest first.
            models.Index(fields=["owner", "status", "stage", "created_at", "id"], name="deal_owner_board"),
            models.Index(fields=["owner", "created_at", "id"], name="deal_owner_newest"),
            models.Index(fields=["status", "closed_at"]),
            # The deal list newest first (all, and filtered by status) stops after one page.
            models.Index(fields=["created_at", "id"], name="deal_newest"),
            models.Index(fields=["status", "created_at", "id"], name="deal_status_newest"),
            # Segments: a client's won deals counted and summed per currency from the index alone.
            models.Index(fields=["client", "status", "currency", "amount"], name="deal_client_status_amount"),
        ]
        constraints = [amount_in_range("amount", "deal_amount_range", nullable=True)]

    def __str__(self) -> str:
        return self.title

    @property
    def pipeline(self) -> Pipeline:
        return self.stage.pipeline

    @property
    def pipeline_id(self) -> int:
        return self.stage.pipeline_id

    def can_move(self) -> bool:
        return self.status == self.Status.OPEN

    def can_win(self) -> bool:
        return self.Status.WON in self.TRANSITIONS[self.status]

    def can_lose(self) -> bool:
        return self.Status.LOST in self.TRANSITIONS[self.status]

    def can_reopen(self) -> bool:
        return self.Status.OPEN in self.TRANSITIONS[self.status]


class DealChecklistItem(models.Model):
    """A checklist rule ticked (or not) for one deal."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="checklist")
    rule = models.ForeignKey(StageRule, on_delete=models.CASCADE, related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["deal", "rule"], name="checklist_item_once")]

    def __str__(self) -> str:
        return f"{self.rule}: {'done' if self.done_at else 'open'}"


class DealStageVisit(models.Model):
    """A deal's stay in a stage: entered, left (null while there). Reports read stage times from this."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_visits")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="visits")
    entered_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    # Seconds spent in the stage, kept by the database itself; reports average it without date arithmetic.
    duration_seconds = models.GeneratedField(
        expression=SecondsBetween(models.F("left_at"), models.F("entered_at")),
        output_field=models.FloatField(null=True), db_persist=True,
    )

    class Meta:
        ordering = ["entered_at", "id"]
        indexes = [
            # The lost-at-stage report's average time per stage, read from the index alone.
            models.Index(fields=["stage", "left_at", "duration_seconds", "deal"], name="visit_stage_durations"),
            # The manager's home page: deals each representative moved this week (not all their moves ever).
            models.Index(fields=["entered_by", "entered_at"], name="visit_entered_by_at"),
        ]
        constraints = [
            # A deal is in one stage at a time: at most one visit without an end.
            models.UniqueConstraint(fields=["deal"], condition=Q(left_at__isnull=True), name="stage_visit_one_open",
                                    violation_error_message=_("The deal was moved at the same time; reload it.")),
        ]

    def __str__(self) -> str:
        return f"{self.deal} in {self.stage}"


# --- Interactions -----------------------------------------------------------------------------------

class Interaction(TrackedModel):
    """A contact with a client: meeting, call, SMS, email or note, on the client's timeline."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        CALL_IN = "call_in", _("Incoming call")
        CALL_OUT = "call_out", _("Outgoing call")
        SMS = "sms", _("SMS")
        EMAIL = "email", _("Email")
        NOTE = "note", _("Note")

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached")
        NO_ANSWER = "no_answer", _("No answer")
        BUSY = "busy", _("Busy")
        VOICEMAIL = "voicemail", _("Voicemail")
        WRONG_NUMBER = "wrong_number", _("Wrong number")

    client = models.ForeignKey("parties.Client", verbose_name=_("client"), on_delete=models.CASCADE,
                               related_name="interactions")
    contact = models.ForeignKey("parties.Contact", verbose_name=_("contact person"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="interactions")
    counterparty = models.ForeignKey("parties.Counterparty", verbose_name=_("counterparty"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="interactions")
    deal = models.ForeignKey(Deal, verbose_name=_("deal"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="interactions")
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("when"), db_index=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    text = models.TextField(_("text"), blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration, minutes"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=15, choices=Outcome.choices, blank=True)
    # Meetings only: where, and who took part (besides the contact person).
    place = models.CharField(_("place"), max_length=200, blank=True)
    attendees = models.CharField(_("attendees"), max_length=500, blank=True)
    source = models.ForeignKey("parties.Source", verbose_name=_("source / channel"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="interactions")

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        indexes = [
            models.Index(fields=["client", "-occurred_at"]),
            # The manager's home page: calls and meetings each representative logged this week (index only).
            models.Index(fields=["created_by", "occurred_at", "kind"], name="interaction_author_time"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(duration_minutes__isnull=True)
                                   | Q(duration_minutes__lte=limits.MAX_DURATION_MINUTES),
                                   name="interaction_duration_range",
                                   violation_error_message=lazy(limits.duration_message, str)()),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject or self.text[:40]}"


# --- Complaints -------------------------------------------------------------------------------------

class ComplaintCategory(ArchivableModel):
    """What a complaint is about: a reference list managed on a settings page. Archived categories stay on
    the complaints that name them but are not offered for new ones."""

    # The fixed values categories had before they became rows; the API still accepts them on input.
    FORMER_CODES = {
        "quality": _("Product quality"), "delivery": _("Delivery"), "billing": _("Billing"),
        "service": _("Service"), "other": _("Other"),
    }

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=20, blank=True, default="",
                            help_text=_("A short stable key for integrations; optional."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=~Q(code=""), name="complaintcategory_code_unique"),
            models.UniqueConstraint(Lower("name"), name="complaint_category_name_unique_ci",
                                    violation_error_message=_("A complaint category with this name exists already.")),
        ]

    def __str__(self) -> str:
        return self.name


class Complaint(TrackedModel):
    class Severity(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")
        CRITICAL = "critical", _("Critical")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_PROGRESS = "in_progress", _("In progress")
        RESOLVED = "resolved", _("Resolved")
        REJECTED = "rejected", _("Rejected")

    TRANSITIONS = {
        Status.NEW: {Status.IN_PROGRESS, Status.RESOLVED, Status.REJECTED},
        Status.IN_PROGRESS: {Status.RESOLVED, Status.REJECTED},
        Status.RESOLVED: {Status.IN_PROGRESS},
        Status.REJECTED: {Status.IN_PROGRESS},
    }
    # Days to handle a complaint, by severity: the deadline when none is given.
    DEADLINE_DAYS = {Severity.CRITICAL: 1, Severity.HIGH: 3, Severity.MEDIUM: 7, Severity.LOW: 14}

    client = models.ForeignKey("parties.Client", verbose_name=_("client"), on_delete=models.CASCADE,
                               related_name="complaints")
    deal = models.ForeignKey(Deal, verbose_name=_("deal"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="complaints")
    category = models.ForeignKey(ComplaintCategory, verbose_name=_("category"), on_delete=models.PROTECT,
                                 related_name="complaints")
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    description = models.TextField(_("description"))
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), on_delete=models.PROTECT,
                                 related_name="assigned_complaints")
    deadline = models.DateTimeField(_("deadline"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW,
                              db_index=True)
    resolution = models.TextField(_("resolution"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        # The complaint list (page and API) in its order, keys first: no sort of every complaint.
        indexes = [models.Index(fields=["deadline", "id"], name="complaint_deadline")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.category}"

    @classmethod
    def default_deadline(cls, severity: str, opened_at: datetime.datetime) -> datetime.datetime:
        return opened_at + datetime.timedelta(days=cls.DEADLINE_DAYS[severity])

    def is_overdue(self, now: datetime.datetime) -> bool:
        return self.status in (self.Status.NEW, self.Status.IN_PROGRESS) and self.deadline < now

    def can_start(self) -> bool:
        return self.Status.IN_PROGRESS in self.TRANSITIONS[self.status]

    def can_resolve(self) -> bool:
        return self.Status.RESOLVED in self.TRANSITIONS[self.status]

    def can_reject(self) -> bool:
        return self.Status.REJECTED in self.TRANSITIONS[self.status]


# --- Segments ---------------------------------------------------------------------------------------

class Segment(TrackedModel):
    """A named set of clients: by saved criteria evaluated live (rule), or a hand-picked group (static)."""

    class Kind(models.TextChoices):
        RULE = "rule", _("By criteria")
        STATIC = "static", _("Static group")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.RULE)
    # Criteria of a rule segment, checked by crm.segments (keys: status, kind, owner_id, tags, source_id,
    # last_interaction_before/after, won_deals_min, won_amount_min, ...).
    criteria = models.JSONField(_("criteria"), default=dict, blank=True)
    members = models.ManyToManyField("parties.Client", verbose_name=_("members"), blank=True,
                                     related_name="static_segments")
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")

    def __str__(self) -> str:
        return self.name


# --- Tasks ------------------------------------------------------------------------------------------

class Task(TrackedModel):
    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    TRANSITIONS = {
        Status.OPEN: {Status.DONE, Status.CANCELLED},
        Status.DONE: {Status.OPEN},
        Status.CANCELLED: {Status.OPEN},
    }

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), on_delete=models.PROTECT,
                                 related_name="crm_tasks")
    due_at = models.DateTimeField(_("due"), db_index=True)
    remind_at = models.DateTimeField(_("remind at"), null=True, blank=True)
    reminder_dismissed_at = models.DateTimeField(null=True, blank=True)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    # The record the task is about (at most one of each; all optional).
    client = models.ForeignKey("parties.Client", verbose_name=_("client"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="tasks")
    deal = models.ForeignKey(Deal, verbose_name=_("deal"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="tasks")
    lead = models.ForeignKey(Lead, verbose_name=_("lead"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="tasks")
    complaint = models.ForeignKey(Complaint, verbose_name=_("complaint"), null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="tasks")

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        permissions = [("view_all_tasks", _("Can see tasks of other users"))]
        indexes = [models.Index(fields=["assignee", "status", "due_at"])]

    def __str__(self) -> str:
        return self.title


class CalendarFeed(models.Model):
    """A user's private iCalendar feed address (a calendar app cannot log in, so the URL carries a secret)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Calendar of {self.user}"


# --- Sales targets ----------------------------------------------------------------------------------

class SalesTarget(TrackedModel):
    """What a representative should win in one month, in the company's base currency (set by a manager)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("representative"), on_delete=models.CASCADE,
                             related_name="sales_targets")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    amount = models.DecimalField(_("target"), **AMOUNT)
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])

    class Meta:
        ordering = ["-month", "user_id"]
        verbose_name = _("sales target")
        verbose_name_plural = _("sales targets")
        constraints = [
            models.UniqueConstraint(fields=["user", "month"], name="sales_target_once_per_month"),
            amount_in_range("amount", "sales_target_range"),
            models.CheckConstraint(condition=Q(month__day=1), name="sales_target_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.month:%Y-%m}: {self.amount} {self.currency}"
