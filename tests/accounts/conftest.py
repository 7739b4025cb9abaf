"""Fixtures of the accounts tests: no configured key, clients and accounts."""

import pytest
from rest_framework.test import APIClient

from blog_project import settings as project_settings
from contexts.accounts import api as accounts_api

# The project's real hashers (argon2 first), for the tests that check them.
REAL_PASSWORD_HASHERS = list(project_settings.PASSWORD_HASHERS)
PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def key_dir(settings):
    """The test's own signing-key folder (tests/conftest.py), with no configured key."""
    directory = settings.ACCOUNTS_KEY_DIR
    settings.ACCOUNTS_PRIVATE_KEY_PEM = ""
    settings.ACCOUNTS_PUBLIC_KEY_PEM = ""
    settings.ACCOUNTS_PRIVATE_KEY_FILE = ""
    settings.ACCOUNTS_PUBLIC_KEY_FILE = ""
    return directory


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
