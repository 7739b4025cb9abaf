"""gunicorn settings of `make serve`: the production web process (production settings)."""

import os

from blog_project import multiproc

# Where to listen: HOST and PORT, as `make run` takes them.
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"

# Threaded workers (gthread), one per core and at least two, four threads each, keeping
# a client's connection open 5 s between requests. Chosen by `make bench-serving`
# (bench/serving.py; README, "Production settings"): against 2 x cores + 1 sync workers
# on 2 cores, every request cost the server 25-50% less CPU (cached and uncached pages,
# the trivial view, POSTs), with 1.5-3x the throughput on a machine shared with other
# work; 2 x 4 threads held 24 database connections, where 2 x 8 or 5 x 4 held 45-50 and
# did no better.
# WEB_CONCURRENCY sets the workers and GUNICORN_CMD_ARGS anything else ("--threads 8").
_cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
workers = int(os.environ.get("WEB_CONCURRENCY") or max(2, _cores or 1))
worker_class = "gthread"
threads = 4
keepalive = 5

# A burst of clients waits in the listen queue rather than being refused.
backlog = 2048
# A request may wait this long for a database lock and a render (see
# BLOG_RENDER_TIMEOUT_SECONDS and the SQLite busy timeout) before its worker is recycled.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30

wsgi_app = "blog_project.wsgi:application"
# Production settings unless the environment names others.
_settings = os.environ.get("DJANGO_SETTINGS_MODULE") or "blog_project.settings_production"
raw_env = [f"DJANGO_SETTINGS_MODULE={_settings}"]
accesslog = "-"
errorlog = "-"

# Every worker's metrics, served by any of them (multiprocess mode, blog_project.multiproc).
multiproc.prepare(os.environ.get("PROCESS_ROLE", "web"))


def child_exit(server, worker) -> None:
    multiproc.mark_dead(worker.pid)
