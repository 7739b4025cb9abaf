"""Hand-made token claims, for tests that forge, expire or tamper with access tokens."""

import time

from contexts.accounts import services as accounts_services


def token_claims(account, **changes) -> dict:
    """Return valid claims for `account`; a change to None drops that claim."""
    now = int(time.time())
    claims = {
        "iss": accounts_services.token_issuer(),
        "sub": account.id,
        "name": account.name,
        "iat": now,
        "exp": now + 600,
        "jti": "a-token-id",
    }
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}
