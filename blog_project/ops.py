"""Operational endpoints: liveness and readiness."""

from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from blog_project.celery import app as celery_app
from contexts.kernel.events.stores import is_local

BROKER_TIMEOUT_SECONDS = 2.0


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """Answer 200 while the process is up."""
    return JsonResponse({"status": "ok"})


def _check_database(alias: str) -> str:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_broker() -> str:
    with celery_app.connection_for_write(url=settings.CELERY_BROKER_URL) as connection:
        # kombu takes a float; celery-types says int.
        connection.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)  # type: ignore[arg-type]
    return "ok"


@never_cache
@require_safe
def ready(request: HttpRequest) -> JsonResponse:
    """Answer 200 when every database alias (and the broker, if any) answers, else 503."""
    probes: dict[str, tuple[Any, ...]] = {
        f"database:{alias}": (_check_database, alias)
        for alias in settings.DATABASES
        if is_local(alias)  # a context service opens only its own database
    }
    if settings.CELERY_BROKER_URL:
        probes["broker"] = (_check_broker,)
    checks, healthy = {}, True
    for name, (probe, *args) in probes.items():
        try:
            checks[name] = probe(*args)
        except Exception as exc:  # noqa: BLE001  (any failure means "not ready")
            checks[name] = f"error: {type(exc).__name__}: {exc}".strip()
            healthy = False
    return JsonResponse({"checks": checks}, status=200 if healthy else 503)
