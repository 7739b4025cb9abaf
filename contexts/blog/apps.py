from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "contexts.blog"
    label = "blog"
    verbose_name = "Blog"
