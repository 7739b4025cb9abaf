"""Benchmark concurrent writers on `make run` and `make serve` with the embedded SQLite defaults.

Run from the project root (`make bench-concurrency`); it needs no database or broker:

    .venv/bin/python bench/concurrency.py [--writers 50] [--load 1000] [--targets run serve]

For each server, started as the Makefile starts it in a VAR_DIR of its own (tests/live.py),
it measures, with real threads over HTTP:

1. the baseline: the same entry creations one at a time (the single-writer rate);
2. `--writers` entry creations at once, then `--writers` sign-ups at once, then both together;
3. a sustained load: `--load` entry creations from `--writers` threads;

and prints, for each, the answers by status, how many were 500 or more, dropped
connections, p50/p95 latency and throughput against the baseline. Then it kills the
server (SIGKILL) and checks that every 201 it answered is in the database files.
"""

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from tests import live  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def report(label: str, result: live.Burst, baseline_rate: float | None) -> None:
    answered = [answer for answer in result.answers if answer is not None]
    rate = len(answered) / result.seconds if result.seconds else 0.0
    latencies = [answer.seconds for answer in answered]
    ratio = f"{rate / baseline_rate:.2f}x" if baseline_rate else "1.00x"
    print(
        f"  {label:<34} {str(result.statuses()):<22} >=500: {len(result.server_errors()):>3}"
        f"  dropped: {len(result.errors):>3}  p50 {statistics.median(latencies) * 1000:6.0f} ms"
        f"  p95 {percentile(latencies, 0.95) * 1000:6.0f} ms  {rate:6.1f}/s ({ratio})"
    )


def sequential(senders: list) -> live.Burst:
    result = live.Burst()
    started = time.perf_counter()
    result.answers = [send() for send in senders]
    result.seconds = time.perf_counter() - started
    return result


def sustained(senders: list, threads: int) -> live.Burst:
    """Send every request, `threads` at a time, each thread taking the next one."""
    result = live.Burst(answers=[None] * len(senders))
    lock = threading.Lock()
    queue = iter(range(len(senders)))

    def work() -> None:
        while True:
            with lock:
                index = next(queue, None)
            if index is None:
                return
            try:
                result.answers[index] = senders[index]()
            except Exception as exc:  # noqa: BLE001
                with lock:
                    result.errors.append(f"{type(exc).__name__}: {exc}")

    workers = [threading.Thread(target=work) for _ in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    result.seconds = time.perf_counter() - started
    return result


def bench(target: str, writers: int, load: int) -> bool:
    var_dir = Path(tempfile.mkdtemp(prefix=f"bench-{target}-"))
    server = live.LiveServer(target, var_dir).start()
    workers = server.log().count("Booting worker")
    print(f"make {target}" + (f" (gunicorn, {workers} workers)" if workers else " (runserver)"))
    entries: list[Any] = []
    signups: list[Any] = []
    try:
        token, path = live.writer_with_blog(server)
        baseline = sequential(live.entry_senders(server, writers, token, path))
        baseline_rate = len(baseline.answers) / baseline.seconds
        report(f"{writers} entries, one at a time", baseline, None)
        runs = [
            (f"{writers} entries at once", live.entry_senders(server, writers, token, path)),
            (f"{writers} sign-ups at once", live.signup_senders(server, writers)),
        ]
        for label, senders in runs:
            result = live.burst(senders)
            report(label, result, baseline_rate)
            (entries if "entries" in label else signups).append(result)
        both = live.entry_senders(server, writers, token, path) + live.signup_senders(
            server, writers
        )
        mixed = live.burst(both)
        report(f"{writers} entries + {writers} sign-ups", mixed, baseline_rate)
        entries.append(mixed.part(0, writers))
        signups.append(mixed.part(writers, 2 * writers))
        heavy = sustained(live.entry_senders(server, load, token, path), writers)
        report(f"{load} entries, {writers} threads", heavy, baseline_rate)
        entries += [baseline, heavy]
    finally:
        server.kill()  # SIGKILL: what was acknowledged must already be on disk
    stored = live.stored_entries(var_dir)
    created = [entry for result in entries for entry in result.created()]
    lost = [entry["id"] for entry in created if stored.get(entry["id"]) != entry["title"]]
    names = {body["account"]["name"] for result in signups for body in result.created()}
    lost_names = names - live.stored_account_names(var_dir)
    print(
        f"  after SIGKILL: {len(created) - len(lost)}/{len(created)} created entries and "
        f"{len(names) - len(lost_names)}/{len(names)} created accounts are in the files"
    )
    results = [*entries, *signups]
    return not lost and not lost_names and not any(r.server_errors() for r in results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--load", type=int, default=1000)
    parser.add_argument("--targets", nargs="+", default=["run", "serve"])
    arguments = parser.parse_args()
    healthy = [bench(target, arguments.writers, arguments.load) for target in arguments.targets]
    return 0 if all(healthy) else 1


if __name__ == "__main__":
    sys.exit(main())
