"""The OpenAPI document at /api/schema/ describes the accounts endpoints as api-v1.md does."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db(databases="__all__")


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def _responses(schema: dict, path: str, method: str) -> dict:
    return schema["paths"][path][method]["responses"]


def test_the_bearer_jwt_scheme_is_declared(schema):
    schemes = schema["components"]["securitySchemes"]

    assert {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"} in schemes.values()


@pytest.mark.parametrize(
    ("path", "method", "statuses"),
    [
        # 413: a body over the upload limit (blog_project.middleware).
        ("/api/v1/accounts", "post", {"201", "400", "409", "413"}),
        ("/api/v1/tokens", "post", {"201", "400", "401", "413", "429"}),
        ("/api/v1/me", "get", {"200", "401"}),
        ("/api/v1/me", "delete", {"204", "400", "401", "403", "413", "429"}),
    ],
)
def test_every_answer_of_each_operation_is_documented(schema, path, method, statuses):
    assert set(_responses(schema, path, method)) == statuses


def test_me_needs_the_bearer_token_and_sign_up_does_not(schema):
    scheme = next(
        name
        for name, value in schema["components"]["securitySchemes"].items()
        if value.get("scheme") == "bearer"
    )

    assert schema["paths"]["/api/v1/me"]["get"]["security"] == [{scheme: []}]
    assert schema["paths"]["/api/v1/me"]["delete"]["security"] == [{scheme: []}]
    assert "security" not in schema["paths"]["/api/v1/accounts"]["post"]


def test_bodies_and_headers_are_documented(schema):
    delete_body = schema["paths"]["/api/v1/me"]["delete"]["requestBody"]
    throttled = _responses(schema, "/api/v1/tokens", "post")["429"]
    unauthorized = _responses(schema, "/api/v1/me", "get")["401"]
    registered = schema["components"]["schemas"]["RegisteredAccount"]

    assert "application/json" in delete_body["content"]
    assert "Retry-After" in throttled["headers"]
    assert "WWW-Authenticate" in unauthorized["headers"]
    assert set(registered["required"]) == {"account", "token", "token_type", "expires_at"}
