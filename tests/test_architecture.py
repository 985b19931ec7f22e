"""The import contract (pyproject.toml [tool.importlinter]) covers every app and holds.

Adding an app package under tandem/ without placing it on the ladder of docs/architecture.md fails here."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TANDEM = ROOT / "tandem"
# Project glue under tandem/ that is not an app.
NOT_APPS = {"templates", "static", "locale", "__pycache__"}
LADDER = ["core", "parties", "catalog", "documents", "comms", "finance", "stock", "stock_accounting", "crm", "sales",
          "purchasing", "production", "planning", "projects", "hr", "analytics"]


def _contracts() -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    return {c["id"]: c for c in config["contracts"]}


def _layers() -> list[list[tuple[str, bool]]]:
    """Layers top to bottom, each a list of (app, optional)."""
    layers = []
    for layer in _contracts()["ladder"]["layers"]:
        names = [name.strip() for name in re.split(r"[|:]", layer)]
        layers.append([(name.strip("()"), name.startswith("(")) for name in names])
    return layers


def app_packages() -> set[str]:
    return {p.name for p in TANDEM.iterdir() if p.is_dir() and (p / "__init__.py").exists()} - NOT_APPS


def test_every_app_package_is_on_the_ladder():
    placed = {name for layer in _layers() for name, _optional in layer}
    missing = sorted(app_packages() - placed)
    assert not missing, f"Place these apps in the layers contract of pyproject.toml: {missing}"


def test_apps_that_exist_are_not_marked_optional():
    optional_but_present = sorted(name for layer in _layers() for name, optional in layer
                                  if optional and name in app_packages())
    assert not optional_but_present, f"Drop the parentheses around: {optional_but_present}"


def test_the_ladder_keeps_the_documented_order_and_is_exhaustive():
    order = [name for layer in reversed(_layers()) for name, _optional in layer]
    assert order == LADDER
    assert _contracts()["ladder"]["exhaustive"] is True


def test_no_app_may_import_another_apps_entry_points():
    contract = _contracts()["entry-points"]
    assert contract["source_modules"] == ["tandem.*"]
    assert set(contract["forbidden_modules"]) == {"tandem.*.views", "tandem.*.api", "tandem.*.forms"}


def test_the_contracts_hold():
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports; "
                               "sys.exit(lint_imports(no_cache=True, no_logo=True))"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
