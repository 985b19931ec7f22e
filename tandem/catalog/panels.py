"""Sections of the product page that other apps contribute, without the catalogue naming them.

An upper app registers, in its AppConfig.ready():

    from tandem.catalog import panels
    panels.register("stock-per-warehouse", _("Stock per warehouse"), render_stock, module="stock", order=10)

`render(request, product)` returns HTML (a str, already escaped/marked safe), a dict of context for
`template`, or None to hide the section for this product or user. Sections show in `order`; `module` hides
the section while that module is off. Stock registers "stock per warehouse" and "moves"; sales "quotes and
orders"; the catalogue itself registers "prices" and "variants"."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe


@dataclass(frozen=True)
class ProductPanel:
    key: str
    title: str
    render: Callable
    module: str | None = None
    order: int = 100
    open: bool = True
    template: str | None = None


_PANELS: dict[str, ProductPanel] = {}


def register(key: str, title, render: Callable, *, module: str | None = None, order: int = 100, open: bool = True,
             template: str | None = None) -> None:
    """Add (or replace, by key) a section of the product page."""
    _PANELS[key] = ProductPanel(key, title, render, module, order, open, template)


def unregister(key: str) -> None:
    _PANELS.pop(key, None)


def registered() -> list[ProductPanel]:
    return sorted(_PANELS.values(), key=lambda p: (p.order, p.key))


def panels_for(request, product, *, enabled: set[str] | None = None) -> list[dict]:
    """The sections to show: [{id, title, html, open}] for the modules switched on."""
    if enabled is None:
        from tandem.core.modules import enabled_module_keys

        enabled = getattr(request, "enabled_modules", None) or enabled_module_keys()
    shown = []
    for panel in registered():
        if panel.module and panel.module not in enabled:
            continue
        result = panel.render(request, product)
        if result is None:
            continue
        if isinstance(result, dict):
            html = render_to_string(panel.template, {**result, "product": product}, request=request)
        else:
            html = result
        shown.append({"id": f"panel-{panel.key}", "title": panel.title, "html": mark_safe(html), "open": panel.open})
    return shown
