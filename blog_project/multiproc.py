"""Prometheus multiprocess mode for process groups: gunicorn's workers, Celery's pool.

Each process of a group writes its series to files in PROMETHEUS_MULTIPROC_DIR, and a
scrape of any one of them reads them all. The directory must be set before
prometheus_client is imported and must start empty, so the group's parent prepares it:
the gunicorn configs and the Celery app (PROCESS_ROLE=worker) call prepare(). The files
of a dead process are merged into the survivors' totals (mark_dead), and a directory
made here is removed when the group exits.
"""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def prepare(role: str) -> str:
    """Give this process group an empty multiprocess directory (made here unless set)."""
    given = os.environ.get(VARIABLE)
    if given:
        folder = Path(given)
        folder.mkdir(parents=True, exist_ok=True)
        # A previous run's files would add its counts to this one's.
        for stale in folder.glob("*.db"):
            stale.unlink(missing_ok=True)
        return str(folder)
    folder = tempfile.mkdtemp(prefix=f"prometheus-{role}-")
    os.environ[VARIABLE] = folder
    parent = os.getpid()

    def remove() -> None:
        if os.getpid() == parent:  # not in a forked child that happens to exit normally
            shutil.rmtree(folder, ignore_errors=True)

    atexit.register(remove)
    return folder


def mark_dead(pid: int) -> None:
    """Drop a dead process's live gauges; its counters stay in the totals."""
    if os.environ.get(VARIABLE):
        from prometheus_client import multiprocess  # after the directory is set

        multiprocess.mark_process_dead(pid)
