"""The caller's side of a remote api: HTTP calls with timeouts, retries and a circuit breaker.

`remote_implementation(...)` returns an object with one method per Protocol operation.
Each call is a POST to `<base>/internal/v1/<context>/<operation>` with the arguments as
JSON, service credentials, the request id and trace context. An error the context
reports comes back as that context's own exception (with its code and field errors);
a context that does not answer in time, or fails, raises the kernel's Unavailable.

Only operations marked `@idempotent` are retried (with backoff and jitter): repeating
any other call after a lost answer could do it twice. A circuit breaker per remote
context (pybreaker) opens after `breaker_fail_max` failures in a row and then fails fast
for `breaker_reset_seconds`, before letting one call through to probe.
"""

import inspect
import threading
import time
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import pybreaker

from contexts.kernel.errors import CircuitOpen, ContextError, TimedOut, Unavailable
from contexts.kernel.requestcontext import outgoing_headers
from contexts.kernel.retry import backoff_delay
from contexts.kernel.seams import codec
from contexts.kernel.seams.binding import IDEMPOTENT, PUBLISHED_AT, operations
from contexts.kernel.seams.credentials import service_token

API_VERSION = "v1"


@dataclass(frozen=True)
class RemoteConfig:
    """Where a remote context answers, and how patiently to call it."""

    base_url: str
    caller: str
    connect_timeout: float = 1.0
    read_timeout: float = 5.0
    retries: int = 2
    retry_base_seconds: float = 0.05
    retry_cap_seconds: float = 0.5
    breaker_fail_max: int = 5
    breaker_reset_seconds: float = 10.0


class _Failed(Exception):
    """The remote context did not answer usefully; counts against the circuit breaker."""

    def __init__(self, error: Unavailable) -> None:
        super().__init__(error.detail)
        self.error = error


def rebuild_error(
    payload: Any, status: int, errors: Mapping[str, type[ContextError]]
) -> ContextError:
    """Return the context's own exception for an error answer of its internal endpoint."""
    body = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(body, dict):
        return Unavailable(f"The service answered {status} without an error body.")
    code = str(body.get("code", "error"))
    cls = errors.get(code, ContextError)
    error = cls.__new__(cls)
    fields = body.get("fields") if isinstance(body.get("fields"), dict) else {}
    ContextError.__init__(error, str(body.get("detail") or cls.default_detail), fields=fields)
    if cls is ContextError:
        error.code, error.status = code, status
    if isinstance(body.get("retry_after"), int):
        error.retry_after = body["retry_after"]  # type: ignore[attr-defined]
    return error


class RemoteApi:
    """Calls one remote context's internal endpoints."""

    def __init__(
        self,
        context: str,
        protocol: type,
        config: RemoteConfig,
        errors: Mapping[str, type[ContextError]],
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.context = context
        self.config = config
        self.errors = dict(errors)
        self.breaker = pybreaker.CircuitBreaker(
            fail_max=config.breaker_fail_max,
            reset_timeout=config.breaker_reset_seconds,
            exclude=[ContextError],
            name=context,
        )
        self._root = config.base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=f"{self._root}/internal/{API_VERSION}/{context}/",
            timeout=httpx.Timeout(config.read_timeout, connect=config.connect_timeout),
            transport=transport,
        )
        self._lock = threading.Lock()
        self._returns = {
            name: typing.get_type_hints(method).get("return", Any)
            for name, method in operations(protocol).items()
        }
        self._idempotent = {
            name: bool(getattr(method, IDEMPOTENT, False))
            for name, method in operations(protocol).items()
        }
        self._published = {
            name: getattr(method, PUBLISHED_AT)
            for name, method in operations(protocol).items()
            if getattr(method, PUBLISHED_AT, None)
        }

    def implementation(self) -> Any:
        """Return an object with one method per operation, calling this remote context."""
        target = _Methods()
        for name in self._returns:
            setattr(target, name, self._method(name))
        return target

    def _method(self, operation: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            if args:
                raise TypeError(f"{self.context}.{operation} takes keyword arguments only")
            return self.call(operation, kwargs)

        return call

    def call(self, operation: str, arguments: dict[str, Any]) -> Any:
        """Call one operation; return its decoded result or raise the context's error."""
        body = {"args": {key: codec.encode(value) for key, value in arguments.items()}}
        attempts = 1 + (self.config.retries if self._idempotent[operation] else 0)
        for attempt in range(1, attempts + 1):
            try:
                payload = self.breaker.call(self._exchange, operation, body)
            except pybreaker.CircuitBreakerError:
                error = CircuitOpen(f"The {self.context} service is failing; not calling it now.")
                error.retry_after = max(1, int(self.config.breaker_reset_seconds))
                raise error from None
            except _Failed as failed:
                if attempt == attempts:
                    raise failed.error from None
                time.sleep(
                    backoff_delay(
                        attempt,
                        base=self.config.retry_base_seconds,
                        cap=self.config.retry_cap_seconds,
                    )
                )
                continue
            try:
                return codec.decode(payload.get("result"), self._returns[operation])
            except codec.DecodeError as exc:
                raise Unavailable(f"The {self.context} service answered nonsense: {exc}") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _exchange(self, operation: str, body: dict[str, Any]) -> dict[str, Any]:
        headers = outgoing_headers()
        try:
            if operation in self._published:
                # A public document (a JWKS): fetched where every client fetches it.
                response = self._http.get(self._root + self._published[operation], headers=headers)
                if response.status_code == 200:
                    return {"result": response.json()}
            else:
                token = service_token(audience=self.context, issuer=self.config.caller)
                headers["Authorization"] = f"Bearer {token}"
                response = self._http.post(operation, json=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise _Failed(TimedOut(f"The {self.context} service did not answer in time.")) from exc
        except httpx.HTTPError as exc:
            raise _Failed(Unavailable(f"The {self.context} service is unreachable.")) from exc
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if response.status_code == 200 and isinstance(payload, dict):
            return payload
        error = rebuild_error(payload, response.status_code, self.errors)
        if response.status_code >= 500 or isinstance(error, Unavailable):
            unavailable = error if isinstance(error, Unavailable) else Unavailable(error.detail)
            raise _Failed(unavailable)
        raise error

    def close(self) -> None:
        self._http.close()


class _Methods:
    """A remote api's operations."""


def errors_of(module: Any) -> dict[str, type[ContextError]]:
    """Return the ContextError classes an api module exports, by code (later names win)."""
    found: dict[str, type[ContextError]] = {}
    for value in vars(module).values():
        if inspect.isclass(value) and issubclass(value, ContextError):
            found.setdefault(value.code, value)
    return found
