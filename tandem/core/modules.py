"""Module switches.

Every domain app stays installed and migrated; its AppConfig declares

    module_key = "parties"          # the switch
    module_requires = ()            # keys that must stay on while this one is on
    url_prefixes = ("/clients/", "/api/v1/clients")  # answered with 404 while off
    menu = [MenuEntry(...)]         # shown in the shell while on

Off means: menu hidden, URLs and API routes 404, data kept.
"""

from __future__ import annotations

from django.apps import AppConfig, apps
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from tandem.core import audit, caching
from tandem.core.errors import BusinessRuleError
from tandem.core.models import ModuleSetting


def registered_modules() -> dict[str, AppConfig]:
    return {cfg.module_key: cfg for cfg in apps.get_app_configs() if getattr(cfg, "module_key", None)}


def switched_off_keys() -> frozenset[str]:
    """Keys switched off on the Modules page (cached; a saved ModuleSetting forgets the cache)."""
    return caching.remember(
        caching.MODULES_OFF_KEY,
        lambda: frozenset(ModuleSetting.objects.filter(enabled=False).values_list("key", flat=True)),
    )


def enabled_module_keys() -> set[str]:
    modules = registered_modules()
    off = set(settings.TANDEM_DISABLED_MODULES)
    off |= switched_off_keys()
    on = set(modules) - off
    # A module required by an enabled module stays on, transitively.
    changed = True
    while changed:
        needed = {req for key in on for req in getattr(modules[key], "module_requires", ())} - on
        changed = bool(needed & set(modules))
        on |= needed & set(modules)
    return on


def disabled_url_prefixes(enabled: set[str] | None = None) -> list[str]:
    enabled = enabled_module_keys() if enabled is None else enabled
    return [
        prefix
        for key, cfg in registered_modules().items()
        if key not in enabled
        for prefix in getattr(cfg, "url_prefixes", ())
    ]


def set_module_enabled(key: str, enabled: bool, *, by) -> ModuleSetting:
    modules = registered_modules()
    if key not in modules:
        raise BusinessRuleError("unknown_module", _("There is no module “%(key)s”.") % {"key": key}, field="key")
    if not enabled:
        dependants = [
            other for other in enabled_module_keys()
            if key in getattr(modules[other], "module_requires", ()) and other != key
        ]
        if dependants:
            raise BusinessRuleError(
                "module_required",
                _("Module “%(key)s” is required by enabled modules: %(modules)s.") % {
                    "key": key, "modules": ", ".join(sorted(dependants))},
                field="key",
            )
    with transaction.atomic():
        setting, _created = ModuleSetting.objects.select_for_update().get_or_create(key=key)
        old = setting.enabled
        setting.enabled = enabled
        setting.save(update_fields=["enabled"])
        audit.record(setting, "core.module.switched", by=by, changes={"enabled": [old, enabled]})
    return setting


def collect(hook: str, *args, enabled: set[str] | None = None) -> list:
    """Results of an optional AppConfig hook across enabled modules, in app order.

    How a lower app shows what upper apps contribute without naming them (e.g. `home_summary(user)`,
    `client_card_panels(request, client)`): each hook returns a list, and the lists are joined."""
    enabled = enabled_module_keys() if enabled is None else enabled
    results: list = []
    for key, cfg in registered_modules().items():
        method = getattr(cfg, hook, None)
        if key in enabled and callable(method):
            results.extend(method(*args))
    return results
