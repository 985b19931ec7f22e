from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from tandem.core import roles
from tandem.core.menu import MenuEntry

_READ = ["parties.view_client", "parties.view_counterparty", "parties.view_contact", "parties.view_source",
         "parties.view_tag", "parties.view_all_clients"]
_WRITE = ["parties.add_client", "parties.change_client", "parties.add_counterparty", "parties.change_counterparty",
          "parties.add_contact", "parties.change_contact", "parties.delete_contact", "parties.add_tag"]
_DELETE = ["parties.delete_client", "parties.delete_counterparty"]
_LOOKUPS = ["parties.add_source", "parties.change_source", "parties.delete_source", "parties.change_tag",
            "parties.delete_tag"]


class PartiesConfig(AppConfig):
    name = "tandem.parties"
    label = "parties"
    verbose_name = _("Clients")

    module_key = "parties"
    module_requires = ()
    url_prefixes = ("/clients/", "/search/", "/settings/sources/", "/settings/tags/", "/api/v1/clients",
                    "/api/v1/counterparties", "/api/v1/contacts", "/api/v1/search", "/api/v1/sources",
                    "/api/v1/tags")
    menu = [MenuEntry(_("Clients"), "parties:client-list", "parties.view_client")]
    search_url_name = "parties:search"
    settings_menu = [
        MenuEntry(_("Sources"), "parties:source-settings", "parties.change_source"),
        MenuEntry(_("Tags"), "parties:tag-settings", "parties.change_tag"),
    ]
    role_permissions = {
        roles.ADMINISTRATOR: _READ + _WRITE + _DELETE + _LOOKUPS,
        roles.SALES_MANAGER: _READ + _WRITE + _DELETE + _LOOKUPS,
        # No view_all_clients: a representative sees own clients only (record rule in parties.queries).
        roles.SALES_REPRESENTATIVE: [p for p in _READ if p != "parties.view_all_clients"] + _WRITE,
        roles.WAREHOUSE: _READ,
        roles.ACCOUNTANT: _READ + ["parties.add_counterparty", "parties.change_counterparty"],
        roles.PRODUCTION: _READ,
        roles.VIEWER: _READ,
    }

    def ready(self):
        # Imported here: an AppConfig module is loaded before models are ready.
        from tandem.core import audit
        from tandem.core.deletion import register_blocker
        from tandem.parties.audit_actions import ACTIONS, PHONE_FIELDS, SENTENCES
        from tandem.parties.phones import format_phone

        audit.register_actions(ACTIONS)
        audit.register_sentences(SENTENCES)
        for model_label, fields in PHONE_FIELDS.items():
            for field_name in fields:
                audit.register_value_formatter(model_label, field_name, format_phone)
        # References parties holds to rows of core and of its own lookups: they block a hard delete.
        register_blocker("core.User", "parties.Client", "owner")
        register_blocker("parties.Source", "parties.Client", "first_source")
        register_blocker("parties.Tag", "parties.Client", "tags")

        from tandem.core import visibility
        from tandem.parties import queries
        from tandem.parties.models import Client, Contact, Counterparty

        sees_all = queries.can_see_all_clients
        visibility.register(Client, queries.visible_clients, sees_all=sees_all)
        visibility.register(Counterparty, queries.visible_counterparties, sees_all=sees_all)
        visibility.register(Contact, queries.visible_contacts, sees_all=sees_all)

    def home_summary(self, user) -> list[dict]:
        """Cards on the home page: the clients this user can see."""
        # Imported here: an AppConfig module is loaded before models are ready.
        from django.urls import reverse

        from tandem.parties.queries import visible_clients

        if not user.has_perm("parties.view_client"):
            return []
        return [{"label": _("Clients"), "count": visible_clients(user).count(), "url": reverse("parties:client-list")}]
