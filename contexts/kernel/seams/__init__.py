"""The seams between contexts: an api bound in-process or over HTTP, chosen by the composition root.

A context's api module declares its interface as a typing.Protocol and a `Seam` slot;
its module-level functions call through the seam, so callers never know where the
implementation runs. `blog_project` binds each seam at start-up: to the context's own
code, or to a client of the context's internal HTTP endpoints when `<CONTEXT>_URL` is
set. Every call, either way, passes through the same wrapper: fault injection and
observers (metrics, traces) see in-process and remote calls alike.
"""

from contexts.kernel.seams.binding import Seam, idempotent

__all__ = ("Seam", "idempotent")
