"""runserver for `make run`: a listen queue deep enough for bursts, and 404 for odd static paths."""

from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.contrib.staticfiles.management.commands.runserver import Command as StaticRunserver
from django.core.exceptions import SuspiciousFileOperation
from django.core.servers.basehttp import WSGIServer
from django.http import Http404

# Django's server listens with a queue of 10: a burst of clients connecting at once
# overflows it, and the kernel drops or resets their connections before any thread
# could answer them.
LISTEN_QUEUE = 128


class BurstWSGIServer(WSGIServer):
    request_queue_size = LISTEN_QUEUE


class SafeStaticFilesHandler(StaticFilesHandler):
    """Serve static files; a path that climbs out of the static folders is a 404.

    Django's handler turns only Http404 into an answer: the SuspiciousFileOperation that
    `/static/..%2F..%2Fmanage.py` raises escaped it as a 500.
    """

    def serve(self, request):
        try:
            return super().serve(request)
        except SuspiciousFileOperation as exc:
            raise Http404("No such static file.") from exc


class Command(StaticRunserver):
    server_cls = BurstWSGIServer

    def get_handler(self, *args, **options):
        handler = super().get_handler(*args, **options)
        if isinstance(handler, StaticFilesHandler):
            return SafeStaticFilesHandler(handler.application)
        return handler
