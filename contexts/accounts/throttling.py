"""Throttle failed sign-ins per account name and per client address, in Django's cache.

Each attempt claims a slot in its buckets *before* the password is checked (an atomic
increment), so parallel guesses cannot slip past the limit; a successful attempt hands
its slots back, so only failures count. A bucket's window starts at its first failure
and lasts one period of its rate ("5/minute": five failures per 60 seconds).
"""

import contextlib
import hashlib
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache

from contexts.accounts.domain import SignInThrottled, name_key

NAME_SCOPE = "signin_name"
ADDRESS_SCOPE = "signin_address"
DEFAULT_RATES = {NAME_SCOPE: "5/minute", ADDRESS_SCOPE: "20/minute"}
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
KEY_PREFIX = "accounts:signin"


@dataclass(frozen=True)
class _Bucket:
    key: str
    limit: int
    period: int


@dataclass
class SignInAttempt:
    """The slots one sign-in attempt holds; `succeeded()` gives them back."""

    buckets: list[_Bucket] = field(default_factory=list)

    def succeeded(self) -> None:
        for bucket in self.buckets:
            _release(bucket)
        self.buckets = []


def parse_rate(rate: str | None) -> tuple[int, int] | None:
    """Return (limit, period in seconds) for "N/second|minute|hour|day", None when unset."""
    if not rate:
        return None
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[:1].lower()]


def signin_attempt(*, name: str, client_address: str | None) -> SignInAttempt:
    """Claim a slot for one attempt on `name` from `client_address`, or raise SignInThrottled."""
    attempt = SignInAttempt()
    buckets = [_bucket(NAME_SCOPE, name_key(name))]
    if client_address:
        buckets.append(_bucket(ADDRESS_SCOPE, client_address))
    waits = []
    for bucket in buckets:
        if bucket is None:
            continue
        count = _claim(bucket)
        attempt.buckets.append(bucket)
        if count > bucket.limit:
            waits.append(_remaining(bucket))
    if waits:
        # A refused attempt checks no password, so it is not a failure: give every
        # slot back and let the window run out on the failures already counted.
        attempt.succeeded()
        raise SignInThrottled(retry_after=max(waits))
    return attempt


def _rates() -> dict:
    configured = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})
    return {scope: configured.get(scope, default) for scope, default in DEFAULT_RATES.items()}


def _bucket(scope: str, identity: str) -> _Bucket | None:
    rate = parse_rate(_rates()[scope])
    if rate is None:
        return None
    limit, period = rate
    # Hash the identity: names and addresses come from clients and may hold anything.
    digest = hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()
    return _Bucket(key=f"{KEY_PREFIX}:{scope}:{digest}", limit=limit, period=period)


def _claim(bucket: _Bucket) -> int:
    """Count one more attempt in the bucket's window (opened now if none is open)."""
    for _ in range(3):
        cache.add(f"{bucket.key}:start", time.time(), timeout=bucket.period)
        cache.add(f"{bucket.key}:count", 0, timeout=bucket.period)
        try:
            return cache.incr(f"{bucket.key}:count")
        except ValueError:
            continue  # the window closed between add and incr: open a new one
    return 1


def _release(bucket: _Bucket) -> None:
    # A ValueError means the window has closed already: nothing left to give back.
    with contextlib.suppress(ValueError):
        cache.decr(f"{bucket.key}:count")


def _remaining(bucket: _Bucket) -> int:
    started = cache.get(f"{bucket.key}:start")
    if started is None:
        return bucket.period
    return max(1, int(started + bucket.period - time.time() + 0.999))
