"""The slot a context's api calls through, bound by the composition root, and its call wrapper."""

import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured

from contexts.kernel.errors import ContextError, Unavailable
from contexts.kernel.seams import faults

T = TypeVar("T")
# A Protocol method, kept with its signature by the markers below.
Method = TypeVar("Method", bound=Callable[..., Any])
IDEMPOTENT = "seam_idempotent"
PUBLISHED_AT = "seam_published_at"

OK = "ok"
ERROR = "error"


def idempotent(method: Method) -> Method:
    """Mark a Protocol method safe to retry: calling it twice has the effect of calling it once."""
    setattr(method, IDEMPOTENT, True)
    return method


def published_at(path: str) -> Callable[[Method], Method]:
    """Mark an argument-less Protocol method whose result the context also publishes as a
    public document at `path` (GET), which remote callers fetch instead of calling it."""

    def mark(method: Method) -> Method:
        setattr(method, PUBLISHED_AT, path)
        return method

    return mark


def operations(protocol: type) -> dict[str, Callable[..., Any]]:
    """Return the methods a Protocol declares, by name."""
    return {
        name: member
        for name, member in vars(protocol).items()
        if callable(member) and not name.startswith("_")
    }


@dataclass(frozen=True)
class CallRecord:
    """One api call as observers see it."""

    caller: str
    callee: str
    operation: str
    transport: str
    outcome: str
    seconds: float


Observer = Callable[[CallRecord], None]
_observers: list[Observer] = []


def add_observer(observer: Observer) -> None:
    """Have `observer` told of every api call, in-process or remote (metrics, logs)."""
    _observers.append(observer)


def remove_observer(observer: Observer) -> None:
    _observers.remove(observer)


_callers: dict[str, str] = {}


def _caller_of(module: str) -> str:
    """Return the context a module belongs to ("blog" for contexts.blog.services)."""
    found = _callers.get(module)
    if found is None:
        parts = module.split(".")
        found = parts[1] if parts[0] == "contexts" and len(parts) > 1 else parts[0]
        _callers[module] = found
    return found


def outcome_of(exc: BaseException) -> str:
    """Return the outcome label of a failed call."""
    if isinstance(exc, Unavailable):
        return exc.outcome
    return ERROR


class _Unbound:
    def __init__(self, context: str) -> None:
        self._context = context

    def __getattr__(self, name: str) -> Any:
        raise ImproperlyConfigured(
            f"the {self._context} api is not bound: blog_project binds every seam at start-up"
        )


class Seam(Generic[T]):
    """The binding of one context's api: its own code in this process, or a remote client.

    `api` is the bound implementation wrapped so that every call injects the faults in
    force and is reported to the observers, whatever the transport.
    """

    # `protocol` is T itself; type[T] would refuse a Protocol class (not a concrete one).
    def __init__(self, context: str, protocol: type[Any]) -> None:
        self.context = context
        self.protocol = protocol
        self.transport = "unbound"
        self.api: T = _Unbound(context)  # type: ignore[assignment]
        self._rng = random.Random()

    def bind(self, implementation: Any, *, transport: str) -> None:
        """Route every call of the api to `implementation`; `transport` names how (metrics)."""
        wrapped = _Wrapped()
        for name in operations(self.protocol):
            setattr(wrapped, name, self._wrap(name, getattr(implementation, name), transport))
        self.transport = transport
        self.api = wrapped  # type: ignore[assignment]

    def _wrap(
        self, operation: str, method: Callable[..., Any], transport: str
    ) -> Callable[..., Any]:
        context, rng = self.context, self._rng
        current = faults.current
        observers = _observers

        def call(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            outcome = OK
            try:
                fault = current.get(context)
                if fault is not None:
                    fault.apply(context, rng)
                return method(*args, **kwargs)
            except ContextError as exc:
                outcome = outcome_of(exc)
                raise
            except Exception:
                outcome = ERROR
                raise
            finally:
                if observers:
                    # The api module's function called us; its caller is the context.
                    caller = _caller_of(sys._getframe(2).f_globals.get("__name__", ""))
                    record = CallRecord(
                        caller, context, operation, transport, outcome,
                        time.perf_counter() - started,
                    )  # fmt: skip
                    for observer in observers:
                        observer(record)

        call.__name__ = call.__qualname__ = operation
        return call


class _Wrapped:
    """The bound api: one attribute per operation."""
