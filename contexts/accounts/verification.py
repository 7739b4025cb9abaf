"""Verifying access tokens where they are used: locally, with the accounts keys' JWKS, cached.

A process verifies tokens without asking accounts each time: it fetches the JWKS document
once (in-process, or from the accounts service's /.well-known/jwks.json), keeps it for
ACCOUNTS_JWKS_CACHE_SECONDS in memory and in the shared cache, and fetches it again early
only when a token names a key it does not know (a rotation), at most every
REFRESH_INTERVAL seconds. While accounts cannot be reached, the keys it had keep working.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.cache import cache
from jwt.algorithms import ECAlgorithm

from contexts.accounts import tokens
from contexts.accounts.domain import Principal
from contexts.kernel.errors import Unavailable

logger = logging.getLogger(__name__)

CACHE_KEY = "accounts:jwks"
# The shared cache keeps the last document much longer than it is trusted fresh: it is
# what a process falls back on while accounts cannot be reached.
STALE_FOR_SECONDS = 7 * 24 * 3600
REFRESH_INTERVAL = 5.0
DEFAULT_TTL = 300.0
# Tokens verified lately, answered again without their signature's check (see verify).
VERIFIED_TOKENS_KEPT = 1024
DEFAULT_ISSUER = "blog-platform/accounts"

Keys = dict[str, ec.EllipticCurvePublicKey]


def keys_of(document: Any) -> Keys:
    """Return the ES256 P-256 keys of a JWKS document by kid; others are ignored."""
    found: Keys = {}
    for item in document.get("keys", []) if isinstance(document, dict) else []:
        if not isinstance(item, dict) or item.get("kty") != "EC" or item.get("crv") != "P-256":
            continue
        kid = item.get("kid")
        try:
            key = ECAlgorithm.from_jwk(item)
        except Exception:  # noqa: BLE001, S112  (a malformed key is skipped, not fatal)
            continue
        if isinstance(kid, str) and isinstance(key, ec.EllipticCurvePublicKey):
            found[kid] = key
    return found


class TokenVerifier:
    """Verify tokens against a cached JWKS document that `fetch` returns."""

    def __init__(self, fetch: Callable[[], dict[str, Any]]) -> None:
        self._fetch = fetch
        self._lock = threading.Lock()
        self._keys: Keys = {}
        self._fresh_until = 0.0
        # When a token's unknown kid last made us fetch: a forged kid must not make every
        # request a fetch, so those are spaced by REFRESH_INTERVAL.
        self._last_unknown_fetch = -REFRESH_INTERVAL
        # token -> (the keys and issuer it was verified with, whom it speaks for).
        self._verified: dict[str, tuple[Keys, str, Principal]] = {}
        self._verified_lock = threading.Lock()

    def verify(self, token: str) -> Principal:
        """Return who `token` speaks for, or raise InvalidToken (Unavailable without keys).

        A client sends its token with every request, and checking the signature is most of
        what verifying costs. What a token says cannot change, so a token verified with
        these keys and issuer is answered from memory until it expires; new keys (a
        rotation, a retired key, a refetch) or another issuer check it again.
        """
        issuer = getattr(settings, "ACCOUNTS_TOKEN_ISSUER", DEFAULT_ISSUER)
        keys = self._current()
        known = self._verified.get(token)
        if known is not None:
            known_keys, known_issuer, principal = known
            # Expired from the second of `exp` on, as PyJWT decides it.
            fresh = int(time.time()) < principal.expires_at.timestamp()
            if known_keys is keys and known_issuer == issuer and fresh:
                return principal
            with self._verified_lock:
                self._verified.pop(token, None)
        try:
            principal = tokens.token_decode(token, keys=keys, issuer=issuer)
        except tokens.UnknownSigningKey:
            if not self._refresh(force=False):
                raise
            keys = self._keys
            principal = tokens.token_decode(token, keys=keys, issuer=issuer)
        with self._verified_lock:
            if len(self._verified) >= VERIFIED_TOKENS_KEPT:
                self._verified.pop(next(iter(self._verified)))  # the oldest goes
            self._verified[token] = (keys, issuer, principal)
        return principal

    def _current(self) -> Keys:
        if time.monotonic() < self._fresh_until and self._keys:
            return self._keys
        self._refresh(force=True)
        if not self._keys:
            raise Unavailable("The accounts keys cannot be fetched; tokens cannot be checked.")
        return self._keys

    def _refresh(self, *, force: bool) -> bool:
        """Fetch the JWKS again; True if it brought keys. Without `force` (an unknown kid),
        at most every REFRESH_INTERVAL seconds."""
        with self._lock:
            now = time.monotonic()
            if not force:
                if now - self._last_unknown_fetch < REFRESH_INTERVAL:
                    return False
                self._last_unknown_fetch = now
            ttl = float(getattr(settings, "ACCOUNTS_JWKS_CACHE_SECONDS", DEFAULT_TTL))
            try:
                document = self._fetch()
                keys = keys_of(document)
                if keys:
                    cache.set(CACHE_KEY, document, timeout=STALE_FOR_SECONDS)
            except Exception as exc:  # noqa: BLE001  (accounts away: keep what we have)
                logger.warning("could not fetch the accounts JWKS: %s", exc)
                keys = self._keys or keys_of(_cached())
                ttl = min(ttl, REFRESH_INTERVAL)
            if keys:
                self._keys = keys
                self._fresh_until = now + ttl
            return bool(keys)


def _cached() -> Any:
    try:
        return cache.get(CACHE_KEY)
    except Exception:  # noqa: BLE001  (no shared cache either)
        return None
