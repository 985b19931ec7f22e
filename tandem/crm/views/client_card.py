"""What the CRM adds to the client card (parties' page, through the `client_card_panels` and
`client_card_actions` hooks): the client's deals with totals, open tasks, the timeline, and buttons that start
a deal, a task or an interaction of each kind for the client."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.crm.models import Deal, Interaction, Task
from tandem.crm.queries.deals import client_deals
from tandem.crm.queries.visibility import visible_deals, visible_tasks
from tandem.crm.views.interactions import timeline_panel_html

TASKS_SHOWN = 20


def client_card_panels(request, client) -> list[dict]:
    """[{id, title, html, count, open}] in the order the card shows them."""
    user = request.user
    panels = []
    if user.has_perm("crm.view_deal"):
        summary = client_deals(visible_deals(user), client)
        panels.append({"id": "deals", "title": _("Deals"), "count": summary["count"], "open": True,
                       "html": render_to_string("crm/partials/_client_deals.html",
                                                {"client": client, **summary}, request=request)})
    if user.has_perm("crm.view_task"):
        # The ids of the client's tasks and of its deals' tasks (UNION ALL, each from its own index), not
        # `client = X OR deal.client = X`: with the OR both SQLite and PostgreSQL walked every task in due
        # order (~60-150 ms at 50,000 tasks).
        of_client = Task.objects.filter(client=client).values("pk").union(
            Task.objects.filter(deal__in=Deal.objects.filter(client=client).values("pk")).values("pk"), all=True)
        tasks = (visible_tasks(user).filter(pk__in=of_client, status=Task.Status.OPEN)
                 .select_related("assignee", "deal").order_by("due_at", "id"))
        shown = list(tasks[:TASKS_SHOWN])
        count = len(shown) if len(shown) < TASKS_SHOWN else tasks.count()
        panels.append({"id": "open-tasks", "title": _("Open tasks"), "count": count, "open": True,
                       "html": render_to_string("crm/partials/_client_tasks.html",
                                                {"client": client, "tasks": shown, "count": count,
                                                 "now": timezone.now()}, request=request)})
    if user.has_perm("crm.view_interaction"):
        panels.append({"id": "timeline", "title": _("Timeline"), "open": False,
                       "html": timeline_panel_html(request, client)})
    return panels


def client_card_actions(request, client) -> list[dict]:
    """[{key, label, url, primary}]: the first is the card's primary action."""
    user = request.user
    actions = []
    back = f"&next={reverse('parties:client-detail', args=[client.pk])}"
    if client.is_archived:
        return actions
    if user.has_perm("crm.add_deal"):
        actions.append({"key": "deal", "label": _("New deal"), "primary": True,
                        "url": f"{reverse('crm:deal-create')}?client={client.pk}"})
    if user.has_perm("crm.add_task"):
        actions.append({"key": "task", "label": _("Task"),
                        "url": f"{reverse('crm:task-create')}?client={client.pk}{back}"})
    if user.has_perm("crm.add_interaction"):
        create = reverse("crm:interaction-create", args=[client.pk])
        for key, kind, label in (("call", Interaction.Kind.CALL_OUT, _("Call")),
                                 ("meeting", Interaction.Kind.MEETING, _("Meeting")),
                                 ("sms", Interaction.Kind.SMS, _("SMS")),
                                 ("email", Interaction.Kind.EMAIL, _("Email"))):
            actions.append({"key": key, "label": label, "url": f"{create}?kind={kind}"})
    return actions
