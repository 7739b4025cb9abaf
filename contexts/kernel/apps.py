from django.apps import AppConfig


class KernelConfig(AppConfig):
    name = "contexts.kernel"
    label = "kernel"
    verbose_name = "Shared kernel"
