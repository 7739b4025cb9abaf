from django.apps import AppConfig


class KernelConfig(AppConfig):
    name = "contexts.kernel"
    label = "kernel"
    verbose_name = "Shared kernel"

    def ready(self) -> None:
        # Celery discovers tasks modules only when a worker starts; web processes send
        # the kernel's delivery task by name, so it must be registered in them too.
        from contexts.kernel import tasks  # noqa: F401
