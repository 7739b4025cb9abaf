"""Send each context's models to its own database alias; refuse relations across contexts."""

from django.conf import settings

from blog_project.cache import CACHE_APP_LABEL
from blog_project.contexts import FRAMEWORK, context_of_app


def alias_for_app(app_label: str) -> str:
    """Return the database alias that holds an app's tables.

    A context's alias even when this process does not open it (PROCESS_CONTEXTS): using
    another context's tables then fails loudly instead of landing in "default".
    """
    if app_label == CACHE_APP_LABEL:
        # The database cache's table (no installed app) is plumbing that every context's
        # throttles share: it lives with the framework's tables, apart from any
        # context's writes.
        return "default"
    context = context_of_app(app_label)
    if context != FRAMEWORK and context in settings.CONTEXTS:
        return context
    return "default"


class ContextRouter:
    """Route reads, writes and migrations of an app to the alias of its context."""

    def db_for_read(self, model, **hints):
        return alias_for_app(model._meta.app_label)

    def db_for_write(self, model, **hints):
        return alias_for_app(model._meta.app_label)

    def allow_relation(self, obj1, obj2, **hints):
        # Relations are allowed only inside one context (or among framework apps).
        return context_of_app(obj1._meta.app_label) == context_of_app(obj2._meta.app_label)

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == alias_for_app(app_label)
