"""manage.py token_keys: an operator rotates the signing key without signing anyone out,
then retires the old key once its tokens have expired."""

import os
from io import StringIO

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management import CommandError, call_command

from contexts.accounts import api as accounts_api
from contexts.accounts import keys
from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db(databases="__all__")


def _run(*args: str) -> str:
    out = StringIO()
    call_command("token_keys", *args, stdout=out)
    return out.getvalue()


def _kid(token: str) -> str:
    return jwt.get_unverified_header(token)["kid"]


def _new_private_pem() -> bytes:
    return ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def test_rotate_then_retire_keeps_old_tokens_until_the_old_key_goes():
    alice = accounts_api.account_register(name="alice", password=PASSWORD)
    old_token = accounts_api.token_issue(account_id=alice.id).token
    assert _run("show").splitlines() == [f"{_kid(old_token)}  signs and verifies"]

    rotated = _run("rotate")
    new_token = accounts_api.token_issue(account_id=alice.id).token

    assert f"signing with {_kid(new_token)}" in rotated
    # What it says to run later, as an operator would paste it (a kid may start with "-").
    hint = rotated.split("manage.py token_keys ")[1].split()
    assert hint[0] == "retire" and hint[-1] == _kid(old_token)
    assert _run("show").splitlines() == [
        f"{_kid(new_token)}  signs and verifies",
        f"{_kid(old_token)}  verifies",
    ]
    assert accounts_api.token_verify(old_token).account_id == alice.id

    assert "retired" in _run(*hint)
    with pytest.raises(accounts_api.InvalidToken):
        accounts_api.token_verify(old_token)
    assert accounts_api.token_verify(new_token).account_id == alice.id


def test_retiring_the_signing_key_or_an_unknown_kid_is_refused():
    signing = keys.key_id(keys.key_pair().public_key)

    with pytest.raises(CommandError, match="is the signing key"):
        _run("retire", "--", signing)
    with pytest.raises(CommandError, match="no retired key nope"):
        _run("retire", "nope")
    # A key id is base64url: one in 64 starts with "-", which takes "--" before it.
    with pytest.raises(CommandError, match="no retired key -nope"):
        _run("retire", "--", "-nope")
    assert _run("show").splitlines() == [f"{signing}  signs and verifies"]


def test_a_key_from_the_environment_is_rotated_there(settings):
    settings.ACCOUNTS_PRIVATE_KEY_PEM = _new_private_pem().decode()

    with pytest.raises(CommandError, match="rotate it there"):
        _run("rotate")


def test_a_running_process_signs_with_the_key_another_process_rotated_to():
    before = keys.key_id(keys.key_pair().public_key)
    path = keys.default_key_path()
    replacement = path.with_name("replacement.pem")
    replacement.write_bytes(_new_private_pem())
    stat = path.stat()
    os.replace(replacement, path)  # as `token_keys rotate` in another process leaves it
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))

    after = keys.key_id(keys.key_pair().public_key)

    assert after != before
    alice = accounts_api.account_register(name="alice", password=PASSWORD)
    assert _kid(accounts_api.token_issue(account_id=alice.id).token) == after
