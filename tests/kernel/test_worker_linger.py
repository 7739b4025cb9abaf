"""The events worker's linger (EVENTS_LINGER_MS): after a relay pass or a stream read that
found several events, it waits before the next one so that a stream of commits travels in
batches; after one event, nothing, or a full batch, it goes on at once. The loops run here
with stand-ins for the broker, the outbox and the clock, so the order of waits is exact;
tests/kernel/test_worker.py runs real workers."""

from dataclasses import replace

import pytest

from contexts.kernel.events import dispatch, transports
from contexts.kernel.events import worker as worker_module
from contexts.kernel.events.config import events_config
from contexts.kernel.events.transports import Delivery

LINGER = 0.02
BATCH = 10


class _Stopping:
    """Stands for the worker's stop event: records each wait instead of sleeping."""

    def __init__(self) -> None:
        self.stopped = False
        self.log: list[object] = []

    def is_set(self) -> bool:
        return self.stopped

    def set(self) -> None:
        self.stopped = True

    def wait(self, seconds: float) -> bool:
        self.log.append(("wait", seconds))
        return self.stopped


def _worker(linger: float, stopping: _Stopping, **stores) -> worker_module.EventsWorker:
    config = replace(
        events_config(), broker_url="redis://stand-in", batch=BATCH, linger_seconds=linger
    )
    worker = worker_module.EventsWorker(
        config=config, producers=stores.get("producers", {}), consumers=stores.get("consumers", {})
    )
    worker.stopping = stopping  # type: ignore[assignment]
    return worker


class _Reader:
    """A stream consumer whose reads return the scripted numbers of entries, then stop."""

    context = "blog"

    def __init__(self, counts: list[int], stopping: _Stopping) -> None:
        self.counts = list(counts)
        self.stopping = stopping

    def reclaim(self) -> list[Delivery]:
        return []

    def read(self, *, block_ms: int) -> list[Delivery]:
        count = self.counts.pop(0)
        self.stopping.log.append(("read", count))
        if not self.counts:
            self.stopping.set()
        return [Delivery("stream", b"0-%d" % n, None) for n in range(count)]


def _consume(linger: float, counts: list[int], monkeypatch) -> list[object]:
    stopping = _Stopping()
    worker = _worker(linger, stopping, consumers={"blog": object()})
    monkeypatch.setattr(worker, "_flush", lambda reader, deliveries, first_delivery: None)
    monkeypatch.setattr(dispatch, "process_due", lambda store, config: None)
    monkeypatch.setattr(worker_module, "close_old_connections", lambda: None)
    worker._consume(_Reader(counts, stopping))  # type: ignore[arg-type]
    return stopping.log


def test_the_consumer_lingers_after_a_read_of_several_entries_only(monkeypatch):
    log = _consume(LINGER, [3, 1, 0, 2, BATCH, 4, 5], monkeypatch)

    assert log == [
        ("read", 3),
        ("wait", LINGER),  # several: let the next ones gather
        ("read", 1),  # one at a time: the next goes at once
        ("read", 0),
        ("read", 2),
        ("wait", LINGER),
        ("read", BATCH),  # a full batch: more may be waiting already
        ("read", 4),
        ("wait", LINGER),
        ("read", 5),
    ]


def test_without_linger_the_consumer_reads_again_at_once(monkeypatch):
    log = _consume(0.0, [3, 2, 4], monkeypatch)

    assert log == [("read", 3), ("read", 2), ("read", 4)]


class _Wakeup:
    """Stands for the LISTEN connection: every wait is a commit's notification."""

    def __init__(self, stores) -> None:
        self.unheard: list[str] = []

    def wait(self, seconds: float, stop) -> list[str]:
        return ["blog"]

    def close(self) -> None:
        pass


class _Transport:
    def __init__(self, config) -> None:
        pass

    def close(self) -> None:
        pass


def _relay(linger: float, sent: list[int], monkeypatch) -> list[object]:
    stopping = _Stopping()
    worker = _worker(linger, stopping, producers={"blog": object()})
    worker._not_ready = type("Ready", (), {"release": lambda self: None})()
    monkeypatch.setattr(worker_module, "_Wakeup", _Wakeup)
    monkeypatch.setattr(transports, "BrokerTransport", _Transport)
    script = list(sent)

    def relay_pass(transport, contexts) -> int:
        count = script.pop(0)
        stopping.log.append(("pass", count))
        if not script:
            stopping.set()
        return count

    monkeypatch.setattr(worker, "_relay_pass", relay_pass)
    worker._relay_loop()
    return stopping.log


def test_the_relay_lingers_after_a_pass_that_sent_several_events_only(monkeypatch):
    log = _relay(LINGER, [5, 1, 0, 2, 1], monkeypatch)

    assert log == [
        ("pass", 5),
        ("wait", LINGER),
        ("pass", 1),
        ("pass", 0),
        ("pass", 2),
        ("wait", LINGER),
        ("pass", 1),
    ]


def test_without_linger_the_relay_passes_again_at_once(monkeypatch):
    assert _relay(0.0, [5, 2, 3], monkeypatch) == [("pass", 5), ("pass", 2), ("pass", 3)]


@pytest.mark.parametrize(("setting", "seconds"), [(20, 0.02), (0, 0.0), (-5, 0.0)])
def test_the_linger_comes_from_events_linger_ms(settings, setting, seconds):
    settings.EVENTS_LINGER_MS = setting

    assert events_config().linger_seconds == seconds
