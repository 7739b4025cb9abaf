"""Production settings: the development settings made safe to serve on the internet.

Use with DJANGO_SETTINGS_MODULE=blog_project.settings_production. DJANGO_SECRET_KEY is
required; static files are served by WhiteNoise after `manage.py collectstatic`.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from blog_project.settings import *  # noqa: F403
from blog_project.settings import (
    CACHE_URL,
    CACHES,
    MIDDLEWARE,
    SILENCED_SYSTEM_CHECKS,
    _env_bool,
    _env_list,
)

DEBUG = False

# The development default key is public (it is in the repository): refuse to start with it.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY or SECRET_KEY.startswith("insecure-"):
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY to a long random value in production.")

# Cookies travel over HTTPS only.
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = _env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
# Health probes often come over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^server/"]
# Browsers that once reached the site over HTTPS refuse plain HTTP for a year, on every
# subdomain too. Preloading is a promise about the whole domain that only its owner can
# make (anyone may submit a domain whose header asks for it): off unless asked for.
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    # check --deploy warns that a site without preload cannot join the list: a choice here.
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]
if _env_bool("DJANGO_BEHIND_TLS_PROXY", False):
    # Only behind a proxy that sets X-Forwarded-Proto itself; otherwise clients could lie.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",")
    if origin.strip()
]

# /server/metrics is for the monitoring system, never the public: this machine alone unless
# METRICS_ALLOWED_ADDRESSES names its scrapers (or they send METRICS_TOKEN).
METRICS_ALLOWED_ADDRESSES = _env_list("METRICS_ALLOWED_ADDRESSES", ["127.0.0.1", "::1"])

# WhiteNoise serves the collected, compressed, content-hashed static files; it goes
# right after SecurityMiddleware, as its documentation asks.
_after_security = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1
MIDDLEWARE = [
    *MIDDLEWARE[:_after_security],
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *MIDDLEWARE[_after_security:],
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Throttles count in the cache, so every worker process must see the same counters:
# without Redis (CACHE_URL), a table in the default database (`make serve` and
# migrate_all create it). Per-process memory would multiply every limit by the workers.
if not CACHE_URL:
    CACHES = {
        **CACHES,
        "default": {"BACKEND": "blog_project.cache.DatabaseCache", "LOCATION": "django_cache"},
    }
