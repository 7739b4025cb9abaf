"""Service-to-service credentials: short-lived tokens signed with the deployment's internal key.

A caller signs `{"iss": <its role>, "aud": <the callee context>, "exp": now + 60 s}` with
INTERNAL_API_KEY (HS256); the callee's internal endpoints refuse any request without a
valid one for themselves (401). The key never leaves the deployment's processes.
"""

import threading
import time

import jwt
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ALGORITHM = "HS256"
LIFETIME_SECONDS = 60
# A token is reused while it has at least this long to live.
REUSE_MARGIN_SECONDS = 30


class InvalidServiceCredentials(Exception):
    """A request to an internal endpoint carries no valid service token for it."""


def _key() -> str:
    key = getattr(settings, "INTERNAL_API_KEY", "")
    if len(key) < 32:
        raise ImproperlyConfigured("INTERNAL_API_KEY must be set to at least 32 characters")
    return key


_issued: dict[tuple[str, str], tuple[str, float]] = {}
_lock = threading.Lock()


def service_token(*, audience: str, issuer: str) -> str:
    """Return a service token for calling `audience`, reused while it is fresh."""
    now = time.time()
    with _lock:
        cached = _issued.get((audience, issuer))
        if cached is not None and cached[1] - now > REUSE_MARGIN_SECONDS:
            return cached[0]
        expires = now + LIFETIME_SECONDS
        token = jwt.encode(
            {"iss": issuer, "aud": audience, "iat": int(now), "exp": int(expires)},
            _key(),
            algorithm=ALGORITHM,
        )
        _issued[(audience, issuer)] = (token, expires)
        return token


# Tokens already verified, with the caller they name and when they expire: a caller reuses
# its token for half a minute, so a service checks each signature once, not on every call
# (PyJWT's HS256 check costs about 0.3 ms). Bounded: a flood of distinct tokens clears it.
_verified: dict[tuple[str, str, str], tuple[str, float]] = {}
VERIFIED_MAX = 1024


def verify_service_token(token: str, *, audience: str) -> str:
    """Return the caller a service token names; raise InvalidServiceCredentials."""
    key = _key()
    known = _verified.get((token, audience, key))
    if known is not None and time.time() < known[1]:
        return known[0]
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=audience,
            options={"require": ["iss", "aud", "exp"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidServiceCredentials(str(exc)) from exc
    caller = str(claims["iss"])
    with _lock:
        if len(_verified) >= VERIFIED_MAX:
            _verified.clear()
        _verified[(token, audience, key)] = (caller, float(claims["exp"]))
    return caller
