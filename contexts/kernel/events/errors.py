"""How an error is kept in the outbox and inbox registries."""

import traceback

MAX_ERROR_LENGTH = 8000


def describe_error(exc: BaseException) -> str:
    """Return the error as kept in a registry: its type and message first, then where."""
    head = f"{type(exc).__name__}: {exc}"
    trace = "".join(traceback.format_exception(exc))
    return f"{head}\n\n{trace}"[:MAX_ERROR_LENGTH]
