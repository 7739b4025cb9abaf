"""Run the events worker inside `celery worker` (make worker): a Celery bootstep."""

import logging
from wsgiref.simple_server import WSGIServer

from celery import bootsteps
from django.conf import settings

from blog_project.metrics import serve_if_configured
from contexts.kernel.events.stores import consumer_stores, producer_stores
from contexts.kernel.events.worker import EventsWorker

logger = logging.getLogger(__name__)

READY_TIMEOUT_SECONDS = 30.0


class EventsWorkerStep(bootsteps.StartStopStep):
    """Relay every outbox and consume every inbox whose database this process opens."""

    def __init__(self, parent, **kwargs) -> None:
        super().__init__(parent, **kwargs)
        self.events: EventsWorker | None = None
        self.metrics: WSGIServer | None = None

    def start(self, parent) -> None:
        self.metrics = serve_if_configured()
        if not settings.EVENTS_WORKER or not settings.EVENTS_BROKER_URL:
            logger.info("events worker off (EVENTS_WORKER=0 or no broker)")
            return
        self.events = EventsWorker(producers=producer_stores(), consumers=consumer_stores())
        self.events.start()
        self.events.ready.wait(READY_TIMEOUT_SECONDS)

    def stop(self, parent) -> None:
        if self.metrics is not None:
            self.metrics.shutdown()
            self.metrics = None
        if self.events is not None:
            self.events.stop()
            self.events = None
