"""Throttle failed sign-ins without handing anyone a way to lock others out (ADR 0005).

Failures are counted in Django's cache, which every serving process must share (Redis
with CACHE_URL; the production settings fall back to a database cache), in three
buckets, each a window that opens at its first failure and lasts one period of its rate
("5/minute": five failures per 60 seconds):

- per (name, address), tight: past its rate, that address may not try that name again
  before the window ends (429). This is what stops one guesser.
- per name and per address, loose: past its rate, attempts are let through one per
  delay, and the delay doubles with each further failure up to
  THROTTLE_SIGNIN_MAX_DELAY_SECONDS. Nobody is locked out for good; a distributed
  guesser is slowed down.

An address with no failure in its windows is "clean": it skips the delays, so the right
password from an address that has not failed always signs in, whatever strangers did to
the name. A delay only slows down addresses that have failed themselves.

Each attempt claims its slot in every bucket *before* the password is checked (an atomic
increment), so parallel guesses cannot slip past a limit; a successful attempt, or one
refused before any check, hands its slots back, so only failures count.
"""

import contextlib
import hashlib
import math
import time
from dataclasses import dataclass, field
from typing import cast

from django.conf import settings
from django.core.cache import cache

from contexts.accounts.domain import SignInThrottled, name_key

PAIR_SCOPE = "signin_pair"
NAME_SCOPE = "signin_name"
ADDRESS_SCOPE = "signin_address"
DEFAULT_RATES = {PAIR_SCOPE: "5/minute", NAME_SCOPE: "10/hour", ADDRESS_SCOPE: "100/hour"}
DEFAULT_MAX_DELAY_SECONDS = 60
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
KEY_PREFIX = "accounts:signin"
# Callers that know no client address (a call from another context) share one.
UNKNOWN_ADDRESS = "-"


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
    address = client_address or UNKNOWN_ADDRESS
    pair = _bucket(PAIR_SCOPE, f"{name_key(name)}\n{address}")
    by_name = _bucket(NAME_SCOPE, name_key(name))
    by_address = _bucket(ADDRESS_SCOPE, address)
    # Decided before this attempt claims anything: has this address failed lately?
    clean = not any(_failures(bucket) for bucket in (pair, by_address) if bucket is not None)
    attempt = SignInAttempt()
    try:
        if pair is not None:
            attempt.buckets.append(pair)
            if _claim(pair) > pair.limit:
                raise SignInThrottled(retry_after=_remaining(pair))
        for bucket in (by_name, by_address):
            if bucket is None:
                continue
            if not clean and (wait := _wait(bucket)):
                raise SignInThrottled(retry_after=wait)
            attempt.buckets.append(bucket)
            _claim(bucket)
    except SignInThrottled:
        # A refused attempt checks no password, so it is not a failure: give every slot
        # back and let the windows run out on the failures already counted.
        attempt.succeeded()
        raise
    return attempt


def _rates() -> dict[str, str | None]:
    # Rates are text such as "10/min" (or None: no limit).
    rates = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})
    configured = cast(dict[str, str | None], rates)
    return {scope: configured.get(scope, default) for scope, default in DEFAULT_RATES.items()}


def _max_delay() -> int:
    return int(getattr(settings, "THROTTLE_SIGNIN_MAX_DELAY_SECONDS", DEFAULT_MAX_DELAY_SECONDS))


def _bucket(scope: str, identity: str) -> _Bucket | None:
    rate = parse_rate(_rates()[scope])
    if rate is None:
        return None
    limit, period = rate
    # Hash the identity: names and addresses come from clients and may hold anything.
    digest = hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()
    return _Bucket(key=f"{KEY_PREFIX}:{scope}:{digest}", limit=limit, period=period)


def _failures(bucket: _Bucket) -> int:
    return cache.get(f"{bucket.key}:count") or 0


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
    return max(1, math.ceil(started + bucket.period - time.time()))


def _wait(bucket: _Bucket) -> int:
    """Return how long to wait before the bucket lets another attempt through (0: go now).

    Past the bucket's limit one attempt per delay goes through: the first to take the
    gate, an atomic add that lives as long as the delay.
    """
    excess = _failures(bucket) - bucket.limit
    if excess < 0:
        return 0
    delay = min(2**excess, _max_delay())
    now = time.time()
    gate = f"{bucket.key}:gate"
    if cache.add(gate, now + delay, timeout=delay):
        return 0
    opens_at = cache.get(gate)
    return max(1, math.ceil(opens_at - now)) if opens_at else 1
