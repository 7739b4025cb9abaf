"""Find each context's concrete outbox, publication and inbox tables, and their aliases."""

from dataclasses import dataclass
from functools import cache

from django.apps import AppConfig, apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models, router

from contexts.kernel.events.models import InboxBase, OutboxBase, PublicationBase


@dataclass(frozen=True)
class ProducerStore:
    """A producing context's outbox and publication registry, in its database alias."""

    alias: str
    app_label: str
    outbox: type[OutboxBase]
    publications: type[PublicationBase]


@dataclass(frozen=True)
class InboxStore:
    """A consuming context's inbox, in its database alias."""

    alias: str
    app_label: str
    inbox: type[InboxBase]


def _only(app_config: AppConfig, base: type[models.Model]) -> type | None:
    found = [
        model
        for model in app_config.get_models()
        if issubclass(model, base) and not model._meta.proxy
    ]
    if len(found) > 1:
        names = ", ".join(model.__name__ for model in found)
        raise ImproperlyConfigured(
            f"app '{app_config.label}' declares several {base.__name__} tables: {names}"
        )
    return found[0] if found else None


@cache
def producer_stores() -> dict[str, ProducerStore]:
    """Return every producer store by database alias."""
    stores: dict[str, ProducerStore] = {}
    for app_config in apps.get_app_configs():
        outbox = _only(app_config, OutboxBase)
        publications = _only(app_config, PublicationBase)
        if outbox is None and publications is None:
            continue
        if outbox is None or publications is None:
            raise ImproperlyConfigured(
                f"app '{app_config.label}' must declare both an OutboxBase and a "
                "PublicationBase table to publish events"
            )
        alias = router.db_for_write(outbox)
        if router.db_for_write(publications) != alias:
            raise ImproperlyConfigured(
                f"app '{app_config.label}': outbox and publications must share one alias"
            )
        if alias in stores:
            raise ImproperlyConfigured(
                f"apps '{stores[alias].app_label}' and '{app_config.label}' both keep an "
                f"outbox in alias '{alias}'; one outbox per alias"
            )
        stores[alias] = ProducerStore(alias, app_config.label, outbox, publications)
    return stores


def producer_store(alias: str) -> ProducerStore:
    """Return the producer store kept in `alias`."""
    try:
        return producer_stores()[alias]
    except KeyError:
        raise ImproperlyConfigured(
            f"no outbox in database alias '{alias}': declare `class OutboxEvent(OutboxBase)` "
            "and `class EventPublication(PublicationBase)` in that context's models.py"
        ) from None


@cache
def inbox_store_for_module(module: str) -> InboxStore:
    """Return the inbox of the app that contains `module` (a handler's module)."""
    app_config = apps.get_containing_app_config(module)
    if app_config is None:
        raise ImproperlyConfigured(f"handler module '{module}' belongs to no installed app")
    inbox = _only(app_config, InboxBase)
    if inbox is None:
        raise ImproperlyConfigured(
            f"app '{app_config.label}' subscribes to events but has no inbox: declare "
            "`class InboxRecord(InboxBase)` in its models.py"
        )
    return InboxStore(router.db_for_write(inbox), app_config.label, inbox)


@cache
def inbox_stores() -> list[InboxStore]:
    """Return the inbox of every consuming app."""
    stores = []
    for app_config in apps.get_app_configs():
        inbox = _only(app_config, InboxBase)
        if inbox is not None:
            stores.append(InboxStore(router.db_for_write(inbox), app_config.label, inbox))
    return stores
