"""gunicorn settings of `make serve`: the production web process (production settings)."""

import os

from blog_project import multiproc

# Where to listen: HOST and PORT, as `make run` takes them.
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"

# Sized to the cores this process may use: cores + 1 sync workers (one more than the cores,
# so that one computes while another waits on the database). WEB_CONCURRENCY overrides it,
# as it does for most hosts, and GUNICORN_CMD_ARGS anything else. Compared with `make
# bench-serving` (bench/serving.py; README, "Production settings"): on a machine with
# nothing else to do, cores + 1 answered every target more than gunicorn's usual 2 x cores
# + 1 (a request here mostly computes; more workers only took turns on the same cores), and
# threaded workers did no better for pages, with keep-alive the connections one of them
# accepted staying with it (a page's rate halved when most landed on one worker). A web
# process whose requests wait on other services (the renderer over HTTP) may want more.
_cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
workers = int(os.environ.get("WEB_CONCURRENCY") or (_cores or 1) + 1)

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
