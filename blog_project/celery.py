"""The Celery application, configured from Django settings (CELERY_ namespace)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blog_project.settings")

app = Celery("blog_project")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Finds tasks.py in every installed app, so a context's tasks need no registration.
app.autodiscover_tasks()
# The events worker's threads run inside the Celery worker (by name: the step imports
# models, which exist only once Django is set up).
app.steps["worker"].add("blog_project.events_worker:EventsWorkerStep")
