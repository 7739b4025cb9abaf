"""Settings of the composition root: every value that varies comes from the environment.

With no environment at all the site runs on embedded defaults: one SQLite file per
context under var/, Celery tasks run eagerly in-process, a local-memory cache.
"""

import hashlib
import hmac
import os
from pathlib import Path

import django_stubs_ext
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from blog_project.databases import database_settings
from blog_project.logs import logging_config

# Django's generic classes (ModelAdmin[Model], ...) as the type checker sees them, also
# at run time, so that a class may subclass one with its type parameters.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
# Files the running site keeps: SQLite databases, the generated token key, beat's schedule.
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = _env_bool("DJANGO_DEBUG", True)
# The embedded default key is for local development only; production settings refuse it.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-development-key-change-me")
# Signs the service credentials of internal calls between this deployment's processes;
# derived from SECRET_KEY unless set (every process of a deployment needs the same one).
INTERNAL_API_KEY = (
    os.environ.get("INTERNAL_API_KEY")
    or hmac.new(SECRET_KEY.encode(), b"internal-api", hashlib.sha256).hexdigest()
)
ALLOWED_HOSTS = _env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

# The bounded contexts. Each one is a Django app under contexts/ whose models live in
# the database alias of the same name (see blog_project.routers).
CONTEXTS = ("accounts", "blog", "renderer", "fetcher", "search")

# Which process this is: "web" (the site, the public API), a context's service
# ("accounts", "renderer": its internal endpoints only, `make serve-context`), or
# "worker". It names the process in service credentials, metrics, traces and logs.
PROCESS_ROLE = os.environ.get("PROCESS_ROLE", "web")
if PROCESS_ROLE not in {"web", "worker", *CONTEXTS}:
    raise ValueError(f"PROCESS_ROLE must be web, worker or a context, not {PROCESS_ROLE!r}")
# A context service serves its own context's internal endpoints; the web process those of
# every context it runs itself.
SERVED_CONTEXTS = (PROCESS_ROLE,) if PROCESS_ROLE in CONTEXTS else CONTEXTS

# <CONTEXT>_URL makes this process call that context's service over HTTP instead of
# running it here (split.md). Unset: in-process.
CONTEXT_URLS = {name: os.environ.get(f"{name.upper()}_URL", "").strip() for name in CONTEXTS}


def _per_context(options: dict[str, tuple[str, type, str]]) -> dict[str, dict[str, object]]:
    """Read `<CONTEXT>_<SUFFIX>` for each context: option -> (suffix, type, default)."""
    values: dict[str, dict[str, object]] = {}
    for name in CONTEXTS:
        values[name] = {}
        for option, (suffix, cast, default) in options.items():
            variable = f"{name.upper()}_{suffix}"
            raw = os.environ.get(variable, default)
            try:
                values[name][option] = cast(raw)
            except ValueError:
                raise ImproperlyConfigured(f"{variable} must be a number, not {raw!r}") from None
    return values


# How patiently each remote context is called: timeouts, retries of idempotent calls,
# and the circuit breaker.
CONTEXT_REMOTE_OPTIONS = _per_context(
    {
        "connect_timeout": ("CONNECT_TIMEOUT_SECONDS", float, "1"),
        "read_timeout": ("READ_TIMEOUT_SECONDS", float, "5"),
        "retries": ("RETRIES", int, "2"),
        "breaker_fail_max": ("BREAKER_FAILURES", int, "5"),
        "breaker_reset_seconds": ("BREAKER_RESET_SECONDS", float, "10"),
    }
)
# Fault injection on this process's calls of each context (split.md); `manage.py faults`
# sets and clears faults at run time.
CONTEXT_FAULTS = _per_context(
    {
        "abort_percent": ("FAULT_ABORT_PERCENT", float, "0"),
        "abort_status": ("FAULT_ABORT_STATUS", int, "503"),
        "delay_percent": ("FAULT_DELAY_PERCENT", float, "0"),
        "delay_seconds": ("FAULT_DELAY_SECONDS", float, "0"),
    }
)

INSTALLED_APPS = [
    # First, so that its runserver (management/commands) replaces staticfiles' one.
    "blog_project.apps.CompositionRootConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI's files, served by the site itself: /api/docs/ needs no CDN.
    "drf_spectacular_sidecar",
    "contexts.kernel",
    *(f"contexts.{name}" for name in CONTEXTS),
]

SILENCED_SYSTEM_CHECKS: list[str] = []
MIDDLEWARE = [
    "blog_project.metrics.RequestMetricsMiddleware",
    "blog_project.middleware.RequestIdMiddleware",
    # Before everything else that a cached page's answer needs no more (sessions, CSRF,
    # messages): its stored headers are what those middleware made of it.
    "contexts.blog.web.pagecache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # django-csp's, its policies built once (blog_project/middleware.py).
    "blog_project.middleware.CSPMiddleware",
    "blog_project.middleware.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
if PROCESS_ROLE in CONTEXTS:
    # A context service answers JSON to other processes: no pages, sessions or forms.
    MIDDLEWARE = [
        "blog_project.metrics.RequestMetricsMiddleware",
        "blog_project.middleware.RequestIdMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "blog_project.middleware.RequestSizeLimitMiddleware",
    ]
    # The admin is installed (its models, its migrations) but not served here: no URL of a
    # service leads to it, so its middleware would only cost every call.
    SILENCED_SYSTEM_CHECKS = ["admin.E408", "admin.E409", "admin.E410"]

# Content-Security-Policy (django-csp) on every page: scripts, styles and everything else
# from this site only (the editor's preview is a file, no page has inline code), images
# also from https (entries show images by absolute URL), no plugins, no <base>, and no
# framing by anyone. The API docs page loosens it for Swagger UI (blog_project/docs.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "https:"],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [NONE],
    }
}

# Web sessions are server-side rows in the blog context's schema; the cookie holds only
# the session key, out of reach of scripts and not sent on cross-site subrequests.
SESSION_ENGINE = "contexts.blog.web.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# The live preview reads the CSRF token from the form, never from the cookie.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# A context service answers only its internal endpoints and the /server/ probes.
ROOT_URLCONF = (
    "blog_project.urls" if PROCESS_ROLE in {"web", "worker"} else "blog_project.service_urls"
)
WSGI_APPLICATION = "blog_project.wsgi.application"
ASGI_APPLICATION = "blog_project.asgi.application"

_CONTEXT_PROCESSORS = [
    "django.template.context_processors.request",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
    "contexts.blog.web.context_processors.web_session",
]
TEMPLATES = [
    # The site's pages: Jinja2 templates in each app's jinja2/ folder (blog_project/jinja_env.py
    # says why). Django's engine after it, for other packages' templates.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "blog_project.jinja_env.environment",
            "autoescape": True,
            "context_processors": [
                *_CONTEXT_PROCESSORS,
                "contexts.blog.web.context_processors.moments",
            ],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": _CONTEXT_PROCESSORS},
    },
]

# Databases: one alias per context plus "default" for Django's own framework apps.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# A process that serves or relays for some contexts only (a split deployment) opens only
# their databases: PROCESS_CONTEXTS=accounts (add "default" for Django's own tables).
PROCESS_CONTEXTS = tuple(_env_list("PROCESS_CONTEXTS", ["default", *CONTEXTS]))
DATABASES = database_settings(
    database_url=DATABASE_URL,
    aliases=("default", *CONTEXTS),
    var_dir=VAR_DIR,
    local=PROCESS_CONTEXTS,
    roles=_env_bool("DATABASE_ROLES", False),
    # PostgreSQL connections are kept between requests. A health check would send a
    # `SELECT 1` before the first query of every request (a round trip a cached page
    # cannot afford: README, "Serving"); without it a connection the server dropped fails
    # one request, and Django closes it so that the next one connects again.
    conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "600")),
    conn_health_checks=_env_bool("DATABASE_CONN_HEALTH_CHECKS", False),
    # Statements run on every request (the pages' version) are prepared once per
    # connection; DATABASE_PREPARED_STATEMENTS=0 behind a transaction-mode pooler.
    prepared_statements=_env_bool("DATABASE_PREPARED_STATEMENTS", True),
)
DATABASE_ROUTERS = ["blog_project.routers.ContextRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # The name does not count toward a password's length: refuses carol/carol12345.
    {"NAME": "contexts.accounts.validators.NameInPasswordValidator"},
]

# Accounts: access tokens are ES256 JWTs. The signing key pair comes from the
# environment (PEM text, or a file path); with neither, the embedded default generates
# a P-256 key once under ACCOUNTS_KEY_DIR (var/) and reuses it. A process that only
# verifies tokens needs ACCOUNTS_PUBLIC_KEY_PEM alone.
ACCOUNTS_TOKEN_TTL_SECONDS = int(os.environ.get("ACCOUNTS_TOKEN_TTL_SECONDS", "3600"))
ACCOUNTS_TOKEN_ISSUER = os.environ.get("ACCOUNTS_TOKEN_ISSUER", "blog-platform/accounts")
ACCOUNTS_PRIVATE_KEY_PEM = os.environ.get("ACCOUNTS_PRIVATE_KEY_PEM", "")
ACCOUNTS_PUBLIC_KEY_PEM = os.environ.get("ACCOUNTS_PUBLIC_KEY_PEM", "")
ACCOUNTS_PRIVATE_KEY_FILE = os.environ.get("ACCOUNTS_PRIVATE_KEY_FILE", "")
ACCOUNTS_PUBLIC_KEY_FILE = os.environ.get("ACCOUNTS_PUBLIC_KEY_FILE", "")
ACCOUNTS_KEY_DIR = Path(os.environ.get("ACCOUNTS_KEY_DIR", VAR_DIR))
# Public halves (PEM) of retired signing keys, still accepted until their tokens expire.
ACCOUNTS_RETIRED_PUBLIC_KEYS_PEM = os.environ.get("ACCOUNTS_RETIRED_PUBLIC_KEYS_PEM", "")
# How long a verifier trusts the accounts JWKS it fetched before fetching it again.
ACCOUNTS_JWKS_CACHE_SECONDS = float(os.environ.get("ACCOUNTS_JWKS_CACHE_SECONDS", "300"))

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# Cache: local memory by default; Redis when CACHE_URL names one.
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHES: dict[str, dict[str, object]]
if CACHE_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Public pages for anonymous readers (contexts/blog/web/pagecache.py), in each process's
# memory whatever CACHE_URL says: they are keyed by a version read from the database on
# every request, so no process can serve one that a write has made out of date.
PAGE_CACHE_ENTRIES = int(os.environ.get("PAGE_CACHE_ENTRIES", "500"))
CACHES["pages"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "pages",
    "TIMEOUT": 600,
    "OPTIONS": {"MAX_ENTRIES": PAGE_CACHE_ENTRIES},
}

# Celery: with no broker, tasks run eagerly in the calling process so that nothing
# else needs to run; CELERY_BROKER_URL switches to a real broker and worker.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = not CELERY_BROKER_URL
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else None
)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE

# Events (contexts.kernel.events). A relay sends each outbox row to the broker's topic
# exchange (EVENTS_BROKER_PREFIX), routed by event type to each consuming context's queue;
# the events worker writes it to that context's inbox and applies it. Both sides take
# EVENTS_BATCH rows at a time. A failed attempt is retried with exponential backoff and
# jitter (base, doubling, capped) up to EVENTS_MAX_ATTEMPTS, then marked failed. A worker
# holds inbox rows for EVENTS_LEASE_SECONDS: should it die, they are taken up again then;
# a message it took but never acknowledged returns after EVENTS_BROKER_VISIBILITY_SECONDS.
EVENTS_MAX_ATTEMPTS = int(os.environ.get("EVENTS_MAX_ATTEMPTS", "10"))
EVENTS_RETRY_BASE_SECONDS = float(os.environ.get("EVENTS_RETRY_BASE_SECONDS", "2"))
EVENTS_RETRY_MAX_SECONDS = float(os.environ.get("EVENTS_RETRY_MAX_SECONDS", "600"))
EVENTS_RETRY_JITTER = float(os.environ.get("EVENTS_RETRY_JITTER", "0.5"))
EVENTS_BATCH = int(os.environ.get("EVENTS_BATCH", "500"))
EVENTS_LEASE_SECONDS = float(os.environ.get("EVENTS_LEASE_SECONDS", "10"))
# How often the worker looks for due rows when nothing woke it (a commit on PostgreSQL
# wakes the relay at once).
EVENTS_POLL_SECONDS = float(os.environ.get("EVENTS_POLL_SECONDS", "1"))
# After a relay pass or a stream read that found several events, the worker waits this
# many milliseconds before the next: under a stream of commits, one batch (one pass of the
# outbox, one inbox transaction) carries what arrived meanwhile instead of one event each.
# One event at a time is not delayed. 0 turns it off.
EVENTS_LINGER_MS = float(os.environ.get("EVENTS_LINGER_MS", "20"))
EVENTS_BROKER_URL = os.environ.get("EVENTS_BROKER_URL") or CELERY_BROKER_URL
EVENTS_BROKER_PREFIX = os.environ.get("EVENTS_BROKER_PREFIX", "events")
EVENTS_BROKER_VISIBILITY_SECONDS = float(os.environ.get("EVENTS_BROKER_VISIBILITY_SECONDS", "10"))
# Without a broker nothing runs a worker: each commit that publishes also retries this
# many due inbox rows of each context in-process.
EVENTS_EAGER_SWEEP_LIMIT = int(os.environ.get("EVENTS_EAGER_SWEEP_LIMIT", "10"))
EVENTS_KEEP_COMPLETED_DAYS = float(os.environ.get("EVENTS_KEEP_COMPLETED_DAYS", "7"))
EVENTS_PURGE_INTERVAL_SECONDS = float(os.environ.get("EVENTS_PURGE_INTERVAL_SECONDS", "3600"))
# `celery worker` (make worker) runs the events worker's threads too, unless this is 0.
EVENTS_WORKER = _env_bool("EVENTS_WORKER", True)

# Run by `make worker` (celery worker --beat): the purge drops sent and completed event
# rows past retention.
CELERY_BEAT_SCHEDULE = {
    "events-purge": {"task": "kernel.events.purge", "schedule": EVENTS_PURGE_INTERVAL_SECONDS},
    "blog-idempotency-purge": {"task": "blog.idempotency_records_purge", "schedule": 3600.0},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Blog: rendering budget on publish/edit (past it the entry is saved unrendered and an
# EntryRenderPending event has it rendered again, retried like every event), and how
# long an Idempotency-Key of POST .../entries is remembered.
BLOG_RENDER_TIMEOUT_SECONDS = float(os.environ.get("BLOG_RENDER_TIMEOUT_SECONDS", "2.0"))
BLOG_IDEMPOTENCY_TTL_HOURS = int(os.environ.get("BLOG_IDEMPOTENCY_TTL_HOURS", "24"))

# Fetcher: the pages that [URL:title] and [URL:embed] link to are fetched in the
# background (Celery; without a broker, threads of this process) for their title,
# description, site name and image. Never from a private, loopback or link-local
# address unless FETCHER_ALLOW_PRIVATE_ADDRESSES (local development and tests only).
FETCHER_ALLOW_PRIVATE_ADDRESSES = _env_bool("FETCHER_ALLOW_PRIVATE_ADDRESSES", False)
FETCHER_TIMEOUT_SECONDS = float(os.environ.get("FETCHER_TIMEOUT_SECONDS", "5"))
FETCHER_MAX_BYTES = int(os.environ.get("FETCHER_MAX_BYTES", "1000000"))
FETCHER_MAX_REDIRECTS = int(os.environ.get("FETCHER_MAX_REDIRECTS", "5"))
FETCHER_PER_HOST_CONCURRENCY = int(os.environ.get("FETCHER_PER_HOST_CONCURRENCY", "2"))
FETCHER_HOST_WAIT_SECONDS = float(os.environ.get("FETCHER_HOST_WAIT_SECONDS", "10"))
FETCHER_REFRESH_SECONDS = float(os.environ.get("FETCHER_REFRESH_SECONDS", "86400"))
FETCHER_RETRY_SECONDS = float(os.environ.get("FETCHER_RETRY_SECONDS", "3600"))
# The site that fetches, named in the User-Agent so that a page's owner knows who asks.
FETCHER_SITE_URL = os.environ.get("FETCHER_SITE_URL", "http://127.0.0.1:8000/")
FETCHER_USER_AGENT = os.environ.get(
    "FETCHER_USER_AGENT", f"BlogsLinkFetcher/1.0 (link previews; +{FETCHER_SITE_URL})"
)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["contexts.kernel.http.renderers.JSONRenderer"],
    # api-v1 has no ?format= switch: an unknown one is ignored, not a 404.
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "contexts.kernel.http.renderers.ContentNegotiation",
    "DEFAULT_PARSER_CLASSES": ["contexts.kernel.http.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "contexts.kernel.http.errors.exception_handler",
    # Only the rates named here are throttled; the scopes are set per view. Failed
    # sign-ins: a tight limit per (name, address), looser ones per name and per address
    # past which attempts wait growing delays (ADR 0005).
    "DEFAULT_THROTTLE_RATES": {
        "signin_pair": os.environ.get("THROTTLE_SIGNIN_PAIR", "5/minute"),
        "signin_name": os.environ.get("THROTTLE_SIGNIN_NAME", "10/hour"),
        "signin_address": os.environ.get("THROTTLE_SIGNIN_ADDRESS", "100/hour"),
        "render": os.environ.get("THROTTLE_RENDER", "120/minute"),
    },
}
# The longest delay between two attempts on a name (or from an address) past its rate.
THROTTLE_SIGNIN_MAX_DELAY_SECONDS = int(os.environ.get("THROTTLE_SIGNIN_MAX_DELAY_SECONDS", "60"))
# How many proxies in front of the site append the address they received from to
# X-Forwarded-For. 0: the peer is the client and the header is ignored (anyone can
# write it). Every throttle reads the client address this way.
NUM_PROXIES = int(os.environ.get("NUM_PROXIES", "0"))
SPECTACULAR_SETTINGS = {
    "TITLE": "Blog platform API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "contexts.kernel.http.schema.collapse_blank_alternatives",
    ],
}

# Metrics (Prometheus text at /server/metrics of every process). Who may read them: the
# addresses (or networks) of METRICS_ALLOWED_ADDRESSES, and anyone sending
# `Authorization: Bearer <METRICS_TOKEN>` when it is set. Anyone in development; production
# settings default to this machine alone. A worker, which has no web server, serves them
# on METRICS_PORT (on METRICS_HOST) when it is set.
METRICS_ALLOWED_ADDRESSES = _env_list("METRICS_ALLOWED_ADDRESSES", ["0.0.0.0/0", "::/0"])
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_HOST = os.environ.get("METRICS_HOST", "127.0.0.1")
METRICS_PORT = int(os.environ.get("METRICS_PORT") or 0)

# Logs: plain text for people by default; LOG_FORMAT=json gives one JSON object per line
# (time, level, role, context, logger, message, request_id, trace_id) for collectors.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()
LOGGING = logging_config(log_format=LOG_FORMAT, level=os.environ.get("LOG_LEVEL", "INFO"))
