"""gunicorn settings of a context service (`make serve-context`, `make run-split`, the tests).

Threads (gthread) keep the web process's connections alive between calls. The metrics of
every worker are served by any of them (multiprocess mode, blog_project.multiproc).
"""

import os

from blog_project import multiproc

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8001')}"
_cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
workers = int(os.environ.get("WEB_CONCURRENCY") or _cores or 2)
worker_class = "gthread"
threads = 4
wsgi_app = "blog_project.wsgi:application"

multiproc.prepare(os.environ.get("PROCESS_ROLE", "service"))


def child_exit(server, worker) -> None:
    multiproc.mark_dead(worker.pid)
