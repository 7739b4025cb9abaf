"""System checks that keep the contexts' data apart, and a deployment's throttles shared."""

from django.apps import apps
from django.conf import settings
from django.core import checks

from blog_project.contexts import context_of_model

CROSS_CONTEXT_RELATION = "contexts.E001"
PER_PROCESS_CACHE = "blog_project.E001"
# Cache backends whose entries live in one process: each worker would count alone.
PER_PROCESS_BACKENDS = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@checks.register(checks.Tags.models)
def check_no_cross_context_relations(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Report every ForeignKey, OneToOne or ManyToMany that crosses a context boundary.

    import-linter cannot see a relation given as a string ("accounts.Account"); the
    resolved model graph can.
    """
    errors: list[checks.CheckMessage] = []
    for model in apps.get_models(include_auto_created=False):
        source = context_of_model(model)
        for field in model._meta.get_fields(include_hidden=False):
            if not field.is_relation or field.auto_created or field.related_model is None:
                continue
            if isinstance(field.related_model, str):
                continue  # unresolved lazy reference: Django's own checks report it
            target = context_of_model(field.related_model)
            if target != source:
                errors.append(
                    checks.Error(
                        f"{model._meta.label}.{field.name} relates context '{source}' to "
                        f"context '{target}' ({field.related_model._meta.label}).",
                        hint="Hold the other context's identifier as a plain value and "
                        "reach its data through its api module or its events.",
                        obj=field,
                        id=CROSS_CONTEXT_RELATION,
                    )
                )
    return errors


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_cache(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Refuse a deployment whose throttle counters would live in each process alone."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in PER_PROCESS_BACKENDS:
        return []
    return [
        checks.Error(
            f"The default cache ({backend}) is not shared between processes: with several "
            "workers each one counts failed sign-ins and renders on its own, multiplying "
            "every throttle limit.",
            hint="Set CACHE_URL to a Redis server, or use the production settings' "
            "database cache (blog_project.cache.DatabaseCache).",
            id=PER_PROCESS_CACHE,
        )
    ]
