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
    "core.user.password_changed": _("changed the password"),
    "core.user.password_reset": _("reset the user's password"),
    "core.user.roles_changed": _("changed the user's roles"),
    "core.user.permissions_changed": _("changed the user's permissions"),
    "core.auth.login_failed": _("failed to sign in"),
    "core.auth.login_succeeded": _("signed in"),
    "core.group.created": _("created a role"),
    "core.group.updated": _("changed a role"),
    "core.group.deleted": _("deleted a role"),
    "core.group.permissions_changed": _("changed a role's permissions"),
    "core.legalentity.created": _("added the legal entity"),
    "core.legalentity.updated": _("changed the legal entity"),
    "core.legalentity.bank_account_added": _("added a bank account"),
    "core.legalentity.bank_account_removed": _("removed a bank account"),
    "core.exchangerate.created": _("recorded an exchange rate"),
}

CHANGE_LABELS = {
    "core.user": {"device": _("Authenticator"), "ip": _("Address"), "groups": _("Roles"),
                  "user_permissions": _("Permissions"), "roles": _("Roles"),
                  "generated": _("Password generated"), "revoked_tokens": _("API tokens revoked")},
    "core.loginthrottle": {"username": _("Username"), "ip": _("Address")},
    "core.apitoken": {"reason": _("Reason")},
}
