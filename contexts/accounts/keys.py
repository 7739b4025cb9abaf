"""The token keys: the signing key pair (from settings, or generated once under var/), the
retired public keys that still verify tokens signed before a rotation, and their JWKS.

Each key is known by its `kid`, the RFC 7638 thumbprint of its public half; tokens name
the key that signed them, and verifiers pick it out of the JWKS document accounts
publishes at /.well-known/jwks.json.
"""

import base64
import functools
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_FILE_NAME = "accounts-signing-key.pem"
# The embedded default keeps the public halves of retired keys here, one file each.
RETIRED_DIR_NAME = "accounts-retired-keys"
CURVE_NAME = "secp256r1"  # P-256, the curve ES256 is defined on


@dataclass(frozen=True)
class KeyPair:
    """The keys tokens are signed and verified with; `private_key` is None for verify-only."""

    private_key: ec.EllipticCurvePrivateKey | None
    public_key: ec.EllipticCurvePublicKey
    public_pem: str


@dataclass(frozen=True)
class _KeyConfig:
    private_pem: str
    private_file: str
    public_pem: str
    public_file: str
    key_dir: str
    # The generated key file's modification time: a rotation by another process (manage.py
    # token_keys rotate) replaces the file, and this process signs with the new key at once.
    key_file_stamp: int


def key_pair() -> KeyPair:
    """Return the configured key pair, loading (or creating) it on first use."""
    return _load(_config())


def signing_key() -> ec.EllipticCurvePrivateKey:
    """Return the private key tokens are signed with."""
    private_key = key_pair().private_key
    if private_key is None:
        raise ImproperlyConfigured(
            "Only ACCOUNTS_PUBLIC_KEY_PEM is configured: this process can verify access "
            "tokens but not issue them. Configure ACCOUNTS_PRIVATE_KEY_PEM to issue them."
        )
    return private_key


def default_key_path() -> Path:
    """Return where the embedded default keeps its generated private key."""
    key_dir = getattr(settings, "ACCOUNTS_KEY_DIR", None) or settings.VAR_DIR
    return Path(key_dir) / KEY_FILE_NAME


def _config() -> _KeyConfig:
    path = default_key_path()
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        stamp = 0
    return _KeyConfig(
        private_pem=getattr(settings, "ACCOUNTS_PRIVATE_KEY_PEM", "") or "",
        private_file=str(getattr(settings, "ACCOUNTS_PRIVATE_KEY_FILE", "") or ""),
        public_pem=getattr(settings, "ACCOUNTS_PUBLIC_KEY_PEM", "") or "",
        public_file=str(getattr(settings, "ACCOUNTS_PUBLIC_KEY_FILE", "") or ""),
        key_dir=str(path.parent),
        key_file_stamp=stamp,
    )


# Keyed by the configuration, so that a changed setting (tests, a reload) takes effect.
@functools.lru_cache(maxsize=16)
def _load(config: _KeyConfig) -> KeyPair:
    private_pem = config.private_pem or _read_text(config.private_file, "ACCOUNTS_PRIVATE_KEY_FILE")
    public_pem = config.public_pem or _read_text(config.public_file, "ACCOUNTS_PUBLIC_KEY_FILE")
    private_key = _parse_private(private_pem, "ACCOUNTS_PRIVATE_KEY_PEM") if private_pem else None
    public_key = _parse_public(public_pem, "ACCOUNTS_PUBLIC_KEY_PEM") if public_pem else None
    if private_key is None and public_key is None:
        private_key = _load_or_create(Path(config.key_dir) / KEY_FILE_NAME)
    if private_key is not None:
        derived = private_key.public_key()
        if public_key is not None and _public_pem(public_key) != _public_pem(derived):
            raise ImproperlyConfigured(
                "ACCOUNTS_PUBLIC_KEY_PEM is not the public half of ACCOUNTS_PRIVATE_KEY_PEM."
            )
        public_key = derived
    assert public_key is not None  # given, derived, or made with the key just created
    return KeyPair(
        private_key=private_key, public_key=public_key, public_pem=_public_pem(public_key)
    )


def _read_text(path: str, setting: str) -> str:
    if not path:
        return ""
    try:
        return Path(path).read_text()
    except OSError as exc:
        raise ImproperlyConfigured(f"{setting}: cannot read {path}: {exc}") from exc


def _pem_bytes(pem: str) -> bytes:
    # A PEM passed through an environment variable often has its newlines written as "\n".
    if "\n" not in pem.strip():
        pem = pem.replace("\\n", "\n")
    return pem.strip().encode() + b"\n"


def _parse_private(pem: str, source: str) -> ec.EllipticCurvePrivateKey:
    try:
        key = serialization.load_pem_private_key(_pem_bytes(pem), password=None)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"{source} is not an unencrypted PEM private key.") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != CURVE_NAME:
        raise ImproperlyConfigured(f"{source} must be an EC P-256 key (ES256).")
    return key


def _parse_public(pem: str, source: str) -> ec.EllipticCurvePublicKey:
    try:
        key = serialization.load_pem_public_key(_pem_bytes(pem))
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"{source} is not a PEM public key.") from exc
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != CURVE_NAME:
        raise ImproperlyConfigured(f"{source} must be an EC P-256 key (ES256).")
    return key


def _public_pem(key: ec.EllipticCurvePublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def _load_or_create(path: Path) -> ec.EllipticCurvePrivateKey:
    """Read the generated key at `path`, generating it first if it does not exist yet.

    Several processes may start at once: each writes its candidate to a private
    temporary file and hard-links it into place, which fails if the name exists, so
    exactly one key wins and every process ends up signing with it.
    """
    try:
        return _parse_private(path.read_text(), str(path))
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(8)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(pem)
            stream.flush()
            os.fsync(stream.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return _parse_private(path.read_text(), str(path))
    finally:
        temporary.unlink(missing_ok=True)
    return key


# --- key ids, JWKS and rotation -------------------------------------------------------------


def _b64(number: int) -> str:
    raw = number.to_bytes(32, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jwk(public_key: ec.EllipticCurvePublicKey) -> dict[str, str]:
    """Return the JWK of a P-256 public key, with its kid."""
    numbers = public_key.public_numbers()
    members = {"crv": "P-256", "kty": "EC", "x": _b64(numbers.x), "y": _b64(numbers.y)}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode()
    kid = base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()).rstrip(b"=").decode()
    return {**members, "kid": kid, "use": "sig", "alg": "ES256"}


def key_id(public_key: ec.EllipticCurvePublicKey) -> str:
    """Return a key's kid: the RFC 7638 thumbprint of its public half."""
    return jwk(public_key)["kid"]


def retired_dir() -> Path:
    """Return where the embedded default keeps retired public keys."""
    return default_key_path().parent / RETIRED_DIR_NAME


def retired_keys() -> list[ec.EllipticCurvePublicKey]:
    """Return the retired public keys: ACCOUNTS_RETIRED_PUBLIC_KEYS_PEM, and var/'s files."""
    found = []
    configured = getattr(settings, "ACCOUNTS_RETIRED_PUBLIC_KEYS_PEM", "") or ""
    for block in configured.replace("\\n", "\n").split("-----END PUBLIC KEY-----"):
        if block.strip():
            pem = block.strip() + "\n-----END PUBLIC KEY-----"
            found.append(_parse_public(pem, "ACCOUNTS_RETIRED_PUBLIC_KEYS_PEM"))
    directory = retired_dir()
    if directory.is_dir():
        for path in sorted(directory.glob("*.pem")):
            found.append(_parse_public(path.read_text(), str(path)))
    return found


def verification_keys() -> dict[str, ec.EllipticCurvePublicKey]:
    """Return every key that verifies tokens by kid: the current one first, then retired ones."""
    current = key_pair().public_key
    keys = {key_id(current): current}
    for key in retired_keys():
        keys.setdefault(key_id(key), key)
    return keys


def jwks() -> dict[str, Any]:
    """Return the JWKS document of every key that verifies tokens."""
    return {"keys": [jwk(key) for key in verification_keys().values()]}


def rotate() -> tuple[str, str]:
    """Retire the embedded default's signing key and generate a new one; return both kids.

    The retired key's public half keeps verifying the tokens it signed until they
    expire; `retire(kid)` removes it afterwards. Keys configured in the environment are
    rotated by changing the environment (ACCOUNTS_RETIRED_PUBLIC_KEYS_PEM keeps the old).
    """
    if _config().private_pem or _config().private_file or _config().public_pem:
        raise ImproperlyConfigured(
            "the signing key comes from the environment: rotate it there, and list the old "
            "public key in ACCOUNTS_RETIRED_PUBLIC_KEYS_PEM"
        )
    path = default_key_path()
    old = _load_or_create(path).public_key()
    directory = retired_dir()
    directory.mkdir(parents=True, exist_ok=True)
    old_kid = key_id(old)
    (directory / f"{old_kid}.pem").write_text(_public_pem(old))
    path.unlink()
    _load.cache_clear()
    new = _load_or_create(path).public_key()
    _load.cache_clear()
    return old_kid, key_id(new)


def retire(kid: str) -> bool:
    """Stop verifying tokens signed by the retired key `kid`; False if there is none."""
    path = retired_dir() / f"{kid}.pem"
    if path.parent != retired_dir() or not path.exists():
        return False
    path.unlink()
    return True
