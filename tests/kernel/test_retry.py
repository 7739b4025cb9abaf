"""The one backoff policy: exponential, capped, jittered within bounds."""

import random

import pytest

from contexts.kernel.retry import RetryPolicy, backoff_delay


def test_without_jitter_the_delay_doubles_with_each_attempt():
    delays = [backoff_delay(attempt, base=1.5, cap=1000, jitter=0) for attempt in range(1, 6)]

    assert delays == [1.5, 3.0, 6.0, 12.0, 24.0]


def test_the_delay_never_exceeds_the_cap():
    delays = [backoff_delay(attempt, base=2, cap=60, jitter=0) for attempt in range(1, 12)]

    assert max(delays) == 60
    assert delays[-1] == 60
    # A huge attempt number neither overflows nor escapes the cap.
    assert backoff_delay(10_000, base=2, cap=60, jitter=0) == 60


def test_jitter_takes_off_at_most_its_fraction_and_varies():
    rng = random.Random(1234)

    samples = [backoff_delay(4, base=1, cap=100, jitter=0.5, rng=rng) for _ in range(500)]

    assert all(4.0 <= delay <= 8.0 for delay in samples)
    assert len(set(samples)) > 400
    assert min(samples) < 4.5 and max(samples) > 7.5


def test_a_seeded_generator_gives_the_same_delays():
    first = [backoff_delay(n, base=1, cap=50, rng=random.Random(7)) for n in range(1, 8)]
    second = [backoff_delay(n, base=1, cap=50, rng=random.Random(7)) for n in range(1, 8)]

    assert first == second


@pytest.mark.parametrize(
    ("attempt", "base", "cap", "jitter"),
    [(0, 1, 10, 0.5), (1, -1, 10, 0.5), (1, 1, -1, 0.5), (1, 1, 10, 1.5), (1, 1, 10, -0.1)],
)
def test_nonsense_arguments_are_refused(attempt, base, cap, jitter):
    with pytest.raises(ValueError):
        backoff_delay(attempt, base=base, cap=cap, jitter=jitter)


def test_a_policy_says_when_its_attempts_are_used_up_and_how_long_to_wait():
    policy = RetryPolicy(max_attempts=3, base_seconds=2, cap_seconds=5, jitter=0)

    assert [policy.exhausted(n) for n in (1, 2, 3, 4)] == [False, False, True, True]
    assert [policy.delay(n) for n in (1, 2, 3)] == [2, 4, 5]


def test_a_policy_with_nonsense_numbers_is_refused_when_made():
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0, base_seconds=1, cap_seconds=1)
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=3, base_seconds=1, cap_seconds=1, jitter=2)
