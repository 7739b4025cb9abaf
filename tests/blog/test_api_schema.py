"""The OpenAPI document at /api/schema/ describes every Blogs and Entries row of api-v1.md."""

import pytest
from rest_framework.test import APIClient

# (path, method, documented success status, documented error statuses), from api-v1.md.
ROWS = [
    # A read needs no token; one sent that is not valid is a 401 all the same.
    ("/api/v1/blogs", "get", "200", {"400", "401"}),
    # 413: a body over the upload limit (blog_project.middleware), or over 100,000 characters.
    ("/api/v1/blogs", "post", "201", {"400", "401", "409", "413"}),
    ("/api/v1/blogs/{path}", "get", "200", {"401", "404"}),
    ("/api/v1/blogs/{path}", "patch", "200", {"400", "401", "403", "404", "413"}),
    ("/api/v1/blogs/{path}", "delete", "204", {"401", "403", "404"}),
    ("/api/v1/blogs/{path}/entries", "get", "200", {"400", "401", "403", "404"}),
    ("/api/v1/blogs/{path}/entries", "post", "201", {"400", "401", "403", "404", "409", "413"}),
    ("/api/v1/blogs/{path}/entries/{entry_id}", "get", "200", {"401", "404"}),
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


# --- what the fuzzer (tests/test_api_fuzz.py) found, pinned ----------------------------


def test_page_and_page_size_are_bounded_as_the_server_bounds_them(schema):
    parameters = {
        p["name"]: p["schema"] for p in schema["paths"]["/api/v1/blogs"]["get"]["parameters"]
    }

    assert parameters["page"] == {"type": "integer", "minimum": 1}
    assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 100}


@pytest.mark.parametrize("query", ["page=", "page_size=", "page=&page_size=5"])
@pytest.mark.django_db(databases=["blog"])  # the page cache reads the pages' version
def test_an_empty_page_number_is_400_as_the_schema_says(query):
    response = APIClient().get(f"/api/v1/blogs?{query}")

    assert response.status_code == 400


def test_required_text_fields_say_they_need_a_character(schema):
    components = schema["components"]["schemas"]

    assert components["EntryInput"]["properties"]["title"]["minLength"] == 1
    assert components["BlogCreateInput"]["properties"]["title"]["minLength"] == 1
    assert components["BlogCreateInput"]["properties"]["path"]["pattern"] == (
        "^[a-z0-9][a-z0-9-]{2,63}$"
    )


def test_a_400_is_documented_as_field_errors_or_a_parse_error(schema):
    invalid = schema["paths"]["/api/v1/blogs"]["post"]["responses"]["400"]
    shapes = invalid["content"]["application/json"]["schema"]["anyOf"]

    assert {
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    } in shapes
    assert {"$ref": "#/components/schemas/Error"} in shapes


def test_the_document_says_a_blog_path_may_not_be_sent_in_a_patch(schema):
    patch = schema["paths"]["/api/v1/blogs/{path}"]["patch"]["requestBody"]
    reference = patch["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]

    assert schema["components"]["schemas"][reference]["properties"]["path"]["not"] == {}


def test_a_blank_body_is_one_valid_body_not_two(schema):
    # drf-spectacular offered "" as a oneOf alternative that the main one also took.
    body = schema["components"]["schemas"]["EntryInput"]["properties"]["body"]

    assert "oneOf" not in body
    assert body["maxLength"] == 100_000
