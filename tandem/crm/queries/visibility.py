"""Record rules of the CRM, shared by the web UI and the API.

Without team visibility (view_all_leads / view_all_deals / view_all_tasks) a user sees only the leads and
deals they own and the tasks assigned to or created by them. Interactions and complaints follow the
client: visible when the client is (parties.queries.visible_clients)."""

from django.db.models import Q, QuerySet

from tandem.crm.models import Complaint, Deal, Interaction, Lead, Task
from tandem.parties.queries import can_see_all_clients, visible_clients


def visible_leads(user) -> QuerySet[Lead]:
    if not user.is_authenticated or not user.has_perm("crm.view_lead"):
        return Lead.objects.none()
    qs = Lead.objects.all()
    return qs if user.has_perm("crm.view_all_leads") else qs.filter(owner=user)


def visible_deals(user) -> QuerySet[Deal]:
    if not user.is_authenticated or not user.has_perm("crm.view_deal"):
        return Deal.objects.none()
    qs = Deal.objects.all()
    return qs if user.has_perm("crm.view_all_deals") else qs.filter(owner=user)


def visible_tasks(user) -> QuerySet[Task]:
    if not user.is_authenticated or not user.has_perm("crm.view_task"):
        return Task.objects.none()
    qs = Task.objects.all()
    return qs if user.has_perm("crm.view_all_tasks") else qs.filter(Q(assignee=user) | Q(created_by=user))


def visible_interactions(user) -> QuerySet[Interaction]:
    if not user.is_authenticated or not user.has_perm("crm.view_interaction"):
        return Interaction.objects.none()
    if can_see_all_clients(user) and user.has_perm("parties.view_client"):
        return Interaction.objects.all()  # no `client IN (all clients)`: it keeps the lists in index order
    return Interaction.objects.filter(client__in=visible_clients(user).values("pk"))


def visible_complaints(user) -> QuerySet[Complaint]:
    if not user.is_authenticated or not user.has_perm("crm.view_complaint"):
        return Complaint.objects.none()
    if can_see_all_clients(user) and user.has_perm("parties.view_client"):
        return Complaint.objects.all()
    return Complaint.objects.filter(Q(client__in=visible_clients(user).values("pk")) | Q(assignee=user))

