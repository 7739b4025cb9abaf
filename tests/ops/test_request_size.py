"""Bodies over the upload limit: 413, JSON for the API, a page for people, no traceback."""

import json
import logging

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db(databases="__all__")

OVER = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1


def _no_error_logged(caplog) -> bool:
    return not [record for record in caplog.records if record.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    "url", ["/api/v1/tokens", "/api/v1/accounts", "/api/v1/render", "/api/v1/blogs/x/entries"]
)
def test_an_oversized_api_body_is_a_json_413_with_a_code(url, caplog):
    body = json.dumps({"name": "alice", "password": "x" * OVER, "src": "x"})

    response = Client().post(url, body, content_type="application/json")

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "The request body is larger than the 2.5 MiB this site accepts.",
        "code": "too_large",
    }
    assert _no_error_logged(caplog)


@pytest.mark.parametrize("url", ["/signin", "/signup", "/my/blogs/-/create"])
def test_an_oversized_form_gets_a_friendly_413_page(url, caplog):
    response = Client().post(url, {"name": "alice", "password": "x" * OVER})

    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert "too large to accept" in response.content.decode()
    assert "your text is still in the form" in response.content.decode()
    assert _no_error_logged(caplog)


def test_a_body_within_the_limit_reaches_the_endpoint():
    body = json.dumps({"name": "alice", "password": "x" * (OVER - 1000)})

    response = Client().post("/api/v1/tokens", body, content_type="application/json")

    assert response.status_code == 401
