"""The accounts use cases on the database: register, sign in, delete (see test_throttling)."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from contexts.accounts import api as accounts_api
from contexts.accounts import models, services
from tests.accounts.conftest import PASSWORD, REAL_PASSWORD_HASHERS

pytestmark = pytest.mark.django_db(databases="__all__")


def test_register_returns_the_account_with_an_opaque_id_and_an_aware_time():
    account = accounts_api.account_register(name="Alice", password=PASSWORD)

    assert account.name == "Alice"
    assert len(account.id) == 32 and int(account.id, 16) >= 0
    assert account.created_at.utcoffset() is not None
    assert accounts_api.account_get(account_id=account.id) == account


def test_register_stores_a_hash_and_never_the_password(alice):
    stored = models.Account.objects.get(pk=alice.id).password_hash

    assert PASSWORD not in stored
    assert stored.startswith("md5$")  # the test hasher, set by the fixture


def test_register_hashes_with_argon2_under_the_project_settings(settings):
    settings.PASSWORD_HASHERS = REAL_PASSWORD_HASHERS

    account = accounts_api.account_register(name="Argon", password=PASSWORD)

    assert models.Account.objects.get(pk=account.id).password_hash.startswith("argon2$")
    assert accounts_api.account_authenticate(name="Argon", password=PASSWORD) == account


def test_sign_in_upgrades_a_hash_made_by_an_older_hasher(settings, alice):
    # The older hasher stays listed (so its hashes still verify) but is no longer first.
    settings.PASSWORD_HASHERS = [*REAL_PASSWORD_HASHERS, *settings.PASSWORD_HASHERS]

    accounts_api.account_authenticate(name="Alice", password=PASSWORD)

    assert models.Account.objects.get(pk=alice.id).password_hash.startswith("argon2$")


@pytest.mark.parametrize("other", ["alice", "ALICE", "aLiCe"])
def test_register_refuses_a_name_taken_in_any_case(alice, other):
    with pytest.raises(accounts_api.AccountNameTaken) as caught:
        accounts_api.account_register(name=other, password=PASSWORD)

    assert caught.value.code == "name_taken"
    assert caught.value.status == 409


def test_the_database_refuses_names_differing_only_in_case(alice):
    with pytest.raises(IntegrityError), transaction.atomic(using="accounts"):
        models.Account.objects.create(name="ALICE", password_hash="x")


def test_register_maps_a_lost_race_to_the_constraint_to_name_taken(alice, monkeypatch):
    # The existence check passes (as for a concurrent request), the constraint refuses.
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)

    with pytest.raises(accounts_api.AccountNameTaken) as caught:
        accounts_api.account_register(name="alice", password=PASSWORD)

    assert isinstance(caught.value.__cause__, IntegrityError)


@pytest.mark.parametrize(
    "name",
    ["ab", "a" * 17, "", "ali ce", "alice!", "al-ice", "Ålice", "alice\n", "１２３"],
)
def test_register_refuses_a_bad_name_naming_the_field(name):
    with pytest.raises(accounts_api.InvalidName) as caught:
        accounts_api.account_register(name=name, password=PASSWORD)

    assert caught.value.code == "invalid_name"
    assert list(caught.value.fields) == ["name"]
    assert caught.value.fields["name"]


@pytest.mark.parametrize("name", ["abc", "a" * 16, "Zz09", "123"])
def test_register_accepts_names_of_3_to_16_letters_and_digits(name):
    assert accounts_api.account_register(name=name, password=PASSWORD).name == name


@pytest.mark.parametrize(
    "password",
    ["short1!", "8305729164", "password", "alicewonder", "Alicewonder1"],
    ids=["too-short", "numeric", "common", "the-name", "similar-to-name"],
)
def test_register_refuses_a_weak_password_naming_the_field(password):
    with pytest.raises(accounts_api.InvalidPassword) as caught:
        accounts_api.account_register(name="alicewonder", password=password)

    assert caught.value.code == "invalid_password"
    assert list(caught.value.fields) == ["password"]
    assert not models.Account.objects.exists()


def test_password_problems_are_published_for_forms():
    assert accounts_api.account_password_problems(name="bob", password=PASSWORD) == []
    assert accounts_api.account_password_problems(name="bob", password="123")
    assert accounts_api.account_name_problems("bob") == []
    assert accounts_api.account_name_problems("b!")


def test_sign_in_returns_the_account_whatever_the_case_of_the_name(alice):
    assert accounts_api.account_authenticate(name="Alice", password=PASSWORD) == alice
    assert accounts_api.account_authenticate(name="alice", password=PASSWORD) == alice


@pytest.mark.parametrize(
    ("name", "password"),
    [("Alice", "wrong-password"), ("Nobody", PASSWORD), ("x" * 1000, PASSWORD), ("a\x00b", "p")],
)
def test_sign_in_fails_alike_for_wrong_password_and_unknown_name(alice, name, password):
    with pytest.raises(accounts_api.AuthenticationFailed) as caught:
        accounts_api.account_authenticate(name=name, password=password)

    assert caught.value.code == "authentication_failed"
    assert caught.value.detail == accounts_api.AuthenticationFailed.default_detail


def test_sign_in_with_an_unknown_name_still_checks_a_password_hash(monkeypatch):
    # So that the time of the answer does not tell whether the name exists.
    checked = []
    real_check = services.check_password
    monkeypatch.setattr(
        services, "check_password", lambda *a, **k: checked.append(a[1]) or real_check(*a, **k)
    )

    with pytest.raises(accounts_api.AuthenticationFailed):
        accounts_api.account_authenticate(name="Nobody", password=PASSWORD)

    assert len(checked) == 1 and checked[0].startswith("md5$")


def test_account_get_refuses_unknown_and_malformed_ids(alice):
    for account_id in ["0" * 32, "not-an-id", "", "A" * 32, "a\x00"]:
        with pytest.raises(accounts_api.AccountNotFound) as caught:
            accounts_api.account_get(account_id=account_id)
        assert caught.value.code == "account_not_found"


def test_delete_with_the_wrong_password_keeps_the_account(alice):
    with pytest.raises(accounts_api.WrongPassword) as caught:
        accounts_api.account_delete(account_id=alice.id, password="wrong-password")

    assert caught.value.code == "wrong_password"
    assert caught.value.status == 403
    assert accounts_api.account_get(account_id=alice.id) == alice


def test_delete_removes_the_account_and_frees_its_name(alice):
    accounts_api.account_delete(account_id=alice.id, password=PASSWORD)

    with pytest.raises(accounts_api.AccountNotFound):
        accounts_api.account_get(account_id=alice.id)
    with pytest.raises(accounts_api.AuthenticationFailed):
        accounts_api.account_authenticate(name="Alice", password=PASSWORD)
    assert accounts_api.account_register(name="alice", password=PASSWORD).id != alice.id


def test_delete_of_an_unknown_account_is_not_found():
    with pytest.raises(accounts_api.AccountNotFound):
        accounts_api.account_delete(account_id="0" * 32, password=PASSWORD)


def test_wrong_passwords_on_delete_are_throttled_like_sign_ins(alice):
    for _ in range(5):
        with pytest.raises(accounts_api.WrongPassword):
            accounts_api.account_delete(account_id=alice.id, password="wrong-password")

    with pytest.raises(accounts_api.SignInThrottled):
        accounts_api.account_delete(account_id=alice.id, password=PASSWORD)
    assert accounts_api.account_get(account_id=alice.id) == alice


def test_operators_remove_an_account_without_its_password(alice):
    services.account_remove(account_id=alice.id)

    with pytest.raises(accounts_api.AccountNotFound):
        accounts_api.account_get(account_id=alice.id)


def test_register_refuses_a_password_with_control_characters_naming_the_field():
    with pytest.raises(accounts_api.InvalidPassword) as caught:
        accounts_api.account_register(name="Carol", password=PASSWORD + "\u202e")

    assert caught.value.fields == {
        "password": ["Bidirectional control characters are not allowed: U+202E."]
    }
