"""The development server of `make run`: bursts of clients, and odd static paths."""

import pytest
from django.test import RequestFactory

from blog_project.management.commands.runserver import Command


def _get(handler, path: str) -> tuple[str, bytes]:
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = status

    body = b"".join(handler(RequestFactory().get(path).environ, start_response))
    return answer["status"], body


@pytest.fixture
def static_handler(settings, django_db_blocker):
    settings.DEBUG = True  # runserver serves static files only in development
    # The handler closes stale database connections around each request, as servers do.
    with django_db_blocker.unblock():
        yield Command().get_handler(use_static_handler=True, insecure_serving=False)


@pytest.mark.parametrize(
    "path",
    [
        "/static/..%2F..%2Fmanage.py",
        "/static/blog/..%2F..%2F..%2Fsettings.py",
        "/static/../../../../etc/passwd",
    ],
)
def test_a_static_path_that_leaves_the_static_folders_is_404_not_500(static_handler, path):
    status, _ = _get(static_handler, path)

    assert status.startswith("404")


def test_static_files_are_still_served(static_handler):
    status, body = _get(static_handler, "/static/blog/site.css")

    assert status.startswith("200")
    assert body


def test_the_listen_queue_holds_a_burst_of_clients():
    # Django's default of 10 made the kernel reset connections of a burst of 50.
    assert Command.server_cls.request_queue_size >= 128
