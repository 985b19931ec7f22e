"""Every audit action code the code base writes has words registered (core.audit.register_actions)."""

import re
from pathlib import Path

from django.apps import apps

from tandem.core import audit

TANDEM = Path(__file__).resolve().parent.parent / "tandem"
CALL = re.compile(r"audit\.record\(")
LITERAL_CODE = re.compile(r"audit\.record\(\s*[^,()]+(?:\([^()]*\))?\s*,\s*\"([a-z0-9_]+\.[a-z0-9_]+\.[a-z0-9_]+)\"")
# The one place that builds codes: core.workflow.transition writes <app>.<model>.<new status>.
DYNAMIC = {TANDEM / "core" / "workflow.py"}


def _sources():
    for path in TANDEM.rglob("*.py"):
        if "tests" not in path.parts and "migrations" not in path.parts:
            yield path, path.read_text(encoding="utf-8")


def written_codes() -> set[str]:
    codes = set()
    for path, text in _sources():
        found = LITERAL_CODE.findall(text)
        if path not in DYNAMIC:
            assert len(found) == len(CALL.findall(text)), f"{path}: an audit.record() call without a literal code"
        codes.update(found)
    for model in apps.get_models():
        for targets in getattr(model, "TRANSITIONS", {}).values():
            codes.update(f"{model._meta.app_label}.{model._meta.model_name}.{to}" for to in targets)
    return codes


def test_the_scan_finds_the_codes():
    codes = written_codes()
    assert {"crm.deal.moved", "parties.client.created", "core.module.switched", "crm.deal.won"} <= codes


def test_every_written_audit_code_is_registered():
    missing = sorted(written_codes() - set(audit.registered_actions()))
    assert not missing, f"Register these audit codes with a label (core.audit.register_actions): {missing}"


def test_registered_labels_are_translatable_words():
    for code, label in audit.registered_actions().items():
        assert type(label).__name__ == "__proxy__", f"{code}: use gettext_lazy for its label"
        assert str(label) and str(label) != code
