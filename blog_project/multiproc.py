"""Prometheus multiprocess mode for process groups: gunicorn's workers, Celery's pool.

Each process of a group writes its series to files in PROMETHEUS_MULTIPROC_DIR, and a
scrape of any one of them reads them all. The directory must be set before
prometheus_client is imported and must start empty, so the group's parent prepares it:
the gunicorn configs and the Celery app (PROCESS_ROLE=worker) call prepare(). The files
of a dead process are merged into the survivors' totals (mark_dead). A directory made
here, `$VAR_DIR/prometheus/<role>-<pid>`, is removed when the group exits, or by the next
group that starts should this one have been killed.
"""

import atexit
import os
import shutil
from pathlib import Path

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
# As the settings read it; they cannot be imported before the directory is set.
VAR_DIR = Path(os.environ.get("VAR_DIR") or Path(__file__).resolve().parent.parent / "var")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_abandoned(root: Path) -> None:
    """Remove the directories of groups whose parent is gone (killed, never cleaned up)."""
    for folder in root.glob("*-*"):
        pid = folder.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def prepare(role: str) -> str:
    """Give this process group an empty multiprocess directory (made here unless set)."""
    given = os.environ.get(VARIABLE)
    if given:
        chosen = Path(given)
        chosen.mkdir(parents=True, exist_ok=True)
        # A previous run's files would add its counts to this one's.
        for stale in chosen.glob("*.db"):
            stale.unlink(missing_ok=True)
        return given
    parent = os.getpid()
    root = VAR_DIR / "prometheus"
    _remove_abandoned(root)
    folder = str(root / f"{role}-{parent}")
    Path(folder).mkdir(parents=True, exist_ok=True)
    for stale in Path(folder).glob("*.db"):  # a pid reused after a kill
        stale.unlink(missing_ok=True)
    os.environ[VARIABLE] = folder

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
