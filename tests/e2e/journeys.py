"""What a user does through the REST API and the web UI, as reusable steps of e2e tests."""

import json
from dataclasses import dataclass
from io import StringIO

from django.core.management import call_command
from rest_framework.test import APIClient

PASSWORD = "correct-horse-battery-9"


@dataclass(frozen=True)
class Writer:
    """An account registered through the API, with a REST client sending its token."""

    name: str
    password: str
    account_id: str
    token: str
    client: APIClient


def bearer(token: str) -> APIClient:
    """Return a REST client that sends `token` as its bearer token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def register(name: str, password: str = PASSWORD) -> Writer:
    """Register through POST /api/v1/accounts and return the writer with its token."""
    response = APIClient().post(
        "/api/v1/accounts", {"name": name, "password": password}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    return Writer(
        name=name,
        password=password,
        account_id=body["account"]["id"],
        token=body["token"],
        client=bearer(body["token"]),
    )


def sign_in(name: str, password: str = PASSWORD):
    """POST /api/v1/tokens and return the response."""
    return APIClient().post("/api/v1/tokens", {"name": name, "password": password}, format="json")


def create_blog(writer: Writer, path: str, title: str = "Notes") -> dict:
    """Create a blog through POST /api/v1/blogs and return it."""
    response = writer.client.post(
        "/api/v1/blogs", {"path": path, "title": title, "description": ""}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def publish_entry(writer: Writer, path: str, title: str, body: str = "Some *text*.") -> dict:
    """Publish an entry through POST /api/v1/blogs/<path>/entries and return it."""
    response = writer.client.post(
        f"/api/v1/blogs/{path}/entries", {"title": title, "body": body}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def delete_account(writer: Writer):
    """DELETE /api/v1/me with the writer's password and return the response."""
    return writer.client.delete("/api/v1/me", {"password": writer.password}, format="json")


def blog_paths() -> list[str]:
    """Return the paths of every blog in GET /api/v1/blogs (all pages)."""
    paths: list[str] = []
    url: str | None = "/api/v1/blogs?page_size=100"
    while url:
        response = APIClient().get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        paths.extend(blog["path"] for blog in body["results"])
        url = body["next"]
    return paths


def events_status() -> dict:
    """Return what `manage.py events status --json` reports."""
    out = StringIO()
    call_command("events", "status", "--json", stdout=out)
    return json.loads(out.getvalue())


def deliveries_settled(status: dict) -> bool:
    """Tell whether no event is left waiting to be relayed or applied."""
    outbox, inbox = status["total"]["outbox"], status["total"]["inbox"]
    return outbox["pending"] == 0 and inbox["pending"] == 0 and inbox["in_flight"] == 0
