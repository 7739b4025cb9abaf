"""Token keys published as a JWKS: verifiers check tokens locally, and a rotation keeps the
tokens the old key signed valid until they expire."""

import jwt
import pytest
from django.test import Client

from contexts.accounts import api as accounts_api
from contexts.accounts import keys
from contexts.accounts.verification import TokenVerifier
from contexts.kernel.errors import Unavailable
from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture
def alice():
    return accounts_api.account_register(name="alice", password=PASSWORD)


def _kid(token: str) -> str:
    return jwt.get_unverified_header(token)["kid"]


def test_the_jwks_lists_each_verifying_key_with_its_kid_and_tokens_name_theirs(alice):
    response = Client().get("/.well-known/jwks.json")
    token = accounts_api.token_issue(account_id=alice.id).token

    assert response.status_code == 200
    assert "max-age=300" in response["Cache-Control"]
    (key,) = response.json()["keys"]
    assert {key["kty"], key["crv"], key["alg"], key["use"]} == {"EC", "P-256", "ES256", "sig"}
    assert _kid(token) == key["kid"]


def test_a_rotation_keeps_old_tokens_valid_and_retiring_the_key_ends_them(alice):
    old_token = accounts_api.token_issue(account_id=alice.id).token

    old_kid, new_kid = keys.rotate()
    new_token = accounts_api.token_issue(account_id=alice.id).token

    assert (_kid(old_token), _kid(new_token)) == (old_kid, new_kid)
    published = {key["kid"] for key in Client().get("/.well-known/jwks.json").json()["keys"]}
    assert published == {old_kid, new_kid}
    assert accounts_api.token_verify(old_token).account_id == alice.id
    assert accounts_api.token_verify(new_token).account_id == alice.id

    assert keys.retire(old_kid) is True
    with pytest.raises(accounts_api.InvalidToken):
        accounts_api.token_verify(old_token)
    assert accounts_api.token_verify(new_token).account_id == alice.id
    assert keys.retire("../../etc/passwd") is False


def test_a_verifier_keeps_its_keys_and_fetches_again_only_for_a_new_kid(alice, settings):
    settings.ACCOUNTS_JWKS_CACHE_SECONDS = 300
    fetches = []

    def fetch():
        fetches.append(1)
        return accounts_api.token_keys()

    verifier = TokenVerifier(fetch)
    token = accounts_api.token_issue(account_id=alice.id).token
    for _ in range(3):
        verifier.verify(token)
    assert len(fetches) == 1

    keys.rotate()
    rotated = accounts_api.token_issue(account_id=alice.id).token
    assert verifier.verify(rotated).account_id == alice.id  # an unknown kid: fetched again
    assert len(fetches) == 2


def test_a_verifier_keeps_working_with_the_keys_it_has_when_accounts_cannot_answer(alice, settings):
    settings.ACCOUNTS_JWKS_CACHE_SECONDS = 0  # every token asks for the keys
    answers = [accounts_api.token_keys()]

    def fetch():
        if answers:
            return answers.pop()
        raise ConnectionError("accounts is down")

    verifier = TokenVerifier(fetch)
    token = accounts_api.token_issue(account_id=alice.id).token

    assert verifier.verify(token).account_id == alice.id
    assert verifier.verify(token).account_id == alice.id  # fetching failed: kept keys


def test_without_any_keys_a_verifier_says_tokens_cannot_be_checked_now(alice):
    def fetch():
        raise ConnectionError("accounts is down")

    token = accounts_api.token_issue(account_id=alice.id).token

    with pytest.raises(Unavailable) as caught:
        TokenVerifier(fetch).verify(token)
    assert caught.value.status == 503
