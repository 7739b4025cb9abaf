"""The production settings: safe cookies, a required secret key, WhiteNoise."""

import importlib
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

MODULE = "blog_project.settings_production"


def _load(monkeypatch, **environ):
    for name in ("DJANGO_SECRET_KEY", "DJANGO_BEHIND_TLS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delitem(sys.modules, MODULE, raising=False)
    return importlib.import_module(MODULE)


def test_production_settings_refuse_to_start_without_a_secret_key(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        _load(monkeypatch)


def test_production_settings_refuse_the_development_key(monkeypatch):
    with pytest.raises(ImproperlyConfigured):
        _load(monkeypatch, DJANGO_SECRET_KEY="insecure-development-key-change-me")


def test_production_settings_turn_debug_off_and_secure_the_cookies(monkeypatch):
    production = _load(monkeypatch, DJANGO_SECRET_KEY="a-long-random-production-secret-" * 2)

    assert production.DEBUG is False
    assert production.SESSION_COOKIE_SECURE and production.CSRF_COOKIE_SECURE
    assert production.SESSION_COOKIE_HTTPONLY
    assert production.SESSION_COOKIE_SAMESITE == "Lax"
    assert production.SESSION_ENGINE == "contexts.blog.web.sessions"


def test_production_settings_serve_static_files_with_whitenoise(monkeypatch):
    production = _load(monkeypatch, DJANGO_SECRET_KEY="a-long-random-production-secret-" * 2)

    middleware = production.MIDDLEWARE
    security = middleware.index("django.middleware.security.SecurityMiddleware")
    assert middleware[security + 1] == "whitenoise.middleware.WhiteNoiseMiddleware"
    assert production.STORAGES["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
