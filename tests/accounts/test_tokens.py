"""Access tokens: what verification accepts and refuses, and where the keys come from."""

import base64
import hashlib
import hmac
import json
import stat
import threading
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.exceptions import ImproperlyConfigured

from contexts.accounts import api as accounts_api
from contexts.accounts import keys, tokens
from contexts.accounts import services as accounts_services
from tests.accounts.claims import token_claims

pytestmark = pytest.mark.django_db(databases="__all__")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _signed(claims: dict, key=None) -> str:
    return jwt.encode(claims, key or keys.signing_key(), algorithm="ES256")


def _refused(token: str) -> accounts_api.InvalidToken:
    with pytest.raises(accounts_api.InvalidToken) as caught:
        accounts_api.token_verify(token)
    assert caught.value.code == "invalid_token"
    assert caught.value.status == 401
    return caught.value


def _pem_pair() -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def test_an_issued_token_verifies_to_its_account(alice):
    issued = accounts_api.token_issue(account_id=alice.id)
    principal = accounts_api.token_verify(issued.token)

    assert issued.token_type == "Bearer"
    assert principal.account_id == alice.id
    assert principal.name == "Alice"
    assert principal.is_authenticated is True
    assert principal.expires_at == issued.expires_at
    assert (principal.expires_at - principal.issued_at).total_seconds() == 3600


def test_a_token_carries_every_claim_and_verifies_with_the_public_key_alone(alice):
    issued = accounts_api.token_issue(account_id=alice.id)
    public_key = serialization.load_pem_public_key(keys.key_pair().public_pem.encode())

    claims = jwt.decode(
        issued.token, public_key, algorithms=["ES256"], issuer=accounts_services.token_issuer()
    )
    header = jwt.get_unverified_header(issued.token)

    assert header["alg"] == "ES256"
    assert set(claims) == {"iss", "sub", "name", "iat", "exp", "jti", "gen"}
    assert claims["gen"] == 0
    assert claims["sub"] == alice.id and claims["name"] == "Alice"


def test_every_token_has_its_own_id(alice):
    first = accounts_api.token_verify(accounts_api.token_issue(account_id=alice.id).token)
    second = accounts_api.token_verify(accounts_api.token_issue(account_id=alice.id).token)

    assert first.token_id != second.token_id


def test_the_lifetime_is_a_setting(alice, settings):
    settings.ACCOUNTS_TOKEN_TTL_SECONDS = 120

    principal = accounts_api.token_verify(accounts_api.token_issue(account_id=alice.id).token)

    assert (principal.expires_at - principal.issued_at).total_seconds() == 120


def test_the_issuer_is_a_setting_and_verification_demands_it(alice, settings):
    settings.ACCOUNTS_TOKEN_ISSUER = "https://accounts.example"
    token = accounts_api.token_issue(account_id=alice.id).token

    assert (
        jwt.decode(token, options={"verify_signature": False})["iss"]
        == settings.ACCOUNTS_TOKEN_ISSUER
    )
    settings.ACCOUNTS_TOKEN_ISSUER = "https://elsewhere.example"
    _refused(token)


def test_a_token_verified_before_is_refused_once_the_issuer_changes(alice, settings):
    settings.ACCOUNTS_JWKS_CACHE_SECONDS = 300  # the keys kept, as a deployment keeps them
    token = accounts_api.token_issue(account_id=alice.id).token
    assert accounts_api.token_verify(token).account_id == alice.id

    settings.ACCOUNTS_TOKEN_ISSUER = "https://elsewhere.example"

    _refused(token)


def test_no_token_for_an_unknown_account():
    with pytest.raises(accounts_api.AccountNotFound):
        accounts_api.token_issue(account_id="0" * 32)


def _issued(account, *, issued_at: int, ttl_seconds: int) -> tokens.IssuedToken:
    """A token for `account` signed with the current key, issued when the test says."""
    return tokens.token_encode(
        private_key=keys.signing_key(),
        key_id=keys.key_id(keys.signing_key().public_key()),
        issuer=accounts_services.token_issuer(),
        account_id=account.id,
        name=account.name,
        issued_at=issued_at,
        ttl_seconds=ttl_seconds,
    )


def test_an_expired_token_is_refused(alice):
    expired = _issued(alice, issued_at=int(time.time()) - 7200, ttl_seconds=3600)

    assert "expired" in _refused(expired.token).detail


def test_a_token_verified_before_stops_working_when_it_expires(alice, settings):
    # Verified tokens are answered from memory afterwards (with the keys kept, as a
    # deployment keeps them): never past their expiry.
    settings.ACCOUNTS_JWKS_CACHE_SECONDS = 300
    now = int(time.time())
    short = _issued(alice, issued_at=now - 3599, ttl_seconds=3600)
    assert accounts_api.token_verify(short.token).account_id == alice.id
    assert accounts_api.token_verify(short.token).account_id == alice.id

    while int(time.time()) < now + 1:  # the second its `exp` names
        time.sleep(0.05)

    assert "expired" in _refused(short.token).detail


def test_alg_none_is_refused(alice):
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    payload = _b64(json.dumps(token_claims(alice)).encode())

    _refused(f"{header}.{payload}.")


def test_a_tampered_payload_is_refused(alice, alice_token):
    header, _, signature = alice_token.split(".")
    payload = _b64(json.dumps(token_claims(alice, name="Mallory", sub="f" * 32)).encode())

    _refused(f"{header}.{payload}.{signature}")


def test_an_hs256_token_keyed_with_the_public_key_is_refused(alice):
    # The classic algorithm confusion: the public key used as an HMAC secret.
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64(json.dumps(token_claims(alice)).encode())
    secret = keys.key_pair().public_pem.encode()
    signature = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()

    _refused(f"{header}.{payload}.{_b64(signature)}")


def test_a_token_signed_by_another_key_is_refused(alice):
    _refused(_signed(token_claims(alice), key=ec.generate_private_key(ec.SECP256R1())))


def test_a_token_of_another_issuer_is_refused(alice):
    _refused(_signed(token_claims(alice, iss="someone-else")))


@pytest.mark.parametrize("claim", ["iss", "sub", "name", "iat", "exp", "jti"])
def test_a_token_missing_a_claim_is_refused(alice, claim):
    _refused(_signed(token_claims(alice, **{claim: None})))


@pytest.mark.parametrize(
    "changes",
    [{"name": 42}, {"sub": ""}, {"jti": ["x"]}, {"iat": "yesterday"}, {"iat": 10**20}],
)
def test_a_token_with_malformed_claims_is_refused(alice, changes):
    _refused(_signed(token_claims(alice, **changes)))


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "a.b", "é.é.é", "x" * 5000])
def test_garbage_is_refused(token):
    _refused(token)


def test_the_default_key_is_generated_once_private_to_its_owner_and_reused(alice, key_dir):
    first = accounts_api.token_issue(account_id=alice.id).token
    path = key_dir / keys.KEY_FILE_NAME
    content = path.read_bytes()

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert b"PRIVATE KEY" in content
    assert list(key_dir.iterdir()) == [path]  # no temporary file left behind

    keys._load.cache_clear()  # as a new process would
    assert accounts_api.token_verify(first).account_id == alice.id
    assert path.read_bytes() == content


def test_processes_starting_together_end_up_with_one_key(key_dir):
    results = []

    def load():
        results.append(keys._load_or_create(key_dir / keys.KEY_FILE_NAME))

    threads = [threading.Thread(target=load) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    public_numbers = {key.public_key().public_numbers() for key in results}
    assert len(public_numbers) == 1
    assert [p.name for p in key_dir.iterdir()] == [keys.KEY_FILE_NAME]


def test_keys_from_the_settings_are_used_and_no_file_is_made(alice, settings, key_dir):
    private_pem, public_pem = _pem_pair()
    settings.ACCOUNTS_PRIVATE_KEY_PEM = private_pem

    token = accounts_api.token_issue(account_id=alice.id).token

    assert keys.key_pair().public_pem == public_pem
    assert (
        jwt.decode(
            token, public_pem, algorithms=["ES256"], issuer=accounts_services.token_issuer()
        )["sub"]
        == alice.id
    )
    assert not key_dir.exists()


def test_a_pem_with_escaped_newlines_from_the_environment_is_accepted(alice, settings):
    private_pem, public_pem = _pem_pair()
    settings.ACCOUNTS_PRIVATE_KEY_PEM = private_pem.strip().replace("\n", "\\n")

    assert keys.key_pair().public_pem == public_pem


def test_keys_from_files(alice, settings, tmp_path):
    private_pem, public_pem = _pem_pair()
    (tmp_path / "private.pem").write_text(private_pem)
    settings.ACCOUNTS_PRIVATE_KEY_FILE = str(tmp_path / "private.pem")

    assert keys.key_pair().public_pem == public_pem


def test_a_verify_only_process_verifies_but_cannot_issue(alice, settings):
    issued = accounts_api.token_issue(account_id=alice.id).token
    settings.ACCOUNTS_PUBLIC_KEY_PEM = keys.key_pair().public_pem

    assert accounts_api.token_verify(issued).account_id == alice.id
    with pytest.raises(ImproperlyConfigured):
        accounts_api.token_issue(account_id=alice.id)


@pytest.mark.parametrize(
    "setting", ["ACCOUNTS_PRIVATE_KEY_PEM", "ACCOUNTS_PUBLIC_KEY_PEM"], ids=["private", "public"]
)
def test_a_key_that_is_not_p256_is_refused_at_load(settings, setting):
    key = ec.generate_private_key(ec.SECP384R1())
    if setting == "ACCOUNTS_PRIVATE_KEY_PEM":
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    else:
        pem = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    setattr(settings, setting, pem.decode())

    with pytest.raises(ImproperlyConfigured, match="P-256"):
        keys.key_pair()


def test_mismatched_private_and_public_keys_are_refused(settings):
    settings.ACCOUNTS_PRIVATE_KEY_PEM = _pem_pair()[0]
    settings.ACCOUNTS_PUBLIC_KEY_PEM = _pem_pair()[1]

    with pytest.raises(ImproperlyConfigured):
        keys.key_pair()
