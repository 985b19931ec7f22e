from django.urls import reverse
from django.utils.translation import gettext as _

from tandem.core import modules


def shell(request):
    """Menu of enabled modules the user may open (one group per module, each with its pages), the global
    search box, the account menu."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    step = getattr(request, "two_factor_step", None)
    if step:
        # Before the second login step: no menu, search, account pages or widgets (a widget that polls
        # would meet the step's redirect and reload the page under the user's fingers).
        return {"two_factor_step": step, "shell_widgets": [], "menu": [], "search_url": None, "account_menu": [],
                "settings_menu": []}
    enabled = getattr(request, "enabled_modules", None)
    if enabled is None:
        enabled = modules.enabled_module_keys()
    menu, search_url = [], None
    # Settings pages: users in core, reference lists each module declares (AppConfig.settings_menu).
    settings_menu = []
    if user.has_perm("core.change_user"):
        settings_menu.append({"label": _("Users"), "url": reverse("core:user-list"), "key": "core"})
    for key, cfg in modules.registered_modules().items():
        if key not in enabled:
            continue
        entries = [{"label": entry.label, "url": reverse(entry.url_name), "key": key}
                   for entry in getattr(cfg, "menu", ())
                   if entry.permission is None or user.has_perm(entry.permission)]
        # A small module may put its pages into another module's group (AppConfig.menu_group: that module's key,
        # e.g. the stock bridge's reconciliation under Finance) so the bar does not grow by one group per module.
        host = next((group for group in menu if group["key"] == getattr(cfg, "menu_group", None)), None)
        if entries and host is not None:
            host["items"].extend(entries)
        elif entries:
            # A module with several pages is one group (a dropdown on wide screens): the bar stays one line
            # with a dozen modules on.
            menu.append({"label": cfg.verbose_name, "key": key, "items": entries})
        for entry in getattr(cfg, "settings_menu", ()):
            if entry.permission is None or user.has_perm(entry.permission):
                settings_menu.append({"label": entry.label, "url": reverse(entry.url_name), "key": key})
        if search_url is None and getattr(cfg, "search_url_name", None):
            search_url = reverse(cfg.search_url_name)
    account_menu = [
        {"label": _("Profile and language"), "url": reverse("core:profile")},
        {"label": _("Password"), "url": reverse("core:password-change")},
        {"label": _("Two-factor authentication"), "url": reverse("core:two-factor-setup")},
        {"label": _("API tokens"), "url": reverse("core:token-list")},
    ]
    if user.has_perm("core.change_company"):
        account_menu.append({"label": _("Company settings"), "url": reverse("core:company-settings")})
        account_menu.append({"label": _("Roles"), "url": reverse("core:role-list")})
    if user.has_perm("core.view_legalentity"):
        account_menu.append({"label": _("Legal entities"), "url": reverse("core:legal-entity-list")})
    if user.has_perm("core.view_exchangerate"):
        account_menu.append({"label": _("Exchange rates"), "url": reverse("core:exchange-rate-list")})
    if user.has_perm("core.change_modulesetting"):
        account_menu.append({"label": _("Modules"), "url": reverse("core:module-list")})
    account_menu.extend({"label": entry["label"], "url": entry["url"]} for entry in settings_menu)
    return {
        # Markup other modules put into every page (e.g. the CRM's reminder poller): shell_widgets(request).
        "shell_widgets": modules.collect("shell_widgets", request, enabled=enabled),
        "menu": menu,
        "search_url": search_url,
        "search_query": request.GET.get("q", "") if search_url and request.path == search_url else "",
        "account_menu": account_menu,
        "settings_menu": settings_menu,
    }
