"""Settings come from the environment and are safe by default."""

import json
import os
import subprocess
import sys

SETTINGS_PROBE = (
    "import json, tandem.settings as s; print(json.dumps({'debug': s.DEBUG, 'secure': s.SESSION_COOKIE_SECURE, "
    "'csrf_secure': s.CSRF_COOKIE_SECURE, 'engine': s.DATABASES['default']['ENGINE'], "
    "'name': str(s.DATABASES['default']['NAME']), 'hosts': s.ALLOWED_HOSTS}))"
)


def load_settings(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TANDEM_") and k != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "-c", SETTINGS_PROBE], env={**clean, **env}, capture_output=True, text=True, check=False
    )
    return result


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path):
    result = load_settings(TANDEM_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "TANDEM_SECRET_KEY" in result.stderr


def test_production_defaults_debug_off_and_sqlite_under_var(tmp_path):
    result = load_settings(TANDEM_SECRET_KEY="k" * 50, TANDEM_VAR_DIR=str(tmp_path))
    values = json.loads(result.stdout)
    assert values["debug"] is False
    assert values["secure"] is False
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"] == str(tmp_path / "tandem.sqlite3")
    assert values["hosts"] == ["localhost", "127.0.0.1"]


def test_https_marks_cookies_secure_and_database_url_selects_postgres(tmp_path):
    result = load_settings(
        TANDEM_SECRET_KEY="k" * 50, TANDEM_HTTPS="1", TANDEM_VAR_DIR=str(tmp_path),
        DATABASE_URL="postgres://tandem@db.internal:5432/tandem", TANDEM_ALLOWED_HOSTS="crm.example.com",
    )
    values = json.loads(result.stdout)
    assert values["secure"] is True and values["csrf_secure"] is True
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["hosts"] == ["crm.example.com"]
