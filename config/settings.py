"""Misafir360 settings: one file, read from the environment, loud on bad values.

Every variable has an embedded default so that a fresh machine runs with no
configuration (a SQLite file and an embedded Valkey server); production sets
DATABASE_URL, REDIS_URL, SECRET_KEY, ALLOWED_HOSTS and DEBUG=0. The README has
the full table.
"""

from __future__ import annotations

import datetime as dt
import os
import zoneinfo
from pathlib import Path

import dj_database_url
import django
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
RUN_DIR = Path(os.environ.get("MISAFIR_RUN_DIR") or BASE_DIR / ".run").resolve()


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None or value.strip() == "" else value.strip()


def env_bool(name: str, default: bool) -> bool:
    value = env_str(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false).")


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = env_str(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if SECRET_KEY is None:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-dev-only-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "guardian",
    "guestview",
    "consent",
    "leads",
    "channels_inbox",
    "kpi",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django 6 sends the Content-Security-Policy itself; on 5.2 LTS
    # guestview.security does the same from the same settings (SECURE_CSP*).
    "django.middleware.csp.ContentSecurityPolicyMiddleware"
    if django.VERSION >= (6, 0)
    else "guestview.security.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "guestview.middleware.ConsoleLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "guestview.security.IdleSessionMiddleware",  # after htmx and messages, before presence
    "guestview.middleware.AgentPresenceMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "django.template.context_processors.i18n",
                "guestview.context_processors.console",
            ],
        },
    }
]

if django.VERSION < (6, 0):
    # Django 6 has {% partialdef %} built in; on 5.2 LTS the same code comes
    # from django-template-partials (see pyproject.toml).
    INSTALLED_APPS.append("template_partials")
    TEMPLATES[0]["OPTIONS"]["builtins"] = ["template_partials.templatetags.partials"]

# --- Database ---------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{RUN_DIR / 'misafir360.sqlite3'}")
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
except ValueError as exc:  # unknown scheme, malformed URL
    raise ImproperlyConfigured(f"DATABASE_URL is not usable: {exc}") from exc
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    # web, worker and beat write to the same file: wait for the lock, don't fail.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # The test database a file too: an in-memory one is shared-cache, whose
    # table locks fail at once ("database table is locked") instead of
    # waiting, so the tests with concurrent writers could not run.
    DATABASES["default"]["TEST"] = {"NAME": str(RUN_DIR / "test.sqlite3")}
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["OPTIONS"] = {
        # A pool, not persistent connections: under ASGI those are kept per
        # thread and pile up. Pooled connections also keep psycopg's prepared
        # statements, and server-side binding lets the screen-pop's queries
        # skip PostgreSQL's planner after their fifth run (make bench-screenpop).
        "pool": {"min_size": 2, "max_size": env_int("DATABASE_POOL_SIZE", 10), "timeout": 10},
        "server_side_binding": True,
        # Django turns psycopg's prepared statements off by default (for
        # pgbouncer in transaction mode); we talk to PostgreSQL directly.
        "prepare_threshold": env_int("DATABASE_PREPARE_THRESHOLD", 5),
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis / Celery ---------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL is None:
    from config.embedded_redis import ensure_running

    REDIS_URL = ensure_running(RUN_DIR / "valkey")
elif not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL={REDIS_URL!r} must start with redis://, rediss://.")

# Channel names of the screen-pop push (guestview.push) start with this.
PUSH_CHANNEL_PREFIX = env_str("PUSH_CHANNEL_PREFIX", "m360")

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message for another
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/Istanbul"
# Several deployments (or a benchmark) on one Redis each take their own queue.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "celery")
CELERY_BEAT_SCHEDULE_FILENAME = str(RUN_DIR / "celerybeat-schedule")

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "m360",
    }
}

# --- Auth, guardian ---------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # no anonymous object permissions: every reader is a person
GUARDIAN_MONKEY_PATCH_USER = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "guestview:guest_search"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = 12 * 60 * 60  # one shift and a half
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- i18n -------------------------------------------------------------------
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "tr")
LANGUAGES = [("tr", _("Turkish")), ("en", _("English"))]
if LANGUAGE_CODE not in {code for code, _name in LANGUAGES}:
    raise ImproperlyConfigured(f"LANGUAGE_CODE={LANGUAGE_CODE!r}; use one of tr, en.")
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Istanbul")
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE={TIME_ZONE!r} is not a known time zone.") from None
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(RUN_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security ---------------------------------------------------------------
# Sign-in throttling (guestview.security), counted in Redis: this many failed
# sign-ins for one username, or from one address, within LOGIN_THROTTLE_SECONDS
# lock that username or address for LOGIN_THROTTLE_SECONDS; 0 turns a limit
# off. A call center signs in from few addresses (NAT): a locked address
# refuses only the usernames that failed from it, so the rest of the floor
# still signs in while a password sprayer gets no second guess at any name.
LOGIN_FAILURES_PER_USERNAME = env_int("LOGIN_FAILURES_PER_USERNAME", 5)
LOGIN_FAILURES_PER_IP = env_int("LOGIN_FAILURES_PER_IP", 20)
LOGIN_THROTTLE_SECONDS = env_int("LOGIN_THROTTLE_SECONDS", 15 * 60)
LOGIN_THROTTLE_PREFIX = env_str("LOGIN_THROTTLE_PREFIX", "m360:login")
# A console nobody has used for this long is signed out on its next request
# (guestview.security.IdleSessionMiddleware); 0 turns it off.
SESSION_IDLE_TIMEOUT = dt.timedelta(minutes=env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30))
_COUNTS = ["LOGIN_FAILURES_PER_USERNAME", "LOGIN_FAILURES_PER_IP", "SESSION_IDLE_TIMEOUT_MINUTES"]
for _name in _COUNTS:
    if env_int(_name, 0) < 0:
        raise ImproperlyConfigured(f"{_name}={env_str(_name)!r} must not be negative.")
if LOGIN_THROTTLE_SECONDS < 1:
    raise ImproperlyConfigured(f"LOGIN_THROTTLE_SECONDS={LOGIN_THROTTLE_SECONDS} must be positive.")

# Nothing inline, nothing from another origin: base.html turns htmx's inline
# indicator styles off, and no template has an inline script, style or
# handler (tests/test_security.py checks). Report-only under DEBUG, where
# Django's technical error pages and the web chat demo page need inline code;
# CSP_REPORT_ONLY=1 eases a rollout in production.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],  # htmx and the SSE stream
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
_CSP_REPORT_ONLY = env_bool("CSP_REPORT_ONLY", DEBUG)
SECURE_CSP = {} if _CSP_REPORT_ONLY else CONTENT_SECURITY_POLICY
SECURE_CSP_REPORT_ONLY = CONTENT_SECURITY_POLICY if _CSP_REPORT_ONLY else {}

# Django's defaults, said out loud: a session cookie scripts cannot read, sent
# on top-level links from elsewhere (an alert e-mail) but not on cross-site
# posts; no framing; console URLs (guest ids, searched names) never leave in
# a Referer.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_CONTENT_TYPE_NOSNIFF = True
    # Browsers then refuse plain HTTP for this long, with no way back: set it
    # (e.g. 31536000) once the console is served over HTTPS only.
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)

# --- Product settings -------------------------------------------------------
# An agent who has not made a request for this long is shown as away.
AGENT_AWAY_AFTER_SECONDS = env_int("AGENT_AWAY_AFTER_SECONDS", 10 * 60)
GUEST_SEARCH_PAGE_SIZE = 25

# --- Inbox (channels_inbox) -------------------------------------------------
# Meta's Graph API (WhatsApp Cloud, Instagram, Messenger); a channel account's
# "API base URL" overrides it (tests point it at a recorded fake).
META_GRAPH_URL = env_str("META_GRAPH_URL", "https://graph.facebook.com/v21.0")
BOOKING_API_URL = env_str("BOOKING_API_URL", "https://supply-xml.booking.com")
# Outbound API calls: connect/read timeout and how often a send is retried.
CHANNEL_HTTP_TIMEOUT_SECONDS = env_int("CHANNEL_HTTP_TIMEOUT_SECONDS", 10)
CHANNEL_SEND_RETRIES = env_int("CHANNEL_SEND_RETRIES", 5)
# WhatsApp's customer service window: free text only this long after the
# guest's last message, approved templates after it.
WHATSAPP_SERVICE_WINDOW = dt.timedelta(hours=24)
# A stored webhook still pending after this long is picked up by the sweeper
# (the worker or Redis was down when it arrived).
INBOX_SWEEP_AFTER_SECONDS = env_int("INBOX_SWEEP_AFTER_SECONDS", 30)
# PostgreSQL connections of the webhook door (channels_inbox.door), per web process.
WEBHOOK_DOOR_POOL_SIZE = env_int("WEBHOOK_DOOR_POOL_SIZE", 8)
# SLA targets when no SLA policy (leads.SlaPolicy, admin) applies: reply
# minutes per priority (from the guest's unanswered message) and resolution.
INBOX_REPLY_SLA_MINUTES = {"critical": 5, "high": 15, "medium": 60, "low": 240}
INBOX_RESOLUTION_SLA_MINUTES = 24 * 60
# Leads without a policy: first contact, follow-up tolerance, decision.
LEAD_SLA_DEFAULT_MINUTES = {"first_response": 30, "next_response": 60, "resolution": 14 * 24 * 60}
# Agents are reminded this long before a held option expires.
LEAD_OPTION_REMIND_HOURS = env_int("LEAD_OPTION_REMIND_HOURS", 24)
# Web chat: messages a visitor may send per minute (per visitor and per IP).
WEBCHAT_RATE_PER_MINUTE = env_int("WEBCHAT_RATE_PER_MINUTE", 20)

# --- KVKK / İYS (consent) ----------------------------------------------------
# İYS (İleti Yönetim Sistemi) API; an empty base URL turns the sync off (the
# 3-business-day deadlines and overdue alerts still run).
IYS_BASE_URL = env_str("IYS_BASE_URL", "")
IYS_USERNAME = env_str("IYS_USERNAME", "")
IYS_PASSWORD = env_str("IYS_PASSWORD", "")
IYS_CODE = env_str("IYS_CODE", "")
IYS_BRAND_CODE = env_str("IYS_BRAND_CODE", "")
IYS_TIMEOUT = float(env_int("IYS_TIMEOUT_SECONDS", 10))
# Consent taken outside İYS must reach it within this many business days.
IYS_DEADLINE_BUSINESS_DAYS = 3

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
