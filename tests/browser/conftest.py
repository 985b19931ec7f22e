"""Browser tests: Playwright's sync API drives Debian's Chromium against pytest-django's live_server.

Never `playwright install` (no downloads here): the browser is the system's /usr/bin/chromium, which
`make test` installs (scripts/install-chromium.sh). Without it the tests fail with a message saying how
to install it. Mark each test with @pytest.mark.browser; run them alone with `pytest -m browser`.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field

import pytest

CHROMIUM = os.environ.get("TANDEM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-dev-shm-usage"]
TIMEOUT_MS = 10_000


class _OneRequestAtATime:
    """The live server's application, run by one request thread at a time. On SQLite the test database is in
    memory and every server thread shares the test's one connection; two requests at once (a picker's search
    still in flight while the next page loads) then use it together, and sqlite3 answers "bad parameter or
    other API misuse" with a 500. Threads stay (keep-alive connections are not held up); the application
    calls are taken in turn."""

    def __init__(self, application):
        self.application = application
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            return self.application(environ, start_response)


def _serialize_live_server() -> None:
    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.test.testcases import LiveServerThread

    class OneRequestAtATimeServer(ThreadedWSGIServer):
        def set_app(self, application):
            super().set_app(_OneRequestAtATime(application))

    LiveServerThread.server_class = OneRequestAtATimeServer


_serialize_live_server()


def _require_chromium() -> None:
    if os.path.exists(CHROMIUM) and os.access(CHROMIUM, os.X_OK):
        return
    message = (f"Chromium not found at {CHROMIUM}: browser tests need Debian's chromium "
               "(`make browser-deps` or `sudo apt-get install -y chromium`; never `playwright install`).")
    # Never skipped: `make test` installs Chromium, so a missing browser is a broken set-up, not a pass.
    pytest.fail(message, pytrace=False)


@pytest.fixture(scope="session")
def browser():
    _require_chromium()
    # Playwright's sync API keeps an asyncio loop running in this thread, and Django refuses ORM calls
    # while a loop runs unless told that this (single-threaded test) use is safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class PageProblems:
    """What went wrong while a page loaded: failed static files, failed requests, JavaScript errors."""

    static_failures: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    script_errors: list[str] = field(default_factory=list)
    static_loaded: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.static_failures or self.server_errors or self.script_errors)


@pytest.fixture
def page_problems() -> PageProblems:
    return PageProblems()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_call_failed = report.failed
    return report


@pytest.fixture
def browser_locale() -> str:
    """The browser's language (its Accept-Language); a test parametrizes "browser_locale" to change it."""
    return "en-US"


@pytest.fixture
def page(request, browser, live_server, page_problems, browser_locale):
    """A fresh browser tab (own cookies) whose relative URLs go to the live server.

    After the test, any static file that failed to load, any 5xx answer and any JavaScript error fails it."""
    context = browser.new_context(base_url=live_server.url, locale=browser_locale, timezone_id="Europe/Berlin")
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()

    def on_response(response):
        path = re.sub(r"^https?://[^/]+", "", response.url)
        if path.startswith("/static/"):
            (page_problems.static_failures if response.status >= 400 else page_problems.static_loaded).append(
                f"{response.status} {path}" if response.status >= 400 else path)
        elif response.status >= 500:
            page_problems.server_errors.append(f"{response.status} {response.request.method} {path}")

    tab.on("response", on_response)
    def on_request_failed(request):
        # A page left before its files arrived (the walks go on as soon as a page has loaded; under load the
        # browser may still be fetching) aborts them: not a broken file. A missing file answers 404 above.
        if "/static/" in request.url and "ERR_ABORTED" not in (request.failure or ""):
            page_problems.static_failures.append(f"failed {request.url}: {request.failure}")

    tab.on("requestfailed", on_request_failed)
    tab.on("pageerror", lambda error: page_problems.script_errors.append(str(error)))
    yield tab
    context.close()
    if getattr(request.node, "browser_call_failed", False):
        if page_problems:  # a clue for the failure above, not a second error
            print(f"problems while the pages loaded: {page_problems}")
        return
    assert not page_problems, f"problems while the pages loaded: {page_problems}"


@pytest.fixture
def login(page):
    """login(user, password) fills the real login form and submits it."""

    def do_login(username: str, password: str):
        page.goto("/account/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.locator("form button[type=submit], form input[type=submit]").first.click()
        page.wait_for_load_state()
        return page

    return do_login


@pytest.fixture
def log_in_as(page, live_server):
    """log_in_as(user): give the tab a logged-in session without the form (for tests about other pages)."""
    from django.conf import settings
    from django.test import Client as HttpClient

    def do_log_in(user):
        http = HttpClient()
        http.force_login(user)
        cookie = http.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        return page

    return do_log_in
