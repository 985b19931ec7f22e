"""Back-office for the CRM. Pipeline set-up (stages, rules, lost reasons) is edited here as well as on
/crm/pipelines/; business records (deals, leads, interactions, complaints, tasks) are read-only because
their writes go through crm.services (stage rules, audit, stage visits)."""

from django.contrib import admin

from tandem.core.admin import ReadOnlyAdmin, ReferencedDeleteAdminMixin
from tandem.crm.models import (
    Campaign,
    Complaint,
    Deal,
    Interaction,
    Lead,
    LostReason,
    MarketingEvent,
    Pipeline,
    Segment,
    Stage,
    StageRule,
    Task,
)


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0
    fields = ("position", "name", "probability")
    show_change_link = True


@admin.register(Pipeline)
class PipelineAdmin(ReferencedDeleteAdminMixin, admin.ModelAdmin):
    list_display = ("name", "is_default", "is_archived")
    list_filter = ("is_archived",)
    inlines = [StageInline]


class StageRuleInline(admin.TabularInline):
    model = StageRule
    extra = 0
    fields = ("position", "kind", "label", "field_name")


@admin.register(Stage)
class StageAdmin(ReferencedDeleteAdminMixin, admin.ModelAdmin):
    list_display = ("name", "pipeline", "position", "probability", "is_archived")
    list_filter = ("pipeline",)
    inlines = [StageRuleInline]


@admin.register(LostReason)
class LostReasonAdmin(ReferencedDeleteAdminMixin, admin.ModelAdmin):
    list_display = ("name", "is_active")


@admin.register(Deal)
class DealAdmin(ReadOnlyAdmin):
    list_display = ("title", "client", "pipeline", "stage", "status", "amount", "currency", "owner")
    list_filter = ("pipeline", "status")
    list_select_related = ("client", "pipeline", "stage", "owner")
    search_fields = ("title", "client__name")


@admin.register(Lead)
class LeadAdmin(ReadOnlyAdmin):
    list_display = ("name", "company_name", "status", "source", "owner")
    list_filter = ("status",)
    list_select_related = ("source", "owner")


@admin.register(Interaction)
class InteractionAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "kind", "client", "subject")
    list_filter = ("kind",)
    list_select_related = ("client",)


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ("id", "client", "category", "severity", "status", "deadline", "assignee")
    list_filter = ("status", "severity")
    list_select_related = ("client", "assignee")


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ("title", "assignee", "due_at", "status", "priority")
    list_filter = ("status", "priority")
    list_select_related = ("assignee",)


@admin.register(Campaign, MarketingEvent, Segment)
class MarketingAdmin(ReadOnlyAdmin):
    pass
