"""App config of the composition root: checks, schemas, event subscriptions, api bindings."""

from django.apps import AppConfig
from django.conf import settings
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate


class CompositionRootConfig(AppConfig):
    name = "blog_project"
    label = "blog_project"
    verbose_name = "Composition root"

    def ready(self) -> None:
        from blog_project import (
            checks,  # noqa: F401  (registers the system checks)
            seams,
            tracing,
        )
        from blog_project.postgres import use_iso_times
        from blog_project.schemas import ensure_outbox_wakeups, ensure_schema
        from blog_project.sqlite import ensure_wal
        from blog_project.subscriptions import SUBSCRIPTIONS
        from contexts.kernel import requestcontext
        from contexts.kernel.events import dispatch
        from contexts.kernel.events.subscriptions import configure
        from contexts.kernel.metrics import record_call
        from contexts.kernel.seams.binding import add_observer

        # PostgreSQL's times parsed by Python's ISO parser (blog_project/postgres.py).
        connection_created.connect(use_iso_times, dispatch_uid="blog_project.iso_times")
        pre_migrate.connect(ensure_schema, dispatch_uid="blog_project.ensure_schema")
        pre_migrate.connect(ensure_wal, dispatch_uid="blog_project.ensure_wal")
        post_migrate.connect(ensure_outbox_wakeups, dispatch_uid="blog_project.outbox_wakeups")
        # The kernel cannot import the composition root: the root hands it the table.
        configure(SUBSCRIPTIONS)
        # Every api seam: in this process, or over HTTP to its service (<CONTEXT>_URL).
        seams.bind_all()
        # Every api call counted and timed (context_api_calls_total, ..._seconds).
        add_observer(record_call)
        # OpenTelemetry, if the OTEL_* variables ask for it (off and free otherwise).
        tracing.configure_from_environment(settings.PROCESS_ROLE)
        # Events carry the request id (and trace context) of the use case that published.
        dispatch.set_headers_provider(requestcontext.outgoing_headers)
