"""Which handler subscribes to which event: the one table of cross-context reactions.

Keys are event types (or their type names, e.g. "accounts.AccountDeleted.v1"), taken
from the producer's api; values list the handlers, callables or dotted paths, that live
in the consuming context's handlers.py. blog_project.apps hands this table to the kernel
at start-up, which checks every handler and its context's inbox then.
"""

from collections.abc import Callable, Iterable

SUBSCRIPTIONS: dict[str | type, Iterable[Callable | str]] = {}
