"""App config of the test-only events app: installs its subscriptions beside the real ones."""

from django.apps import AppConfig


class EventsAppConfig(AppConfig):
    name = "tests.eventsapp"
    label = "eventsapp"
    verbose_name = "Events test app"

    def ready(self) -> None:
        from contexts.kernel.events import subscriptions
        from tests.eventsapp.subscriptions import TEST_SUBSCRIPTIONS

        # Beside the project's own table, so that a worker process started on
        # tests.settings delivers the test events too.
        subscriptions.configure({**subscriptions.table(), **TEST_SUBSCRIPTIONS})
