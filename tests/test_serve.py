"""`tandem serve`: gunicorn in production (debug off), Django's development server only in debug."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.test import override_settings

from tandem import cli

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while True:
        try:
            return urllib.request.urlopen(url, timeout=2)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_serve_runs_gunicorn_with_static_files_in_production(tmp_path):
    port = free_port()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("TANDEM_", "DJANGO_")) and key != "DATABASE_URL"}
    env |= {
        "TANDEM_SECRET_KEY": "serve-test-secret",
        "TANDEM_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'tandem.sqlite3'}",
        "TANDEM_WORKERS": "2",
        "PYTHONPATH": str(REPO),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "tandem.cli", "serve", f"127.0.0.1:{port}"],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        response = wait_for(f"http://127.0.0.1:{port}/healthz")
        assert response.status == 200
        assert response.headers["Server"].startswith("gunicorn")
        assert b'"status": "ok"' in response.read()
        # The same process, replaced by gunicorn's master (signals from systemd reach it).
        assert b"gunicorn" in Path(f"/proc/{server.pid}/cmdline").read_bytes()

        # Static files were collected into var/static and WhiteNoise serves them (with compressed copies).
        static = tmp_path / "var" / "static"
        assert (static / "core" / "tandem.css").is_file()
        assert (static / "core" / "tandem.css.gz").is_file()
        css = urllib.request.urlopen(f"http://127.0.0.1:{port}/static/core/tandem.css", timeout=5)
        assert css.status == 200 and "text/css" in css.headers["Content-Type"]
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert f"Tandem on http://127.0.0.1:{port}/ (gunicorn, 2 workers)" in output
    assert "Booting worker" in output


def test_serve_refuses_to_start_without_a_secret_key(tmp_path):
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("TANDEM_", "DJANGO_")) and key != "DATABASE_URL"}
    env |= {"TANDEM_VAR_DIR": str(tmp_path), "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-m", "tandem.cli", "serve", "127.0.0.1:1"],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "TANDEM_SECRET_KEY" in result.stderr


# --- Choosing the server and its workers ---------------------------------------------------------------

@pytest.fixture
def started(monkeypatch):
    """What serve() would start: gunicorn's command line (exec) or runserver's arguments."""
    seen: dict = {}
    monkeypatch.setattr(cli, "collect_static", lambda: seen.setdefault("collected", True))
    monkeypatch.setattr(cli.os, "execv", lambda path, argv: seen.setdefault("exec", argv))
    monkeypatch.setattr("django.core.management.execute_from_command_line",
                        lambda argv: seen.setdefault("runserver", argv))
    monkeypatch.delenv("TANDEM_WORKERS", raising=False)
    return seen


def test_debug_off_starts_gunicorn_after_collecting_static_files(started, monkeypatch):
    monkeypatch.setenv("TANDEM_WORKERS", "3")
    cli.serve(["0.0.0.0:9000"])
    command = started["exec"]
    assert command[1:4] == ["-m", "gunicorn", "tandem.wsgi:application"]
    assert command[command.index("--bind") + 1] == "0.0.0.0:9000"
    assert command[command.index("--workers") + 1] == "3"
    assert started["collected"] and "runserver" not in started


def test_workers_option_beats_the_environment_and_a_bare_port_binds_to_loopback(started, monkeypatch):
    monkeypatch.setenv("TANDEM_WORKERS", "3")
    cli.serve(["8080", "--workers", "5"])
    command = started["exec"]
    assert command[command.index("--bind") + 1] == "127.0.0.1:8080"
    assert command[command.index("--workers") + 1] == "5"


@override_settings(DEBUG=True)
def test_debug_on_starts_the_development_server(started):
    cli.serve(["127.0.0.1:8123"])
    assert started["runserver"] == ["tandem", "runserver", "127.0.0.1:8123"]
    assert "exec" not in started and "collected" not in started


def test_default_workers_are_two_per_core_plus_one_capped(monkeypatch):
    monkeypatch.setattr(cli.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert cli.default_workers() == 5
    monkeypatch.setattr(cli.os, "sched_getaffinity", lambda pid: set(range(32)), raising=False)
    assert cli.default_workers() == cli.MAX_DEFAULT_WORKERS
    monkeypatch.delenv("TANDEM_WORKERS", raising=False)
    assert cli.parse_serve_args([]).workers == cli.MAX_DEFAULT_WORKERS
    assert cli.parse_serve_args([]).address == "127.0.0.1:8000"


@pytest.mark.parametrize("bad", [["--workers", "0"], ["--workers", "many"]])
def test_bad_worker_counts_are_refused(bad, monkeypatch):
    monkeypatch.delenv("TANDEM_WORKERS", raising=False)
    with pytest.raises(SystemExit):
        cli.parse_serve_args(bad)


def test_a_bad_workers_variable_is_refused(monkeypatch):
    monkeypatch.setenv("TANDEM_WORKERS", "lots")
    with pytest.raises(SystemExit):
        cli.parse_serve_args([])
