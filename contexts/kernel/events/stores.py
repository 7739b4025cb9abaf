"""Find each context's concrete outbox and inbox tables, and the database alias of each."""

from dataclasses import dataclass
from functools import cache

from django.apps import AppConfig, apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, router

from contexts.kernel.events.models import InboxBase, OutboxBase


@dataclass(frozen=True)
class ProducerStore:
    """A producing context's outbox (and relay registry), in its database alias."""

    context: str
    alias: str
    outbox: type[OutboxBase]

    @property
    def rows(self) -> models.QuerySet[OutboxBase]:
        return self.outbox._default_manager.using(self.alias)


@dataclass(frozen=True)
class ConsumerStore:
    """A consuming context's inbox (and consumption registry), in its database alias."""

    context: str
    alias: str
    inbox: type[InboxBase]

    @property
    def rows(self) -> models.QuerySet[InboxBase]:
        return self.inbox._default_manager.using(self.alias)


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


def is_local(alias: str) -> bool:
    """Tell whether this process opens database `alias` (a split process opens only its own)."""
    engine = settings.DATABASES.get(alias, {}).get("ENGINE", "")
    return bool(engine) and not engine.endswith(".dummy")


@cache
def _producers() -> dict[str, ProducerStore]:
    stores: dict[str, ProducerStore] = {}
    for app_config in apps.get_app_configs():
        outbox = _only(app_config, OutboxBase)
        if outbox is None:
            continue
        alias = router.db_for_write(outbox)
        for other in stores.values():
            if other.alias == alias:
                raise ImproperlyConfigured(
                    f"apps '{other.context}' and '{app_config.label}' both keep an outbox "
                    f"in alias '{alias}'; one outbox per alias"
                )
        stores[app_config.label] = ProducerStore(app_config.label, alias, outbox)
    return stores


@cache
def _consumers() -> dict[str, ConsumerStore]:
    stores: dict[str, ConsumerStore] = {}
    for app_config in apps.get_app_configs():
        inbox = _only(app_config, InboxBase)
        if inbox is not None:
            label = app_config.label
            stores[label] = ConsumerStore(label, router.db_for_write(inbox), inbox)
    return stores


def producer_stores() -> dict[str, ProducerStore]:
    """Return the outbox of every producing context whose database this process opens."""
    return {name: store for name, store in _producers().items() if is_local(store.alias)}


def consumer_stores() -> dict[str, ConsumerStore]:
    """Return the inbox of every consuming context whose database this process opens."""
    return {name: store for name, store in _consumers().items() if is_local(store.alias)}


def producer_store_for_alias(alias: str) -> ProducerStore:
    """Return the outbox kept in database `alias` (where a use case publishes)."""
    for store in _producers().values():
        if store.alias == alias:
            return store
    raise ImproperlyConfigured(
        f"no outbox in database alias '{alias}': declare `class OutboxEvent(OutboxBase)` "
        "in that context's models.py"
    )


def consumer_store_for_module(module: str) -> ConsumerStore:
    """Return the inbox of the context that contains `module` (a handler's module)."""
    app_config = apps.get_containing_app_config(module)
    if app_config is None:
        raise ImproperlyConfigured(f"handler module '{module}' belongs to no installed app")
    store = _consumers().get(app_config.label)
    if store is None:
        raise ImproperlyConfigured(
            f"app '{app_config.label}' subscribes to events but has no inbox: declare "
            "`class InboxRecord(InboxBase)` in its models.py"
        )
    return store
