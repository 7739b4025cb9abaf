"""Fault injection on the caller's side, as a service mesh does: abort or delay a share of calls.

Faults come from the environment of the calling process (`<CONTEXT>_FAULT_ABORT_PERCENT`,
`_ABORT_STATUS`, `_DELAY_PERCENT`, `_DELAY_SECONDS`, read into settings.CONTEXT_FAULTS)
or are set at run time (`manage.py faults set|clear`), which wins. Run-time faults live
in the shared cache when there is one (CACHE_URL), else in a file under VAR_DIR, and are
looked up at most once a second, so that checking costs a call next to nothing.
"""

import json
import os
import random
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from contexts.kernel.errors import ContextError, InjectedFault

REFRESH_SECONDS = 1.0
CACHE_KEY = "seams:faults"
FILE_NAME = "faults.json"
# How an injected abort shows: the code of a 4xx one, the outcome of every one (metrics).
FAULT_CODE = "fault_injected"
OUTCOME = InjectedFault.outcome


@dataclass(frozen=True)
class Fault:
    """What to do to calls of one context: abort a share with a status, delay a share."""

    abort_percent: float = 0.0
    abort_status: int = 503
    delay_percent: float = 0.0
    delay_seconds: float = 0.0

    def __post_init__(self) -> None:
        for name in ("abort_percent", "delay_percent"):
            if not 0 <= getattr(self, name) <= 100:
                raise ValueError(f"{name} must lie between 0 and 100")
        if not 100 <= self.abort_status <= 599:
            raise ValueError("abort_status must be an HTTP status (100-599)")
        if self.delay_seconds < 0:
            raise ValueError("delay_seconds must not be negative")

    @property
    def active(self) -> bool:
        return self.abort_percent > 0 or (self.delay_percent > 0 and self.delay_seconds > 0)

    def apply(self, context: str, rng: random.Random) -> None:
        """Delay and/or abort this call, each with its probability."""
        if self.delay_seconds > 0 and rng.random() * 100 < self.delay_percent:
            time.sleep(self.delay_seconds)
        if rng.random() * 100 < self.abort_percent:
            raise _aborted(context, self.abort_status)


def _aborted(context: str, status: int) -> ContextError:
    detail = f"The {context} service failed (fault injected: {status})."
    if status >= 500:
        return InjectedFault(detail)
    error = ContextError(detail)
    error.status, error.code = status, FAULT_CODE
    return error


def _shared_cache() -> bool:
    return bool(getattr(settings, "CACHE_URL", ""))


def _path() -> Path:
    return Path(settings.VAR_DIR) / FILE_NAME


def stored() -> dict[str, Fault]:
    """Return the faults set at run time, by context."""
    if _shared_cache():
        raw = cache.get(CACHE_KEY) or {}
    else:
        try:
            raw = json.loads(_path().read_text())
        except (FileNotFoundError, ValueError):
            raw = {}
    faults = {}
    for context, values in raw.items():
        try:
            faults[context] = Fault(**values)
        except (TypeError, ValueError):
            continue  # a hand-edited file with nonsense in it injects nothing
    return faults


def store(faults: dict[str, Fault]) -> None:
    """Replace the faults set at run time (every process sees them within a second)."""
    raw = {context: asdict(fault) for context, fault in faults.items()}
    if _shared_cache():
        cache.set(CACHE_KEY, raw, timeout=None)
        return
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as out:
        json.dump(raw, out)
    os.replace(out.name, path)


def configured() -> dict[str, Fault]:
    """Return the faults the environment sets (settings.CONTEXT_FAULTS), by context."""
    found = {}
    for context, values in getattr(settings, "CONTEXT_FAULTS", {}).items():
        fault = Fault(**values)
        if fault.active:
            found[context] = fault
    return found


class _Current:
    """The faults in force, refreshed at most every REFRESH_SECONDS."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: dict[str, Fault] = {}
        self._next_refresh = 0.0

    def get(self, context: str) -> Fault | None:
        if time.monotonic() >= self._next_refresh:
            self.refresh()
        return self._faults.get(context)

    def refresh(self) -> None:
        with self._lock:
            try:
                faults = {**configured(), **stored()}
            except Exception:  # noqa: BLE001  (a store that does not answer injects nothing new)
                faults = self._faults
            self._faults = {context: fault for context, fault in faults.items() if fault.active}
            self._next_refresh = time.monotonic() + REFRESH_SECONDS


current = _Current()
