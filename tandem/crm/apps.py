from django.apps import AppConfig
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tandem.core import roles
from tandem.core.menu import MenuEntry


def _perms(*models: str, actions=("view", "add", "change", "delete")) -> list[str]:
    return [f"crm.{action}_{model}" for model in models for action in actions]


_WORK = ("interaction", "lead", "deal", "dealchecklistitem", "complaint", "task")
_MARKETING = ("campaign", "marketingevent", "eventattendee", "segment")
_SETUP = ("pipeline", "stage", "stagerule", "lostreason", "complaintcategory")
_TEAM = ["crm.view_all_leads", "crm.view_all_deals", "crm.view_all_tasks"]
_READ_ALL = _perms(*_WORK, *_MARKETING, *_SETUP, "salestarget", actions=("view",)) + _TEAM


# What CRM records refer to, by referenced table: {table: [(CRM table, its field), ...]}. Each blocks a hard
# delete of the referenced row (core.deletion); the row is archived instead.
DELETION_BLOCKERS = {
    "core.User": [
        ("crm.Deal", "owner"), ("crm.Lead", "owner"), ("crm.Complaint", "assignee"), ("crm.Task", "assignee"),
        ("crm.Interaction", "created_by"), ("crm.SalesTarget", "user"),
    ],
    "parties.Client": [
        ("crm.Deal", "client"), ("crm.Lead", "client"), ("crm.Interaction", "client"),
        ("crm.Complaint", "client"), ("crm.Task", "client"), ("crm.EventAttendee", "client"),
        ("crm.Segment", "members"),
    ],
    "parties.Counterparty": [("crm.Deal", "counterparty"), ("crm.Interaction", "counterparty")],
    "parties.Contact": [("crm.Deal", "contact"), ("crm.Interaction", "contact"), ("crm.EventAttendee", "contact")],
    "parties.Source": [
        ("crm.Campaign", "source"), ("crm.MarketingEvent", "source"), ("crm.Lead", "source"),
        ("crm.Deal", "source"), ("crm.Interaction", "source"),
    ],
    "crm.Campaign": [("crm.Lead", "campaign"), ("crm.Deal", "campaign"), ("crm.MarketingEvent", "campaign")],
    "crm.MarketingEvent": [("crm.Lead", "event"), ("crm.Deal", "event")],
    "crm.Pipeline": [("crm.Deal", "stage__pipeline")],  # a deal is in its stage's pipeline
    "crm.Stage": [("crm.Deal", "stage"), ("crm.DealStageVisit", "stage")],
    "crm.StageRule": [("crm.DealChecklistItem", "rule")],  # a ticked item keeps its rule (archived instead)
    "crm.LostReason": [("crm.Deal", "lost_reason")],
    "crm.ComplaintCategory": [("crm.Complaint", "category")],
}


class CrmConfig(AppConfig):
    name = "tandem.crm"
    label = "crm"
    verbose_name = _("CRM")

    module_key = "crm"
    module_requires = ("parties",)
    url_prefixes = ("/crm/", "/api/v1/crm/")
    menu = [
        MenuEntry(_("My day"), "crm:my-day", "crm.view_task"),
        MenuEntry(_("Leads"), "crm:lead-list", "crm.view_lead"),
        MenuEntry(_("Deals"), "crm:deal-board", "crm.view_deal"),
        MenuEntry(_("Complaints"), "crm:complaint-list", "crm.view_complaint"),
        MenuEntry(_("Marketing"), "crm:campaign-list", "crm.view_campaign"),
        MenuEntry(_("Segments"), "crm:segment-list", "crm.view_segment"),
        MenuEntry(_("Sales targets"), "crm:target-list", "crm.change_salestarget"),
    ]
    settings_menu = [
        MenuEntry(_("Lost reasons"), "crm:lost-reason-settings", "crm.change_lostreason"),
        MenuEntry(_("Complaint categories"), "crm:complaint-category-settings", "crm.change_complaintcategory"),
    ]
    role_permissions = {
        roles.ADMINISTRATOR: _perms(*_WORK, *_MARKETING, *_SETUP, "salestarget") + _TEAM,
        roles.SALES_MANAGER: _perms(*_WORK, *_MARKETING, *_SETUP, "salestarget") + _TEAM,
        # Own leads, deals, tasks only (record rules in crm.queries); reads marketing and set-up.
        roles.SALES_REPRESENTATIVE: _perms(*_WORK, actions=("view", "add", "change"))
        + _perms(*_MARKETING, *_SETUP, actions=("view",)) + ["crm.add_eventattendee", "crm.view_salestarget"],
        roles.WAREHOUSE: _perms("complaint", actions=("view",)) + _perms("task", actions=("view", "change")),
        roles.ACCOUNTANT: _perms("deal", "complaint", actions=("view",)) + ["crm.view_all_deals"],
        roles.PRODUCTION: _perms("complaint", actions=("view",)) + _perms("task", actions=("view", "change")),
        roles.VIEWER: _READ_ALL,
    }

    def ready(self):
        from tandem.core import audit  # models are not loaded when this module is
        from tandem.core.deletion import register_blocker
        from tandem.crm.audit_actions import ACTIONS, CHANGE_LABELS, SENTENCES
        from tandem.crm.models import StageRule
        from tandem.crm.segments import describe_criteria

        audit.register_actions(ACTIONS)
        audit.register_sentences(SENTENCES)
        for model_label, labels in CHANGE_LABELS.items():
            audit.register_change_labels(model_label, labels)
        kinds = dict(StageRule.Kind.choices)
        audit.register_value_formatter("crm.pipeline", "kind", lambda value: kinds.get(value, value))
        audit.register_value_formatter(
            "crm.segment", "criteria",
            lambda value: "; ".join(f"{label}: {text}" for label, text in describe_criteria(value))
            if isinstance(value, dict) else value)
        for model, references in DELETION_BLOCKERS.items():
            for related_model, field in references:
                register_blocker(model, related_model, field)

        # Audit entries and timeline items about CRM records follow the same record rules as the records.
        from tandem.core import visibility as registry
        from tandem.crm.models import Complaint, Deal, Interaction, Lead, Task
        from tandem.crm.queries import visibility

        registry.register(Lead, visibility.visible_leads, sees_all=lambda u: u.has_perm("crm.view_all_leads"))
        registry.register(Deal, visibility.visible_deals, sees_all=lambda u: u.has_perm("crm.view_all_deals"))
        registry.register(Task, visibility.visible_tasks, sees_all=lambda u: u.has_perm("crm.view_all_tasks"))
        registry.register(Interaction, visibility.visible_interactions)
        registry.register(Complaint, visibility.visible_complaints)
        from tandem.crm.models import SalesTarget
        from tandem.crm.queries.targets import visible_targets

        registry.register(SalesTarget, visible_targets, sees_all=lambda u: u.has_perm("crm.view_all_deals"))

    def client_card_panels(self, request, client) -> list[dict]:
        """The client card's sections: the client's deals with totals and open tasks (shown open), and the
        timeline of interactions, deals, complaints, tasks and changes with quick add (folded)."""
        from tandem.crm.views.client_card import client_card_panels

        return client_card_panels(request, client)

    def client_card_actions(self, request, client) -> list[dict]:
        """Buttons on the client card: new deal, task, call, meeting, SMS, email (each prefilled with the client)."""
        from tandem.crm.views.client_card import client_card_actions

        return client_card_actions(request, client)

    def home_sections(self, request) -> list[dict]:
        """The home page's sales dashboard: the team's for a manager, the user's own for a representative."""
        from tandem.crm.views.dashboard import home_sections  # models are not loaded when this module is

        return home_sections(request)

    def load_demo_data(self, seed: int, scale: float = 1.0) -> list[str]:
        """`tandem demo` (parties' load_demo) calls this hook: load the CRM demo data; lines to print."""
        from tandem.crm.demo import build_crm_demo  # models are not loaded when this module is

        return build_crm_demo(seed=seed, scale=scale).lines()

    def shell_widgets(self, request) -> list[str]:
        """A bell in the header of every page: the count of due task reminders (polled every 60 s) and,
        opened, their list with a dismiss button each."""
        user = getattr(request, "user", None)
        if not user or not user.is_authenticated or not user.has_perm("crm.view_task"):
            return []
        return [format_html(
            '<div id="crm-reminders" class="reminders" aria-live="polite" aria-label="{}" hx-get="{}" '
            'hx-trigger="load, every 60s" hx-swap="innerHTML"></div>',
            gettext("Reminders"), reverse("crm:reminders"),
        )]
