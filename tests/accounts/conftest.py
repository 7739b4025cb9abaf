"""Fixtures of the accounts tests: a clean cache, a private key folder, a fast hasher."""

import uuid

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from blog_project import settings as project_settings
from contexts.accounts import api as accounts_api

# The project's real hashers (argon2 first), for the tests that check them.
REAL_PASSWORD_HASHERS = list(project_settings.PASSWORD_HASHERS)
PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _clean_cache(settings):
    """Start every test with no sign-in failures counted.

    A key prefix of its own gives each test an empty cache without flushing a shared
    Redis database under other test runs (cache.clear() on Redis is FLUSHDB).
    """
    settings.CACHES = {
        alias: {**config, "KEY_PREFIX": f"accounts-test-{uuid.uuid4().hex}"}
        for alias, config in settings.CACHES.items()
    }
    yield
    if "locmem" in settings.CACHES["default"]["BACKEND"]:
        cache.clear()


@pytest.fixture(autouse=True)
def key_dir(settings, tmp_path):
    """Keep the generated signing key of each test in a folder of its own."""
    directory = tmp_path / "keys"
    settings.ACCOUNTS_KEY_DIR = directory
    settings.ACCOUNTS_PRIVATE_KEY_PEM = ""
    settings.ACCOUNTS_PUBLIC_KEY_PEM = ""
    settings.ACCOUNTS_PRIVATE_KEY_FILE = ""
    settings.ACCOUNTS_PUBLIC_KEY_FILE = ""
    return directory


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    """Hash with MD5 in tests: argon2 is slow on purpose (tests that need it set it back)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def alice() -> accounts_api.Account:
    """A registered account named Alice with PASSWORD."""
    return accounts_api.account_register(name="Alice", password=PASSWORD)


@pytest.fixture
def alice_token(alice) -> str:
    return accounts_api.token_issue(account_id=alice.id).token
