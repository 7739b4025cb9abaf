"""Internal endpoints and the caller's transport: credentials, errors as the context's own,
request ids carried, timeouts, retries of idempotent calls only, a circuit breaker."""

import json
import time

import httpx
import jwt
import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client
from jsonschema import Draft202012Validator

from blog_project.middleware import RequestIdMiddleware
from contexts.accounts import api as accounts_api
from contexts.kernel import requestcontext
from contexts.kernel.errors import CircuitOpen, TimedOut, Unavailable
from contexts.kernel.seams.client import RemoteApi, RemoteConfig, errors_of
from contexts.kernel.seams.credentials import service_token
from contexts.renderer import api as renderer_api

ACCOUNTS = "/internal/v1/accounts"
PASSWORD = "correct-horse-battery-9"


def _auth(audience: str = "accounts") -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {service_token(audience=audience, issuer='web')}"}


def _call(operation: str, args: dict, **headers):
    return Client().post(
        f"{ACCOUNTS}/{operation}", json.dumps({"args": args}), "application/json", **headers
    )


@pytest.mark.django_db(databases="__all__")
def test_a_call_without_service_credentials_is_refused_401():
    anonymous = _call("account_get", {"account_id": "0" * 32})
    other_audience = _call("account_get", {"account_id": "0" * 32}, **_auth("renderer"))
    forged = _call("account_get", {"account_id": "0" * 32}, HTTP_AUTHORIZATION="Bearer x.y.z")

    for response in (anonymous, other_audience, forged):
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.django_db(databases="__all__")
def test_a_call_answers_the_result_or_the_contexts_own_error_with_its_fields():
    created = _call("account_register", {"name": "carol", "password": PASSWORD}, **_auth())
    taken = _call("account_register", {"name": "Carol", "password": PASSWORD}, **_auth())
    weak = _call("account_register", {"name": "dave", "password": "dave1"}, **_auth())

    assert created.status_code == 200
    assert created.json()["result"]["name"] == "carol"
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "name_taken")
    assert weak.status_code == 400
    assert list(weak.json()["error"]["fields"]) == ["password"]


@pytest.mark.django_db(databases="__all__")
def test_a_token_checked_once_is_refused_once_expired_or_once_the_key_changes(settings):
    expires = int(time.time()) + 1
    token = jwt.encode(
        {"iss": "web", "aud": "accounts", "exp": expires}, settings.INTERNAL_API_KEY, "HS256"
    )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert _call("account_get", {"account_id": "0" * 32}, **headers).status_code == 404
    fresh = _auth()
    assert _call("account_get", {"account_id": "0" * 32}, **fresh).status_code == 404

    time.sleep(max(0.0, expires - time.time()) + 0.05)
    expired = _call("account_get", {"account_id": "0" * 32}, **headers)
    settings.INTERNAL_API_KEY = "another-deployment-" + "k" * 32
    other_key = _call("account_get", {"account_id": "0" * 32}, **fresh)

    for response in (expired, other_key):
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.django_db(databases="__all__")
@pytest.mark.parametrize(
    ("operation", "body", "status"),
    [
        ("no_such_operation", {"args": {}}, 404),
        ("account_get", {"args": {"account_id": 42}}, 400),
        ("account_get", {"args": {}}, 400),
        ("account_get", {"args": {"account_id": "x", "extra": 1}}, 400),
        ("account_get", {"arguments": {}}, 400),
        ("account_get", [], 400),
    ],
)
def test_a_malformed_call_gets_a_clear_error(operation, body, status):
    response = Client().post(
        f"{ACCOUNTS}/{operation}", json.dumps(body), "application/json", **_auth()
    )

    assert response.status_code == status
    assert response.json()["error"]["detail"]


@pytest.mark.django_db(databases="__all__")
def test_each_internal_api_describes_itself_in_an_openapi_document():
    assert Client().get(f"{ACCOUNTS}/openapi.json").status_code == 401
    document = Client().get(f"{ACCOUNTS}/openapi.json", **_auth()).json()

    assert document["openapi"].startswith("3.")
    assert f"{ACCOUNTS}/account_register" in document["paths"]
    operation = document["paths"][f"{ACCOUNTS}/account_get"]["post"]
    assert operation["x-idempotent"] is True
    args = operation["requestBody"]["content"]["application/json"]["schema"]["properties"]["args"]
    Draft202012Validator.check_schema(args)
    assert args["required"] == ["account_id"]


# -- the caller's transport, against a live server or a scripted one ---------------------


def _client(context, api, url, transport=None, **options):
    config = RemoteConfig(base_url=url, caller="web", **options)
    return RemoteApi(context, api.seam.protocol, config, errors_of(api), transport=transport)


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_remote_api_returns_the_same_types_and_raises_the_same_errors(live_server):
    accounts = _client("accounts", accounts_api, live_server.url)
    renderer = _client("renderer", renderer_api, live_server.url)
    try:
        _same_types_and_errors(accounts.implementation(), renderer.implementation())
    finally:
        # Close the kept-alive connections while the live server still serves them.
        accounts.close()
        renderer.close()


def _same_types_and_errors(remote, rendered) -> None:

    account = remote.account_register(name="erin", password=PASSWORD)
    again = remote.account_get(account_id=account.id)

    assert isinstance(again, accounts_api.Account) and again == account
    with pytest.raises(accounts_api.AccountNameTaken) as taken:
        remote.account_register(name="ERIN", password=PASSWORD)
    assert taken.value.status == 409
    with pytest.raises(accounts_api.InvalidPassword) as weak:
        remote.account_register(name="frank", password="frank1")
    assert list(weak.value.fields) == ["password"]
    assert rendered.document_render(src="*hi*").html == "<p><em>hi</em></p>\n"


class Script:
    """A scripted server: answers in turn, and keeps what it was sent."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def _ok(result) -> httpx.Response:
    return httpx.Response(200, json={"result": result})


def _failing() -> httpx.Response:
    return httpx.Response(503, json={"error": {"code": "unavailable", "detail": "busy"}})


def _render_result() -> dict:
    return {"html": "<p>x</p>\n", "link_urls": []}


TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def test_the_request_id_trace_context_and_service_credentials_travel_with_every_call():
    script = Script(_ok(_render_result()))
    remote = _client("renderer", renderer_api, "http://r", httpx.MockTransport(script))
    token = requestcontext.set_request_id("req-42")
    trace = requestcontext.set_trace_context(
        requestcontext.accepted_trace_context({"traceparent": TRACEPARENT, "tracestate": "a=1"})
    )
    try:
        remote.implementation().document_render(src="x")
    finally:
        requestcontext.reset_trace_context(trace)
        requestcontext.reset_request_id(token)

    (sent,) = script.requests
    assert sent.headers["X-Request-ID"] == "req-42"
    assert (sent.headers["traceparent"], sent.headers["tracestate"]) == (TRACEPARENT, "a=1")
    assert sent.headers["Authorization"].startswith("Bearer ")
    assert sent.url.path == "/internal/v1/renderer/document_render"
    assert json.loads(sent.content) == {"args": {"src": "x"}}


def test_an_idempotent_call_is_retried_and_another_is_not():
    retried = Script(_failing(), _failing(), _ok(_render_result()))
    renderer = _client("renderer", renderer_api, "http://r", httpx.MockTransport(retried))
    assert renderer.implementation().document_render(src="x").html == "<p>x</p>\n"
    assert len(retried.requests) == 3

    once = Script(_failing())
    accounts = _client("accounts", accounts_api, "http://a", httpx.MockTransport(once))
    with pytest.raises(Unavailable):
        accounts.implementation().account_register(name="gina", password=PASSWORD)
    assert len(once.requests) == 1  # registering twice could make two accounts


def test_a_context_that_does_not_answer_in_time_is_unavailable_as_timed_out():
    script = Script(httpx.ReadTimeout("slow"))
    remote = _client("renderer", renderer_api, "http://r", httpx.MockTransport(script), retries=0)

    with pytest.raises(TimedOut) as caught:
        remote.implementation().document_render(src="x")
    assert caught.value.outcome == "timeout" and caught.value.status == 503


def test_the_circuit_opens_after_repeated_failures_fails_fast_then_probes_again():
    script = Script(httpx.ConnectError("refused"))
    remote = _client(
        "renderer",
        renderer_api,
        "http://r",
        httpx.MockTransport(script),
        retries=0,
        breaker_fail_max=3,
        breaker_reset_seconds=0.2,
    )
    api = remote.implementation()
    for _ in range(2):
        with pytest.raises(Unavailable):
            api.document_render(src="x")
    with pytest.raises(Unavailable):
        api.document_render(src="x")  # the third failure opens the circuit
    sent = len(script.requests)

    with pytest.raises(CircuitOpen) as open_:
        api.document_render(src="x")
    assert len(script.requests) == sent  # failed fast: nothing sent
    assert open_.value.outcome == "circuit_open" and open_.value.retry_after >= 1

    script.answers = [_ok(_render_result())]
    time.sleep(0.25)  # the reset timeout passes: one call may probe
    assert api.document_render(src="x").html == "<p>x</p>\n"
    assert remote.breaker.current_state == "closed"


@pytest.mark.django_db(databases="__all__")
def test_the_web_processs_renders_never_spend_a_readers_render_budget(settings):
    # The web process calls the renderer service from its own address, for every reader
    # at once: its calls go to the internal endpoint, which the render throttle never sees.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "render": "2/minute",
        },
    }
    cache.delete("throttle_render_127.0.0.1")
    body = json.dumps({"args": {"src": "*hi*"}})
    internal = [
        Client().post(
            "/internal/v1/renderer/document_render", body, "application/json",
            REMOTE_ADDR="127.0.0.1", **_auth("renderer"),
        )
        for _ in range(5)
    ]  # fmt: skip
    public = [
        Client().post("/api/v1/render", json.dumps({"src": "x"}), "application/json")
        for _ in range(3)
    ]
    cache.delete("throttle_render_127.0.0.1")

    assert [response.status_code for response in internal] == [200] * 5
    assert [response.status_code for response in public] == [200, 200, 429]


@pytest.mark.parametrize(
    "traceparent",
    [
        "",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",  # no flags
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  # trace id all zeros
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  # parent id all zeros
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  # the invalid version
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  # upper case
    ],
)
def test_a_malformed_trace_context_is_not_carried_on(traceparent):
    headers = {"traceparent": traceparent, "tracestate": "a=1"}

    assert requestcontext.accepted_trace_context(headers) == {}


def test_a_request_carries_its_request_id_and_trace_context_to_what_it_calls(rf):
    during = []

    def view(request):
        during.append(requestcontext.outgoing_headers())
        return HttpResponse("ok")

    request = rf.get(
        "/", HTTP_X_REQUEST_ID="edge-1", HTTP_TRACEPARENT=TRACEPARENT, HTTP_TRACESTATE="a=1"
    )
    response = RequestIdMiddleware(view)(request)

    assert during == [{"X-Request-ID": "edge-1", "traceparent": TRACEPARENT, "tracestate": "a=1"}]
    assert response["X-Request-ID"] == "edge-1"
    assert requestcontext.outgoing_headers() == {}  # nothing left over for the next request
