"""The exception base every context's errors derive from, and the common kinds."""


class ContextError(Exception):
    """An error a context reports through its api, with a stable machine code.

    Adapters map `status` and `code` to HTTP answers and form errors; `fields` holds
    per-field messages for validation errors. Subclass a kind below and set `code`.
    """

    code: str = "error"
    status: int = 400
    default_detail: str = "The request could not be processed."

    def __init__(self, detail: str | None = None, *, fields: dict[str, list[str]] | None = None):
        self.detail = detail or self.default_detail
        self.fields = fields or {}
        super().__init__(self.detail)


class InvalidInput(ContextError):
    """Input broke a rule; `fields` names each field with its messages."""

    code = "invalid"
    status = 400
    default_detail = "Invalid input."


class NotAuthenticated(ContextError):
    code = "not_authenticated"
    status = 401
    default_detail = "Authentication credentials were not provided or are not valid."


class PermissionDenied(ContextError):
    code = "permission_denied"
    status = 403
    default_detail = "You do not have permission to perform this action."


class NotFound(ContextError):
    code = "not_found"
    status = 404
    default_detail = "Not found."


class Conflict(ContextError):
    code = "conflict"
    status = 409
    default_detail = "The request conflicts with the current state."


class TooLarge(ContextError):
    code = "too_large"
    status = 413
    default_detail = "The request is too large."


class Unavailable(ContextError):
    """Another context could not answer: down, too slow, or failing. Try again later.

    `outcome` says how, for metrics and logs; `retry_after` (seconds) becomes the
    Retry-After of the 503 answer.
    """

    code = "unavailable"
    status = 503
    default_detail = "The service is temporarily unavailable."
    outcome = "unavailable"
    retry_after = 5


class TimedOut(Unavailable):
    """The other context did not answer within its timeout."""

    outcome = "timeout"


class CircuitOpen(Unavailable):
    """Calls to the other context fail fast: too many failed recently."""

    outcome = "circuit_open"


class InjectedFault(Unavailable):
    """A fault injected on purpose (fault injection), indistinguishable for the caller."""

    outcome = "fault"
