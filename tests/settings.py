"""Settings for the test run: the project's own, plus the test-only eventsapp."""

from blog_project.settings import *  # noqa: F403
from blog_project.settings import _env_bool

INSTALLED_APPS = [*INSTALLED_APPS, "tests.eventsapp"]  # noqa: F405

# A Celery worker started inside the test process (celery.contrib.testing) runs tasks
# only; worker processes the tests start turn the events worker on themselves.
EVENTS_WORKER = _env_bool("EVENTS_WORKER", False)
