"""The CRM's audit vocabulary: action codes in words ("<who> moved the deal to another stage"), including
the status changes core.workflow.transition records as <app>.<model>.<new status>."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    # Leads
    "crm.lead.created": _("created the lead"),
    "crm.lead.updated": _("changed the lead"),
    "crm.lead.qualified": _("qualified the lead"),
    "crm.lead.disqualified": _("disqualified the lead"),
    "crm.lead.new": _("reopened the lead"),
    # Deals
    "crm.deal.created": _("opened the deal"),
    "crm.deal.changed": _("changed the deal"),
    "crm.deal.moved": _("moved the deal to another stage"),
    "crm.deal.checklist": _("updated the deal's checklist"),
    "crm.deal.won": _("won the deal"),
    "crm.deal.lost": _("lost the deal"),
    "crm.deal.open": _("reopened the deal"),
    # Pipelines
    "crm.pipeline.created": _("created the pipeline"),
    "crm.pipeline.stage_added": _("added a stage to the pipeline"),
    "crm.pipeline.rule_added": _("added a stage rule"),
    "crm.pipeline.rule_changed": _("changed who may tick a checklist item"),
    "crm.pipeline.changed": _("changed the pipeline's settings"),
    "crm.pipeline.archived": _("archived the pipeline"),
    "crm.pipeline.restored": _("restored the pipeline from the archive"),
    "crm.pipeline.deleted": _("deleted the pipeline"),
    "crm.stage.updated": _("changed the stage"),
    "crm.stage.archived": _("archived the stage"),
    "crm.stage.restored": _("restored the stage from the archive"),
    "crm.stage.moved": _("moved the stage in the pipeline"),
    "crm.pipeline.rule_renamed": _("renamed a checklist item"),
    "crm.stagerule.archived": _("archived a stage rule"),
    "crm.stagerule.restored": _("restored a stage rule from the archive"),
    "crm.stagerule.deleted": _("removed a stage rule"),
    "crm.lostreason.created": _("added a lost reason"),
    "crm.lostreason.renamed": _("renamed the lost reason"),
    "crm.lostreason.deactivated": _("stopped offering the lost reason"),
    "crm.lostreason.reactivated": _("offered the lost reason again"),
    "crm.complaintcategory.created": _("added a complaint category"),
    "crm.complaintcategory.updated": _("changed the complaint category"),
    "crm.complaintcategory.archived": _("archived the complaint category"),
    "crm.complaintcategory.restored": _("restored the complaint category from the archive"),
    # Interactions, complaints, tasks
    "crm.interaction.created": _("logged an interaction"),
    "crm.interaction.updated": _("changed the interaction"),
    "crm.interaction.deleted": _("deleted the interaction"),
    "crm.complaint.created": _("registered the complaint"),
    "crm.complaint.updated": _("changed the complaint"),
    "crm.complaint.in_progress": _("started work on the complaint"),
    "crm.complaint.resolved": _("resolved the complaint"),
    "crm.complaint.rejected": _("rejected the complaint"),
    "crm.task.created": _("planned the task"),
    "crm.task.changed": _("changed the task"),
    "crm.task.deleted": _("deleted the task"),
    "crm.task.done": _("completed the task"),
    "crm.task.cancelled": _("cancelled the task"),
    "crm.task.open": _("reopened the task"),
    "crm.calendarfeed.regenerated": _("issued a new calendar feed link"),
    # Sales targets
    "crm.salestarget.set": _("set the monthly sales target"),
    "crm.salestarget.deleted": _("removed the monthly sales target"),
    # Marketing
    "crm.campaign.created": _("created the campaign"),
    "crm.campaign.updated": _("changed the campaign"),
    "crm.campaign.archived": _("archived the campaign"),
    "crm.campaign.restored": _("restored the campaign from the archive"),
    "crm.campaign.deleted": _("deleted the campaign"),
    "crm.marketingevent.created": _("created the marketing event"),
    "crm.marketingevent.updated": _("changed the marketing event"),
    "crm.eventattendee.added": _("added an attendee to the event"),
    "crm.eventattendee.removed": _("removed an attendee from the event"),
    "crm.segment.created": _("created the segment"),
    "crm.segment.changed": _("changed the segment"),
    "crm.segment.deleted": _("deleted the segment"),
    "crm.segment.members_added": _("added clients to the segment"),
    "crm.segment.member_removed": _("removed a client from the segment"),
}

# Change keys that are not fields of the audited model (None: not shown; "forward" is said by the sentence).
CHANGE_LABELS = {
    "crm.deal": {"forward": None},
    "crm.pipeline": {"stage": _("Stage"), "rule": _("Rule"), "kind": _("Kind of rule"),
                     "probability": _("Probability, %"), "role": _("Only ticked by"),
                     "max_days": _("Days allowed in stage")},
    "crm.stagerule": {"rule": _("Rule")},
}


def _checklist_sentence(changes: dict):
    """One ticked or unticked checklist item as a sentence; several stay a list."""
    items = [(key, value) for key, value in changes.items() if isinstance(value, list) and len(value) == 2]
    if len(items) != 1:
        return None
    item, (_old, new) = items[0]
    if new:
        return _("ticked “%(item)s” on the deal's checklist") % {"item": item}, {item}
    return _("unticked “%(item)s” on the deal's checklist") % {"item": item}, {item}


# Whole sentences (core.audit.register_sentences): the change they say is not listed again.
SENTENCES = {
    "crm.deal.moved": ("stage", _("moved the deal from %(old)s to %(new)s")),
    "crm.deal.checklist": _checklist_sentence,
}
