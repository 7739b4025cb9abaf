"""Changing a password: the use case, its event, the name rule, and tokens made before it."""

import time
from types import SimpleNamespace

import jwt
import pytest
from rest_framework.test import APIClient

from contexts.accounts import api as accounts_api
from contexts.accounts import keys, models, services
from contexts.accounts.validators import password_problems
from tests.accounts.claims import token_claims
from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db(databases="__all__")

ME = "/api/v1/me"
NEW_PASSWORD = "another-horse-staple"


def _change(alice, current=PASSWORD, new=NEW_PASSWORD):
    return accounts_api.account_password_change(
        account_id=alice.id, current_password=current, new_password=new
    )


def _events(type_name: str) -> list[dict]:
    return [
        row.payload for row in models.OutboxEvent.objects.filter(type_name=type_name).order_by("id")
    ]


def _at_second(monkeypatch, second: float) -> None:
    """Make the accounts context's clock say `second` (tokens carry whole seconds)."""
    monkeypatch.setattr(services, "time", SimpleNamespace(time=lambda: second))


# --- the use case ----------------------------------------------------------------------


def test_a_password_change_takes_the_new_password_and_raises_the_generation(alice):
    changed = _change(alice)

    assert changed.id == alice.id and changed.name == "Alice"
    assert changed.credentials_generation == alice.credentials_generation + 1
    assert accounts_api.account_authenticate(name="Alice", password=NEW_PASSWORD) == changed
    with pytest.raises(accounts_api.AuthenticationFailed):
        accounts_api.account_authenticate(name="Alice", password=PASSWORD)


def test_a_password_change_announces_the_new_generation(alice):
    _change(alice)
    _change(alice, current=NEW_PASSWORD, new="third-horse-staple")

    events = _events(accounts_api.PasswordChanged.type_name)
    assert [(e["account_id"], e["name"], e["credentials_generation"]) for e in events] == [
        (alice.id, "Alice", 1),
        (alice.id, "Alice", 2),
    ]


def test_a_wrong_current_password_changes_nothing(alice):
    with pytest.raises(accounts_api.WrongPassword):
        _change(alice, current="not-the-password")

    assert accounts_api.account_authenticate(name="Alice", password=PASSWORD) == alice
    assert _events(accounts_api.PasswordChanged.type_name) == []


@pytest.mark.in_process
def test_wrong_current_passwords_are_throttled_like_sign_ins(alice):
    for _ in range(5):
        with pytest.raises(accounts_api.WrongPassword):
            _change(alice, current="not-the-password")

    with pytest.raises(accounts_api.SignInThrottled):
        _change(alice)
    with pytest.raises(accounts_api.SignInThrottled):
        accounts_api.account_authenticate(name="Alice", password=PASSWORD)


@pytest.mark.parametrize(
    "new", ["short", "1234567890", "password123", "alice12345", "ECILA-2026", PASSWORD]
)
def test_the_new_password_goes_through_the_validators(alice, new):
    with pytest.raises(accounts_api.InvalidPassword) as caught:
        _change(alice, new=new)

    assert list(caught.value.fields) == ["new_password"]
    assert caught.value.fields["new_password"]
    assert accounts_api.account_authenticate(name="Alice", password=PASSWORD) == alice


def test_an_unknown_account_is_not_found():
    with pytest.raises(accounts_api.AccountNotFound):
        accounts_api.account_password_change(
            account_id="0" * 32, current_password=PASSWORD, new_password=NEW_PASSWORD
        )


# --- the name rule -----------------------------------------------------------------------


@pytest.mark.parametrize("password", ["carol12345", "CAROL-2026", "lorac123", "12carol34carol"])
def test_a_password_made_of_the_name_and_a_few_more_characters_is_refused(password):
    problems = password_problems(name="carol", password=password)

    assert any("too similar to the name" in problem for problem in problems), problems
    assert any("“carol”" in problem for problem in problems)


@pytest.mark.parametrize("password", ["carol-likes-long-walks", "planning-ahead-42"])
def test_a_name_inside_a_long_enough_password_is_fine(password):
    assert password_problems(name="carol", password=password) == []


def test_sign_up_refuses_carol12345_for_carol(api_client):
    response = api_client.post(
        "/api/v1/accounts", {"name": "carol", "password": "carol12345"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["password"]
    assert "too similar to the name" in " ".join(response.json()["password"])


# --- tokens made before and after the change ---------------------------------------------


def test_tokens_carry_the_generation_they_were_issued_under(alice):
    before = accounts_api.token_verify(accounts_api.token_issue(account_id=alice.id).token)
    _change(alice)
    after = accounts_api.token_verify(accounts_api.token_issue(account_id=alice.id).token)

    assert (before.credentials_generation, after.credentials_generation) == (0, 1)


@pytest.mark.in_process
def test_me_refuses_a_token_issued_just_before_the_change_in_the_same_second(
    api_client, alice, monkeypatch
):
    # The three happen within one second: `iat` cannot tell them apart, the generation can.
    second = int(time.time()) - 1
    _at_second(monkeypatch, second + 0.2)
    before = accounts_api.token_issue(account_id=alice.id).token
    _change(alice)
    _at_second(monkeypatch, second + 0.7)
    after = accounts_api.token_issue(account_id=alice.id).token
    assert accounts_api.token_verify(before).issued_at == accounts_api.token_verify(after).issued_at
    monkeypatch.undo()

    refused = api_client.get(ME, HTTP_AUTHORIZATION=f"Bearer {before}")
    accepted = api_client.get(ME, HTTP_AUTHORIZATION=f"Bearer {after}")

    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == "Bearer"
    assert refused.json()["code"] == "token_revoked"
    assert accepted.status_code == 200
    assert accepted.json()["id"] == alice.id


def test_delete_me_refuses_a_token_issued_before_the_change(api_client, alice, alice_token):
    _change(alice)

    response = api_client.delete(
        ME, {"password": NEW_PASSWORD}, format="json", HTTP_AUTHORIZATION=f"Bearer {alice_token}"
    )

    assert response.status_code == 401
    assert response.json()["code"] == "token_revoked"
    assert accounts_api.account_get(account_id=alice.id).name == "Alice"


@pytest.mark.parametrize("generation", [-1, "1", 1.5, True, None, [1]])
def test_a_token_with_a_malformed_generation_is_refused(alice, generation):
    claims = {**token_claims(alice), "gen": generation}
    token = jwt.encode(claims, keys.signing_key(), algorithm="ES256")

    with pytest.raises(accounts_api.InvalidToken) as caught:
        accounts_api.token_verify(token)
    assert caught.value.code == "invalid_token"


@pytest.mark.in_process
def test_a_token_without_a_generation_counts_as_generation_0(alice):
    token = jwt.encode(token_claims(alice), keys.signing_key(), algorithm="ES256")

    assert accounts_api.token_verify(token).credentials_generation == 0
    _change(alice)
    response = APIClient().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert (response.status_code, response.json()["code"]) == (401, "token_revoked")
