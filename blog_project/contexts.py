"""Which context a Django app or model belongs to, derived from its module path."""

from django.apps import apps
from django.db import models

CONTEXTS_PACKAGE = "contexts"
FRAMEWORK = "default"


def context_of_app(app_label: str) -> str:
    """Return the context name of an app label, or "default" for framework apps."""
    name = apps.get_app_config(app_label).name
    parts = name.split(".")
    if len(parts) >= 2 and parts[0] == CONTEXTS_PACKAGE:
        return parts[1]
    return FRAMEWORK


def context_of_model(model: type[models.Model]) -> str:
    """Return the context a model belongs to."""
    return context_of_app(model._meta.app_label)
