"""What the benchmarks share: single calls timed one by one, their p50 and p99, and a
trivial api to put behind a seam (so that only the seam is measured)."""

import statistics
import time
from collections.abc import Callable
from typing import Protocol


def timed(call: Callable[[], object], rounds: int) -> list[float]:
    """Return the microseconds of each of `rounds` calls (after a warm-up)."""
    for _ in range(min(rounds, 1000)):
        call()
    timings = []
    clock = time.perf_counter_ns
    for _ in range(rounds):
        started = clock()
        call()
        timings.append((clock() - started) / 1000)
    return timings


def percentiles(timings: list[float]) -> tuple[float, float]:
    """Return the p50 and p99 of `timings`."""
    ordered = sorted(timings)
    return statistics.median(ordered), ordered[int(0.99 * (len(ordered) - 1))]


class PingApi(Protocol):
    def ping(self, *, value: int) -> int: ...


class LocalPing:
    def ping(self, *, value: int) -> int:
        return value
