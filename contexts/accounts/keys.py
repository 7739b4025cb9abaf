"""The token signing key pair: from settings or the environment, or generated once under var/."""

import functools
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_FILE_NAME = "accounts-signing-key.pem"
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
    return _KeyConfig(
        private_pem=getattr(settings, "ACCOUNTS_PRIVATE_KEY_PEM", "") or "",
        private_file=str(getattr(settings, "ACCOUNTS_PRIVATE_KEY_FILE", "") or ""),
        public_pem=getattr(settings, "ACCOUNTS_PUBLIC_KEY_PEM", "") or "",
        public_file=str(getattr(settings, "ACCOUNTS_PUBLIC_KEY_FILE", "") or ""),
        key_dir=str(default_key_path().parent),
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
