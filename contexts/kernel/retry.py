"""The one retry policy: exponential backoff, capped, with jitter, shared by every retry."""

import random
from dataclasses import dataclass

_random = random.Random()


def backoff_delay(
    attempt: int,
    *,
    base: float,
    cap: float,
    jitter: float = 0.5,
    rng: random.Random | None = None,
) -> float:
    """Return the seconds to wait after failed attempt number `attempt` (1 for the first).

    The delay doubles with each attempt from `base` and never exceeds `cap`; `jitter`
    (0 to 1) takes up to that fraction off at random, so that many retries failing
    together do not come back together. The result lies in [d * (1 - jitter), d] for
    d = min(cap, base * 2 ** (attempt - 1)).
    """
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    if base < 0 or cap < 0:
        raise ValueError("base and cap must not be negative")
    if not 0 <= jitter <= 1:
        raise ValueError("jitter must lie between 0 and 1")
    # The exponent is bounded so that a huge attempt number cannot overflow a float.
    ceiling = min(cap, base * 2.0 ** min(attempt - 1, 64))
    return ceiling * (1 - jitter * (rng or _random).random())


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """How often and how patiently to retry one piece of work."""

    max_attempts: int
    base_seconds: float
    cap_seconds: float
    jitter: float = 0.5

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        # Validate the numbers once, here, rather than on the first failure.
        backoff_delay(1, base=self.base_seconds, cap=self.cap_seconds, jitter=self.jitter)

    def delay(self, attempt: int, *, rng: random.Random | None = None) -> float:
        """Return the seconds to wait after failed attempt number `attempt`."""
        return backoff_delay(
            attempt, base=self.base_seconds, cap=self.cap_seconds, jitter=self.jitter, rng=rng
        )

    def exhausted(self, attempts: int) -> bool:
        """Tell whether `attempts` attempts use up the policy (no retry after them)."""
        return attempts >= self.max_attempts
