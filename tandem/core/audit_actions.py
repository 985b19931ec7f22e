"""Core's audit vocabulary: its action codes in words ("<who> changed the company settings")."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "core.apitoken.created": _("created an API token"),
    "core.apitoken.revoked": _("revoked an API token"),
    "core.company.updated": _("changed the company settings"),
    "core.module.switched": _("switched a module on or off"),
    "core.rolepolicy.updated": _("changed a role's policy"),
    "core.user.created": _("created the user"),
    "core.user.updated": _("changed the profile"),
    "core.user.two_factor_enabled": _("turned on two-factor authentication"),
    "core.user.two_factor_disabled": _("turned off two-factor authentication"),
    "core.user.deactivated": _("deactivated the user"),
    "core.user.reactivated": _("reactivated the user"),
    "core.user.deleted": _("deleted the user"),
    "core.user.password_reset": _("reset the user's password"),
}

CHANGE_LABELS = {
    "core.user": {"device": _("Authenticator"), "roles": _("Roles"), "generated": _("Password generated"),
                  "revoked_tokens": _("API tokens revoked")},
}
