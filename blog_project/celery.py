"""The Celery application, configured from Django settings (CELERY_ namespace)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blog_project.settings")

app = Celery("blog_project")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Finds tasks.py in every installed app, so a context's tasks need no registration.
app.autodiscover_tasks()
