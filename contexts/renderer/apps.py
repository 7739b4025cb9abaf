from django.apps import AppConfig


class RendererConfig(AppConfig):
    name = "contexts.renderer"
    label = "renderer"
    verbose_name = "Renderer"
