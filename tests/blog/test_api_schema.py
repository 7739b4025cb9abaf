"""The OpenAPI document at /api/schema/ describes every Blogs and Entries row of api-v1.md."""

import pytest
from rest_framework.test import APIClient

# (path, method, documented success status, documented error statuses), from api-v1.md.
ROWS = [
    ("/api/v1/blogs", "get", "200", {"400"}),
    ("/api/v1/blogs", "post", "201", {"400", "401", "409"}),
    ("/api/v1/blogs/{path}", "get", "200", {"404"}),
    ("/api/v1/blogs/{path}", "patch", "200", {"400", "401", "403", "404"}),
    ("/api/v1/blogs/{path}", "delete", "204", {"401", "403", "404"}),
    ("/api/v1/blogs/{path}/entries", "get", "200", {"400", "401", "403", "404"}),
    ("/api/v1/blogs/{path}/entries", "post", "201", {"400", "401", "403", "404", "409", "413"}),
    ("/api/v1/blogs/{path}/entries/{entry_id}", "get", "200", {"404"}),
    (
        "/api/v1/blogs/{path}/entries/{entry_id}",
        "patch",
        "200",
        {"400", "401", "403", "404", "413"},
    ),
    ("/api/v1/blogs/{path}/entries/{entry_id}", "delete", "204", {"401", "403", "404"}),
]


@pytest.fixture(scope="module")
def schema() -> dict:
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize(("path", "method", "success", "errors"), ROWS)
def test_each_blog_and_entry_row_is_in_the_schema(schema, path, method, success, errors):
    operation = schema["paths"][path][method]

    assert set(operation["responses"]) == {success, *errors}


def test_the_schema_has_no_other_blog_operations(schema):
    documented = {
        (path, method)
        for path, operations in schema["paths"].items()
        if path.startswith("/api/v1/blogs")
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }

    assert documented == {(path, method) for path, method, _, _ in ROWS}


def test_the_schema_describes_the_json_shapes(schema):
    components = schema["components"]["schemas"]
    blog = components["BlogOutput"]["properties"]
    entry = components["EntryOutput"]["properties"]

    assert set(blog) == {"path", "title", "description", "owner", "created_at", "updated_at", "url"}
    assert set(entry) == {
        "id",
        "title",
        "body",
        "body_html",
        "status",
        "published_at",
        "edited_at",
        "url",
        "blog",
    }
    page = schema["paths"]["/api/v1/blogs"]["get"]["responses"]["200"]["content"]
    page_schema = page["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(components[page_schema]["properties"]) == {"results", "next", "previous"}


def test_the_schema_documents_location_and_idempotency_key(schema):
    create = schema["paths"]["/api/v1/blogs/{path}/entries"]["post"]

    assert "Location" in create["responses"]["201"]["headers"]
    assert "Idempotency-Key" in [p["name"] for p in create["parameters"] if p["in"] == "header"]
    assert create["security"]  # needs a bearer token
