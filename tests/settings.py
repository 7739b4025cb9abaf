"""Settings for the test run: the project's own, plus the test-only eventsapp."""

from blog_project.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.eventsapp"]  # noqa: F405
