"""POST /api/v1/render: every row and error of api-v1.md's Rendering table."""

import json
import uuid

import pytest
from django.core.cache import cache
from django.test import override_settings

from contexts.renderer.api import MAX_SOURCE_LENGTH, render

URL = "/api/v1/render"
LOCAL = "127.0.0.1"


def _throttle_key(address: str) -> str:
    return f"throttle_render_{address}"


@pytest.fixture(autouse=True)
def fresh_throttle():
    """Start every test with an empty render budget for the test client's address."""
    cache.delete(_throttle_key(LOCAL))
    yield
    cache.delete(_throttle_key(LOCAL))


def post(client, body, **extra):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", **extra)


def test_renders_the_source(client):
    src = "# Hi\n\n[https://x.example/:title=t] id:alice <script>x</script>"

    response = post(client, {"src": src})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"html": render(src).html}


def test_empty_source_is_fine(client):
    response = post(client, {"src": ""})

    assert (response.status_code, response.json()) == (200, {"html": ""})


def test_whitespace_is_kept(client):
    response = post(client, {"src": "    code\n"})

    assert response.json() == {"html": "<pre><code>code\n</code></pre>\n"}


def test_no_authentication_is_needed_and_a_token_is_ignored(client):
    response = post(client, {"src": "x"}, HTTP_AUTHORIZATION="Bearer not-a-token")

    assert response.status_code == 200


def test_source_at_the_limit_is_rendered(client):
    response = post(client, {"src": "a" * MAX_SOURCE_LENGTH})

    assert response.status_code == 200


def test_source_over_the_limit_is_413(client):
    response = post(client, {"src": "a" * (MAX_SOURCE_LENGTH + 1)})

    assert response.status_code == 413
    body = response.json()
    assert set(body) == {"detail", "code"}
    assert body["code"] == "too_large"


def test_a_body_too_large_for_any_acceptable_source_is_413_before_parsing(client):
    response = post(client, "x" * (MAX_SOURCE_LENGTH * 12 + 2048))

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "This field is required."),
        ({"text": "x"}, "This field is required."),
        ({"src": None}, "This field may not be null."),
        ({"src": 42}, "Must be a string."),
        ({"src": ["x"]}, "Must be a string."),
        ({"src": {"a": 1}}, "Must be a string."),
        ({"src": True}, "Must be a string."),
    ],
    ids=["missing", "other field", "null", "number", "list", "object", "boolean"],
)
def test_missing_or_invalid_src_is_a_field_error(client, body, message):
    response = post(client, body)

    assert response.status_code == 400
    assert response.json() == {"src": [message]}


def test_empty_body_is_a_field_error(client):
    response = post(client, "")

    assert (response.status_code, response.json()) == (400, {"src": ["This field is required."]})


@pytest.mark.parametrize(
    "body", ["not json", '{"src": ', b"\xff\xfe"], ids=["text", "cut", "bytes"]
)
def test_body_that_is_not_json_is_400(client, body):
    response = post(client, body)

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


@pytest.mark.parametrize("body", [["x"], "x", 1, None], ids=["list", "string", "number", "null"])
def test_body_that_is_not_an_object_is_400(client, body):
    response = post(client, json.dumps(body))

    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert len(response.json()["non_field_errors"]) == 1


@pytest.mark.parametrize(
    ("src", "message"),
    [
        ("a\\ud800b", "Surrogate characters are not allowed: U+D800."),
        ("a\\u0000b", "Null characters are not allowed."),
        ("a\\u202eb", "Bidirectional control characters are not allowed: U+202E."),
        ("a\\u001bb", "Control characters are not allowed: U+001B."),
    ],
    ids=["lone surrogate", "NUL", "bidi override", "escape"],
)
def test_characters_text_cannot_hold_are_field_errors(client, src, message):
    # As for an entry's body, which the web pages and the database must be able to hold.
    response = post(client, '{"src": "' + src + '"}')

    assert (response.status_code, response.json()) == (400, {"src": [message]})


def test_other_methods_are_405(client):
    response = client.get(URL)

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_rendering_is_throttled_per_client_address(client, settings):
    address, other = f"10.{uuid.uuid4().int % 250}.0.1", f"10.{uuid.uuid4().int % 250}.0.2"
    rest_framework = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "render": "2/minute",
        },
    }
    for key in (address, other):
        cache.delete(_throttle_key(key))
    try:
        with override_settings(REST_FRAMEWORK=rest_framework):
            first = [post(client, {"src": "x"}, REMOTE_ADDR=address) for _ in range(2)]
            throttled = post(client, {"src": "x"}, REMOTE_ADDR=address)
            forged = post(
                client, {"src": "x"}, REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR="10.9.9.9"
            )
            elsewhere = post(client, {"src": "x"}, REMOTE_ADDR=other)
    finally:
        for key in (address, other):
            cache.delete(_throttle_key(key))

    assert [response.status_code for response in first] == [200, 200]
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"
    assert set(throttled.json()) == {"detail", "code"}
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert forged.status_code == 429
    assert elsewhere.status_code == 200


def test_default_rate_is_120_per_minute(settings):
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["render"] == "120/minute"


def test_openapi_schema_describes_the_endpoint(client):
    response = client.get("/api/schema/", {"format": "json"})

    schema = json.loads(response.content)
    operation = schema["paths"]["/api/v1/render"]["post"]
    components = schema["components"]["schemas"]
    request_ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    ok_ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert list(components[request_ref.rsplit("/", 1)[1]]["properties"]) == ["src"]
    assert components[request_ref.rsplit("/", 1)[1]]["required"] == ["src"]
    assert list(components[ok_ref.rsplit("/", 1)[1]]["properties"]) == ["html"]
    assert {"200", "400", "413", "429"} <= set(operation["responses"])
    assert "security" not in operation or operation["security"] in ([], [{}])


def test_behind_a_trusted_proxy_rendering_is_throttled_per_forwarded_address(client, settings):
    proxy = "10.0.0.1"
    address, other = f"203.0.{uuid.uuid4().int % 250}.1", f"203.0.{uuid.uuid4().int % 250}.2"
    settings.NUM_PROXIES = 1
    rest_framework = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "render": "1/minute",
        },
    }
    keys = [_throttle_key(key) for key in (proxy, address, other)]
    cache.delete_many(keys)
    try:
        with override_settings(REST_FRAMEWORK=rest_framework):
            first = post(client, {"src": "x"}, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=address)
            again = post(client, {"src": "x"}, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=address)
            another = post(client, {"src": "x"}, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=other)
    finally:
        cache.delete_many(keys)

    # Every client comes through the proxy, yet each has a budget of its own.
    assert (first.status_code, again.status_code, another.status_code) == (200, 429, 200)
