"""Signed access tokens: ES256 JWTs that anyone holding the public key can verify."""

import secrets
from datetime import UTC, datetime

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from contexts.accounts.domain import TOKEN_TYPE, InvalidToken, IssuedToken, Principal

ALGORITHM = "ES256"
REQUIRED_CLAIMS = ("iss", "sub", "name", "iat", "exp", "jti")
# The account's credentials generation. Optional on reading: a token issued before the
# claim existed counts as generation 0, which any password change leaves behind.
GENERATION_CLAIM = "gen"


def token_encode(
    *,
    private_key: ec.EllipticCurvePrivateKey,
    issuer: str,
    account_id: str,
    name: str,
    issued_at: int,
    ttl_seconds: int,
    credentials_generation: int = 0,
) -> IssuedToken:
    """Sign a token for the account; `issued_at` is a Unix time in seconds."""
    expires = issued_at + ttl_seconds
    payload = {
        "iss": issuer,
        "sub": account_id,
        "name": name,
        "iat": issued_at,
        "exp": expires,
        "jti": secrets.token_hex(16),
        GENERATION_CLAIM: credentials_generation,
    }
    token = jwt.encode(payload, private_key, algorithm=ALGORITHM, headers={"typ": "JWT"})
    return IssuedToken(
        token=token, token_type=TOKEN_TYPE, expires_at=datetime.fromtimestamp(expires, tz=UTC)
    )


def token_decode(token: str, *, public_key: ec.EllipticCurvePublicKey, issuer: str) -> Principal:
    """Return who `token` speaks for, or raise InvalidToken.

    Only ES256 is accepted, so neither `alg: none` nor an HMAC token keyed with the
    public key can pass; the signature, issuer and expiry are checked and every claim
    is required.
    """
    try:
        claims = jwt.decode(
            token,
            public_key,
            algorithms=[ALGORITHM],
            issuer=issuer,
            options={"require": list(REQUIRED_CLAIMS), "verify_signature": True},
        )
        account_id, name, token_id = claims["sub"], claims["name"], claims["jti"]
        if not all(isinstance(value, str) and value for value in (account_id, name, token_id)):
            raise InvalidToken("The access token's claims are malformed.")
        generation = claims.get(GENERATION_CLAIM, 0)
        if type(generation) is not int or generation < 0:
            raise InvalidToken("The access token's claims are malformed.")
        issued_at = datetime.fromtimestamp(int(claims["iat"]), tz=UTC)
        expires_at = datetime.fromtimestamp(int(claims["exp"]), tz=UTC)
    except jwt.ExpiredSignatureError as exc:
        raise InvalidToken("The access token has expired.") from exc
    except (jwt.PyJWTError, ValueError, TypeError, OverflowError, OSError) as exc:
        raise InvalidToken() from exc
    return Principal(
        account_id=account_id,
        name=name,
        token_id=token_id,
        issued_at=issued_at,
        expires_at=expires_at,
        credentials_generation=generation,
    )
