"""At most N fetches from one host at a time, across every process that shares the cache.

A slot is a cache key added atomically (`cache.add`, SET NX on Redis) with a lease, so a
process that dies holding one frees it when the lease runs out. With the embedded
default's local-memory cache the limit holds within the process.
"""

import hashlib
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import cache

from contexts.fetcher.domain import HostBusy

_POLL_SECONDS = 0.05


def _slot_key(host: str, slot: int) -> str:
    # Hashed: cache keys have a length limit and host names do not.
    digest = hashlib.sha256(host.lower().encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"fetcher:host:{digest}:{slot}"


@contextmanager
def host_slot(host: str, *, limit: int, wait: float, lease: float) -> Iterator[None]:
    """Hold one of `limit` fetch slots of `host` for the block; raise HostBusy after `wait` s."""
    token = uuid.uuid4().hex
    deadline = time.monotonic() + wait
    held = None
    while held is None:
        for slot in range(max(1, limit)):
            key = _slot_key(host, slot)
            if cache.add(key, token, timeout=lease):
                held = key
                break
        else:
            if time.monotonic() >= deadline:
                raise HostBusy(host)
            time.sleep(_POLL_SECONDS)
    try:
        yield
    finally:
        # Only our own slot: past its lease it may belong to another fetch by now.
        if cache.get(held) == token:
            cache.delete(held)
