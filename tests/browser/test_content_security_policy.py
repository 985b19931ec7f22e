"""The Content-Security-Policy allows only our own scripts and styles: every main page loads (and its htmx
parts run) without a single CSP violation — no inline <script>, event handler attribute, style attribute or
<style> element left in a template, and nothing injected by htmx or the API docs."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from tandem.core import roles
from tandem.crm.services import deals as deal_services
from tandem.crm.services import segments as segment_services
from tandem.crm.services import tasks as task_services
from tandem.crm.services.complaints import register_complaint
from tandem.crm.tests.factories_activity import ComplaintCategoryFactory
from tandem.crm.tests.factories_marketing import LeadFactory
from tandem.parties import services as party_services

pytestmark = pytest.mark.browser

# Collected in the page before any of its own scripts run.
LISTEN_FOR_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
                              " at " + (e.sourceFile || location.pathname) + ":" + e.lineNumber);
});
"""


@pytest.fixture
def records(make_user):
    deal_services.ensure_default_pipeline()
    boss = make_user(roles.ADMINISTRATOR, username="boss", is_staff=True, is_superuser=True)
    boss.groups.add(Group.objects.get(name=roles.SALES_MANAGER))  # owns the client and deal: owners are sales users
    client = party_services.create_client(by=boss, name="Acme Pumps", email="info@acme.example")
    deal = deal_services.create_deal(by=boss, client=client, title="Pumps", amount=Decimal("1200"), currency="EUR")
    task_services.create_task(by=boss, title="Call Acme", due_at=timezone.now() + datetime.timedelta(hours=2),
                              client=client, deal=deal)
    # The data migration's category rows are gone once a live-server test has flushed the database.
    complaint = register_complaint(by=boss, client=client, category=ComplaintCategoryFactory(),
                                   description="Leaking seal")
    lead = LeadFactory(owner=boss)
    segment = segment_services.create_segment(by=boss, name="Active", criteria={"status": ["active"]})
    return {"boss": boss, "client": client, "deal": deal, "complaint": complaint, "lead": lead,
            "segment": segment}


def test_main_pages_load_without_csp_violations(page, log_in_as, records, live_server):
    console_refusals = []
    page.on("console", lambda msg: console_refusals.append(msg.text) if "Refused to" in msg.text else None)
    page.add_init_script(LISTEN_FOR_VIOLATIONS)
    log_in_as(records["boss"])

    paths = [
        "/", "/clients/", f"/clients/{records['client'].pk}/",
        "/crm/deals/", f"/crm/deals/{records['deal'].pk}/", "/crm/deals/list/", "/crm/deals/new/",
        "/crm/leads/", f"/crm/leads/{records['lead'].pk}/",
        "/crm/complaints/", f"/crm/complaints/{records['complaint'].pk}/",
        "/crm/my-day/", "/crm/tasks/", "/crm/segments/", f"/crm/segments/{records['segment'].pk}/",
        "/crm/interactions/", "/crm/targets/",
        "/settings/company/", "/settings/roles/", "/settings/modules/",
        "/settings/users/", "/settings/users/new/", f"/settings/users/{records['boss'].pk}/",
        "/settings/sources/", "/settings/tags/",
        "/crm/settings/lost-reasons/", "/crm/settings/complaint-categories/",
        "/account/profile/", "/account/tokens/", "/account/password/", "/account/two-factor/",
        "/api/v1/docs", "/admin/", f"/admin/core/user/{records['boss'].pk}/change/",
    ]
    violations = {}
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, path
        assert "content-security-policy" in response.headers, path
        page.wait_for_load_state("networkidle")
        found = page.evaluate("window.__cspViolations")
        if found:
            violations[path] = found
    assert violations == {}
    assert console_refusals == []


def test_policy_forbids_inline_script_and_style(page, log_in_as, records):
    log_in_as(records["boss"])
    response = page.goto("/")
    policy = response.headers["content-security-policy"]
    for directive in ("script-src 'self'", "style-src 'self'", "object-src 'none'", "base-uri 'self'",
                      "frame-ancestors 'none'"):
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_htmx_and_page_behaviours_still_work_under_the_policy(page, log_in_as, records):
    """htmx (with its indicator styles off) and the behaviours moved out of inline handlers run."""
    page.add_init_script(LISTEN_FOR_VIOLATIONS)
    log_in_as(records["boss"])
    page.goto(f"/clients/{records['client'].pk}/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.htmx.config.includeIndicatorStyles") is False
    assert page.evaluate("document.querySelectorAll('head style').length") == 0

    # An inline form opened by htmx: Cancel removes it (was an hx-on handler, now core/tandem.js).
    page.get_by_role("button", name="Add contact person").click()
    form = page.locator("#contacts-form-slot form")
    form.wait_for()
    # A form with errors (400) is swapped in, not dropped (was hx-on:htmx:before-swap).
    form.evaluate("f => { f.noValidate = true; }")  # let the server answer 400 with its form errors
    form.locator("button[type=submit]").click()
    expect(page.locator("#contacts .errorlist").first).to_be_visible()
    page.locator("#contacts form").get_by_role("button", name="Cancel").click()
    expect(page.locator("#contacts form")).to_have_count(0)
    assert page.url.endswith(f"/clients/{records['client'].pk}/")

    # The pipeline picker on the board submits on change (was an onchange attribute).
    other = deal_services.create_pipeline(by=records["boss"], name="Service", stages=[{"name": "New"}])
    page.goto("/crm/deals/")
    page.select_option("select[name=pipeline]", str(other.pk))
    page.wait_for_url(f"**/crm/deals/?pipeline={other.pk}")
    assert page.evaluate("window.__cspViolations") == []
