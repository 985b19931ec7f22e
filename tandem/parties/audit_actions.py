"""The audit vocabulary of clients: action codes in words ("<who> changed the counterparty")."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "parties.client.created": _("created the client"),
    "parties.client.updated": _("changed the client"),
    "parties.client.deleted": _("deleted the client"),
    "parties.counterparty.created": _("added a counterparty"),
    "parties.counterparty.updated": _("changed the counterparty"),
    "parties.counterparty.deleted": _("deleted the counterparty"),
    "parties.bankaccount.created": _("added a bank account"),
    "parties.bankaccount.deleted": _("deleted a bank account"),
    "parties.contact.created": _("added a contact person"),
    "parties.contact.updated": _("changed the contact person"),
    "parties.contact.deleted": _("deleted the contact person"),
    "parties.source.created": _("created a source"),
}

PHONE_FIELDS = {"parties.client": ("phone",), "parties.contact": ("phone", "mobile_phone"),
                "parties.counterparty": ("phone",)}
