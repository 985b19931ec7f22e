"""Every audit action code the code base writes has words registered (core.audit.register_actions)."""

import re
from pathlib import Path

from django.apps import apps

from tandem.core import audit
from tandem.core.models import ArchivableModel

TANDEM = Path(__file__).resolve().parent.parent / "tandem"
CALL = re.compile(r"audit\.record\(")
CODE = re.compile(r"\"([a-z0-9_]+\.[a-z0-9_]+\.[a-z0-9_]+)\"")
# The places that build codes: core.workflow.transition writes <app>.<model>.<new status>, core.archive
# <app>.<model>.archived/restored, core.deletion <app>.<model>.deleted (or the action it is given),
# core.reference_lists.rename_entry the action it is given (`action="…"`, found below).
DYNAMIC = {TANDEM / "core" / "workflow.py", TANDEM / "core" / "archive.py", TANDEM / "core" / "deletion.py",
           TANDEM / "core" / "reference_lists.py"}
DELETE_SERVICE = re.compile(r"^def delete_([a-z_]+)\(.*?(?=^def |\Z)", re.S | re.M)
ACTION_ARGUMENT = re.compile(r"\baction=\"([a-z0-9_]+\.[a-z0-9_]+\.[a-z0-9_]+)\"")


def _sources():
    for path in TANDEM.rglob("*.py"):
        if "tests" not in path.parts and "migrations" not in path.parts:
            yield path, path.read_text(encoding="utf-8")


def written_codes() -> set[str]:
    codes = set()
    for path, text in _sources():
        for call in CALL.finditer(text):
            # The action is the second argument: every code-shaped literal before `by=`.
            found = CODE.findall(text[call.end():text.find("by=", call.end())])
            assert found or path in DYNAMIC, f"{path}: an audit.record() call without a literal code"
            codes.update(found)
        codes.update(ACTION_ARGUMENT.findall(text))
        # A delete_<model> service deleting through core.deletion writes <app>.<model>.deleted.
        app = path.relative_to(TANDEM).parts[0]
        for match in DELETE_SERVICE.finditer(text):
            if "deletion.delete(" in match.group(0) and "action=" not in match.group(0):
                codes.add(f"{app}.{match.group(1)}.deleted")
    for model in apps.get_models():
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        for targets in getattr(model, "TRANSITIONS", {}).values():
            codes.update(f"{label}.{to}" for to in targets)
        if issubclass(model, ArchivableModel):
            codes.update({f"{label}.archived", f"{label}.restored"})
    return codes


def test_the_scan_finds_the_codes():
    codes = written_codes()
    assert {"crm.deal.moved", "parties.client.created", "core.module.switched", "crm.deal.won",
            "parties.client.archived", "crm.pipeline.restored", "parties.source.deleted", "core.user.deleted"} <= codes


def test_every_written_audit_code_is_registered():
    missing = sorted(written_codes() - set(audit.registered_actions()))
    assert not missing, f"Register these audit codes with a label (core.audit.register_actions): {missing}"


def test_registered_labels_are_translatable_words():
    for code, label in audit.registered_actions().items():
        assert type(label).__name__ == "__proxy__", f"{code}: use gettext_lazy for its label"
        assert str(label) and str(label) != code
