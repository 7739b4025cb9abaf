"""The Celery application, configured from Django settings (CELERY_ namespace)."""

import os

from celery import Celery, signals

from blog_project import multiproc

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blog_project.settings")
if os.environ.get("PROCESS_ROLE") == "worker":
    # A worker's pool processes record metrics too: every one into the same directory,
    # prepared before anything imports prometheus_client.
    multiproc.prepare("worker")

app = Celery("blog_project")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Finds tasks.py in every installed app, so a context's tasks need no registration.
app.autodiscover_tasks()
# The events worker's threads run inside the Celery worker (by name: the step imports
# models, which exist only once Django is set up).
app.steps["worker"].add("blog_project.events_worker:EventsWorkerStep")


@signals.worker_process_shutdown.connect
def _pool_process_exits(pid: int, **kwargs) -> None:
    multiproc.mark_dead(pid)
