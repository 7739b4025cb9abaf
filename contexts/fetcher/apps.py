from django.apps import AppConfig


class FetcherConfig(AppConfig):
    name = "contexts.fetcher"
    label = "fetcher"
    verbose_name = "Link fetcher"

    def ready(self) -> None:
        # Celery discovers tasks modules only when a worker starts; web processes send
        # the fetch task by name, so it must be registered in them too.
        from contexts.fetcher import tasks  # noqa: F401
