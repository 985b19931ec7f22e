"""Content-Security-Policy: sent on every page, and no template carries what it forbids (inline scripts,
event handler attributes, hx-on handlers, style attributes, <style> elements). The browser suite
(tests/browser/test_content_security_policy.py) checks the pages for reported violations."""

import re
from pathlib import Path

from django.conf import settings

import tandem

FORBIDDEN = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "hx-on handler": re.compile(r"\s(?:hx|data-hx)-on[:-]", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "<style> element": re.compile(r"<style[\s>]", re.I),
}


def test_no_template_needs_inline_script_or_style():
    problems = []
    for template in Path(tandem.__file__).parent.rglob("templates/**/*.html"):
        text = template.read_text()
        for what, pattern in FORBIDDEN.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{template.relative_to(Path(tandem.__file__).parent)}:{line}: {what}")
    assert problems == []


def test_policy_allows_only_own_scripts_and_styles(client, sales_rep):
    client.force_login(sales_rep)
    policy = client.get("/").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert settings.SECURE_CSP["script-src"] == ["'self'"]


def test_api_docs_and_login_page_carry_the_policy(client, sales_rep):
    assert "script-src 'self'" in client.get("/account/login/").headers["Content-Security-Policy"]
    client.force_login(sales_rep)
    assert "script-src 'self'" in client.get("/api/v1/docs").headers["Content-Security-Policy"]
