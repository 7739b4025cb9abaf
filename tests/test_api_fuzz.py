"""The OpenAPI document is exact: a bounded schemathesis run, every check, finds nothing.

Every operation of /api/schema/ is fuzzed twice, by an anonymous client and by the owner
of a blog with an entry (whose path and id the owner's valid requests name), with data
that fits the document and data that does not, under all of schemathesis's checks.
MAX_EXAMPLES bounds the run (its coverage phase adds the boundary cases of each
parameter); FUZZ_EXAMPLES=<n> in the environment runs a longer one.
"""

import json
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings

from contexts.accounts import api as accounts_api
from contexts.blog import services as blog_services

PASSWORD = "correct-horse-battery-9"
MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))

CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            "enabled": True,
            # 413 (a body over its limit) is a rejection too.
            "negative_data_rejection": {
                "expected-statuses": [
                    *("400", "401", "403", "404", "405", "406", "409", "413", "415"),
                    *("422", "428", "429"),
                ]
            },
        },
        "generation": {"mode": "all", "max-examples": MAX_EXAMPLES},
        "output": {"sanitization": {"enabled": False}},
        "operations": [
            {
                # Django's password validators refuse common passwords and ones too
                # similar to the name: rules no JSON Schema can state. A password that
                # fits the document may still get a 400 naming `password`.
                "include-operation-id": "accounts_create",
                "checks": {
                    "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "409", "429"]}
                },
            },
            {
                # A published entry needs a body that is not blank: a rule across two
                # fields (`status` and `body`), which OpenAPI 3.0 cannot state. A request
                # that fits the document may get a 400 naming `body`.
                "include-operation-id": ["entries_create", "entries_partial_update"],
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "429"]
                    }
                },
            },
        ],
    }
)


def _document() -> dict:
    """The document /api/schema/ serves, as JSON (generated here: no request, no database)."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


schema = schemathesis.openapi.from_dict(_document(), config=CONFIG)
# Requests go to the Django application in this process, on the test databases.
schema.app = get_wsgi_application()


@pytest.fixture(autouse=True)
def _connections_stay_open():
    """Keep the test's database connections across requests, as Django's test client does.

    Served outside the test client, every request would close the connections that
    hold the test's transaction (on PostgreSQL: "the connection is closed").
    """
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def owner():
    """A signed-in owner with a blog and an entry: (token, {path parameter: value})."""
    account = accounts_api.account_register(name="fuzzer", password=PASSWORD)
    author = blog_services.author_ensure(account_id=account.id, name=account.name)
    blog = blog_services.blog_create(owner=author, path="fuzz-blog", title="Fuzz")
    entry = blog_services.entry_publish(blog=blog, actor=author, title="Hello", body="*Hi*")
    token = accounts_api.token_issue(account_id=account.id).token
    return token, {"path": blog.path, "entry_id": entry.public_id}


@schema.parametrize()
@pytest.mark.django_db(databases="__all__")
def test_the_api_answers_anonymous_clients_as_its_document_says(case):
    case.call_and_validate()


@schema.parametrize()
@pytest.mark.django_db(databases="__all__")
# The owner and their blog are made once per operation, for all its examples.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_api_answers_a_signed_in_owner_as_its_document_says(case, owner):
    token, resources = owner
    if case.meta is not None and case.meta.generation.mode.is_positive:
        # Valid requests name the owner's own blog and entry, so that they get past the
        # 404 and reach the validation, the rendering and the database.
        for name, value in resources.items():
            if name in (case.path_parameters or {}):
                case.path_parameters[name] = value
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"})
