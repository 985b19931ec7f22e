"""htmx conventions shared by every app: telling an htmx request from a page load, marking views that
answer only fragments, and choosing where to send a user next (a page of this site, never a fragment).

    @fragment           # the URL answers a piece of a page (polled or swapped in by htmx)
    def reminders(request): ...

A fragment URL must never become a `next` target: after the login or the two-factor step the user
would land on a bare piece of HTML."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme

# Paths that are not pages a user could ask to return to.
NOT_PAGE_PREFIXES = ("/api/", "/static/", "/favicon.ico", "/healthz", "/account/logout/", "/i18n/")


def is_htmx(request) -> bool:
    """An htmx request that wants a fragment (a history restore wants the whole page). django-htmx's
    middleware parses the htmx headers into `request.htmx`."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def fragment(view):
    """Mark a view whose URL answers only a fragment of a page."""
    view.tandem_fragment = True
    return view


def is_page_path(path: str) -> bool:
    """True if `path` (path and query of this site) is a page: it resolves and is no fragment."""
    path = urlsplit(path).path
    if not path.startswith("/") or path.startswith(NOT_PAGE_PREFIXES):
        return False
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return not getattr(match.func, "tandem_fragment", False)


def safe_next_url(request, target: str | None, default: str) -> str:
    """`target` if it is a page of this site (same host, no fragment URL), else `default`."""
    if not target:
        return default
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        return default
    parts = urlsplit(target)
    if parts.netloc:  # an absolute URL of this host: keep only path and query
        target = parts.path + (f"?{parts.query}" if parts.query else "")
    return target if is_page_path(target) else default


def current_page_url(request) -> str | None:
    """The page an htmx request was sent from (its HX-Current-URL), as a path, if it is a page of this site."""
    current = request.headers.get("HX-Current-URL")
    if not current:
        return None
    safe = safe_next_url(request, current, "")
    return safe or None
