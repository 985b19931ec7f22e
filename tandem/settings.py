"""Django settings, read from the environment so one build serves demo, tests and production.

DATABASE_URL        default sqlite:///<repo>/var/tandem.sqlite3; postgres://user@host:5432/name for PostgreSQL
TANDEM_SECRET_KEY   required when TANDEM_DEBUG is off (a random per-process key would log everyone out)
TANDEM_DEBUG        "1"/"true" turns on debug pages; off by default
TANDEM_ALLOWED_HOSTS comma-separated; default "localhost,127.0.0.1"
TANDEM_HTTPS        "1" marks cookies secure and redirects to https (set it behind TLS)
TANDEM_DISABLED_MODULES comma-separated module keys switched off at start-up (see core.modules)
TANDEM_CACHE_URL    where per-request settings are cached (core.caching): file:///path (default in
                    production: <var>/cache, shared by all server processes), locmem:// (one process; default
                    with debug and in tests), redis://host:6379/0 (needs the redis package)
TANDEM_VAR_DIR      data directory (SQLite database, collected static files, cache); default <repo>/var
TANDEM_WORKERS      server processes of `tandem serve` (see tandem.cli)
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("TANDEM_VAR_DIR", BASE_DIR.parent / "var"))

DEBUG = env_flag("TANDEM_DEBUG")
# pytest-django loads settings before any conftest runs, so the test run is recognised here too.
TESTING = env_flag("TANDEM_TESTING") or "_pytest" in sys.modules
SECRET_KEY = os.environ.get("TANDEM_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-do-not-use-in-production"
    else:
        raise ImproperlyConfigured("Set TANDEM_SECRET_KEY (or TANDEM_DEBUG=1 for a development run).")

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("TANDEM_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("TANDEM_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

HTTPS = env_flag("TANDEM_HTTPS")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (Django's own middleware): only our own scripts and styles, no inline script,
# style attribute or <style> element (behaviours live in static files: core/tandem.js), no plugins, no
# framing. Images may be data: URIs (the API docs' icons).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "ninja",  # serves the API docs' Swagger UI from its own static files (no CDN)
    "tandem.core",
    "tandem.parties",
    "tandem.catalog",
    "tandem.stock",
    "tandem.finance",
    "tandem.crm",
    "tandem.sales",
    "tandem.purchasing",
    "tandem.production",
    "tandem.planning",
    # Last: its demo step posts the stock moves every other app's demo recorded before the ledger existed.
    "tandem.stock_accounting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tandem.core.middleware.ApiErrorShapeMiddleware",  # outermost of ours: shapes every /api/ error
    "django.middleware.common.CommonMiddleware",
    "django_htmx.middleware.HtmxMiddleware",  # request.htmx (core.htmx.is_htmx) for the middleware below too
    "tandem.core.middleware.InputGuardMiddleware",  # NUL, surrogates, >64-bit ints, too large bodies
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tandem.core.middleware.UserLanguageMiddleware",  # after auth: it reads user.language
    "tandem.core.middleware.AuditActorMiddleware",  # after auth: signal receivers audit as request.user
    "django_otp.middleware.OTPMiddleware",
    "tandem.core.middleware.TwoFactorRequiredMiddleware",
    "tandem.core.middleware.ModuleSwitchMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tandem.core.middleware.ReferencedRecordMiddleware",  # last: it sees the view's exceptions first
]

# Request bodies (JSON, form posts) above this answer 413; nothing the application takes comes close.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

ROOT_URLCONF = "tandem.urls"
WSGI_APPLICATION = "tandem.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tandem.core.context_processors.shell",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tandem.sqlite3'}"),
        conn_max_age=int(os.environ.get("TANDEM_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run while one writer commits; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue instead of failing with "database is locked" on upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def cache_from_url(url: str) -> dict:
    """CACHES["default"] from TANDEM_CACHE_URL (locmem://, file:///path, redis://...)."""
    if url.startswith("locmem://"):
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tandem"}
    if url.startswith("file://"):
        return {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": url[len("file://"):]}
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    raise ImproperlyConfigured(f"TANDEM_CACHE_URL must start with locmem://, file:// or redis://, not {url!r}.")


# Several server processes must share the cache (a change made through one is seen by all), so production
# defaults to a file cache under var/; one debug process or the tests use local memory.
CACHES = {
    "default": cache_from_url(
        os.environ.get("TANDEM_CACHE_URL") or ("locmem://" if DEBUG or TESTING else f"file://{VAR_DIR / 'cache'}")
    )
}

AUTH_USER_MODEL = "core.User"
# ModelBackend with each user's permissions cached (core.caching); invalidated when roles change.
AUTHENTICATION_BACKENDS = ["tandem.core.backends.CachedPermissionsBackend"]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests create hundreds of users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed logins: after this many failures for one username from one address within the window, further
# attempts from that address are refused until the window has passed; across all addresses the account
# takes the higher limit, which browsers the owner signed in from before skip (core.services).
TANDEM_LOGIN_MAX_FAILURES = int(os.environ.get("TANDEM_LOGIN_MAX_FAILURES", "5"))
TANDEM_LOGIN_MAX_FAILURES_PER_ACCOUNT = int(os.environ.get("TANDEM_LOGIN_MAX_FAILURES_PER_ACCOUNT", "30"))
TANDEM_LOGIN_LOCKOUT_MINUTES = int(os.environ.get("TANDEM_LOGIN_LOCKOUT_MINUTES", "15"))
OTP_TOTP_ISSUER = "Tandem"

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ru", _("Russian")),
    ("id", _("Indonesian")),
    ("ko", _("Korean")),
    ("pl", _("Polish")),
    ("bg", _("Bulgarian")),
    ("pt-br", _("Portuguese (Brazil)")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Date and number formats follow the default legal entity's country too (core.formats).
FORMAT_MODULE_PATH = ["tandem.core.locale_formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Uploaded files (legal entity logos). Served by Tandem's own views after a permission check, not publicly.
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Production serves the files `tandem serve` / `tandem migrate` collected into var/static; debug and tests
# find them in the apps directly.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG

TANDEM_DISABLED_MODULES = [m.strip() for m in os.environ.get("TANDEM_DISABLED_MODULES", "").split(",") if m]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TANDEM_LOG_LEVEL", "WARNING")},
}
