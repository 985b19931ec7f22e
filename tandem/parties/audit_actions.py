"""The audit vocabulary of clients: action codes in words ("<who> changed the counterparty")."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "parties.client.created": _("created the client"),
    "parties.client.updated": _("changed the client"),
    "parties.client.deleted": _("deleted the client"),
    "parties.client.archived": _("archived the client"),
    "parties.client.restored": _("restored the client from the archive"),
    "parties.counterparty.created": _("added a counterparty"),
    "parties.counterparty.updated": _("changed the counterparty"),
    "parties.counterparty.deleted": _("deleted the counterparty"),
    "parties.counterparty.archived": _("archived the counterparty"),
    "parties.counterparty.restored": _("restored the counterparty from the archive"),
    "parties.bankaccount.created": _("added a bank account"),
    "parties.bankaccount.deleted": _("deleted a bank account"),
    "parties.contact.created": _("added a contact person"),
    "parties.contact.updated": _("changed the contact person"),
    "parties.contact.deleted": _("deleted the contact person"),
    "parties.contact.archived": _("archived the contact person"),
    "parties.contact.restored": _("restored the contact person from the archive"),
    "parties.source.created": _("created a source"),
    "parties.source.archived": _("archived the source"),
    "parties.source.restored": _("restored the source from the archive"),
    "parties.source.deleted": _("deleted the source"),
    "parties.source.updated": _("changed the source"),
    "parties.tag.renamed": _("renamed the tag"),
    "parties.tag.deleted": _("deleted the tag"),
}

PHONE_FIELDS = {"parties.client": ("phone",), "parties.contact": ("phone", "mobile_phone"),
                "parties.counterparty": ("phone",)}

# Whole sentences (core.audit.register_sentences): the change they say is not listed again.
SENTENCES = {
    "parties.counterparty.updated": ("valid_to", _("marked the counterparty valid until %(new)s")),
}
