"""The production settings and `make serve`: shared throttles, HSTS, a clean deploy check."""

import importlib
import os
import subprocess
import sys
from pathlib import Path

MODULE = "blog_project.settings_production"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
SECRET = "a-long-random-production-secret-for-these-tests-" * 2


def _load(monkeypatch, **environ):
    for name in (
        "DJANGO_SECRET_KEY",
        "CACHE_URL",
        "DJANGO_SECURE_HSTS_SECONDS",
        "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "DJANGO_SECURE_HSTS_PRELOAD",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DJANGO_SECRET_KEY", SECRET)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    for module in (MODULE, "blog_project.settings"):
        monkeypatch.delitem(sys.modules, module, raising=False)
    return importlib.import_module(MODULE)


def test_without_cache_url_throttles_count_in_a_database_cache_every_worker_shares(monkeypatch):
    production = _load(monkeypatch)

    assert production.CACHES["default"]["BACKEND"] == "blog_project.cache.DatabaseCache"


def test_with_cache_url_throttles_count_in_redis(monkeypatch):
    production = _load(monkeypatch, CACHE_URL="redis://127.0.0.1:6379/9")

    assert production.CACHES["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/9",
    }


def test_hsts_is_on_for_a_year_with_subdomains_and_without_preload(monkeypatch):
    production = _load(monkeypatch)

    assert production.SECURE_HSTS_SECONDS == 365 * 24 * 3600
    assert production.SECURE_HSTS_INCLUDE_SUBDOMAINS is True
    assert production.SECURE_HSTS_PRELOAD is False


def test_hsts_follows_the_environment(monkeypatch):
    production = _load(
        monkeypatch,
        DJANGO_SECURE_HSTS_SECONDS="600",
        DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="0",
        DJANGO_SECURE_HSTS_PRELOAD="1",
    )

    assert production.SECURE_HSTS_SECONDS == 600
    assert production.SECURE_HSTS_INCLUDE_SUBDOMAINS is False
    assert production.SECURE_HSTS_PRELOAD is True
    assert "security.W021" not in getattr(production, "SILENCED_SYSTEM_CHECKS", [])


def _deploy_check(tmp_path, **environ) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": MODULE,
            "DJANGO_SECRET_KEY": SECRET,
            "VAR_DIR": str(tmp_path),
            **environ,
        }
    )
    command = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    return subprocess.run(
        command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_deploy_check_is_clean_with_the_production_settings(tmp_path):
    result = _deploy_check(tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_check_fails_without_hsts(tmp_path):
    result = _deploy_check(tmp_path, DJANGO_SECURE_HSTS_SECONDS="0")

    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout
