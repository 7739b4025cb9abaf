"""Every answer under /api/v1/ is JSON in the error shapes of api-v1.md, even where no
endpoint is: a client never has to read an HTML page."""

import pytest
from django.test import Client, override_settings

from contexts.blog import selectors as blog_selectors
from contexts.blog.http import views

pytestmark = pytest.mark.django_db(databases="__all__")

NOT_FOUND = {"detail": "No endpoint at this address.", "code": "not_found"}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nonexistent",
        "/api/v1/blogs/",  # a trailing slash: the contract's paths have none
        "/api/v1/me/",
        "/api/v1/blogs/a%2Fb",
        "/api/v1/blogs/some-blog/entries/5/extra",
    ],
)
@pytest.mark.parametrize("debug", [True, False])
def test_a_path_with_no_endpoint_is_a_json_404(path, debug):
    with override_settings(DEBUG=debug):
        response = Client().get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == NOT_FOUND


def test_a_post_to_a_path_with_no_endpoint_is_a_json_404_too():
    response = Client().post("/api/v1/accounts/", {}, content_type="application/json")

    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_pages_outside_the_api_keep_the_sites_html_404():
    response = Client().get("/no-such-page")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"])
def test_a_bad_host_is_a_json_400_on_the_api_and_an_html_400_elsewhere():
    api = Client(HTTP_HOST="evil.example").get("/api/v1/blogs")
    page = Client(HTTP_HOST="evil.example").get("/")

    assert api.status_code == 400
    assert api.json() == {"detail": "Bad request.", "code": "bad_request"}
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")


@override_settings(DEBUG=False)
def test_a_server_error_on_the_api_is_json(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(views.BlogCollectionView, "get", broken)
    client = Client(raise_request_exception=False)

    response = client.get("/api/v1/blogs")

    assert response.status_code == 500
    assert response.json() == {"detail": "Server error.", "code": "server_error"}


@override_settings(DEBUG=False)
def test_a_server_error_on_a_page_is_the_sites_500_page(monkeypatch):
    """Django renders 500.html without the request (no context processors, no CSRF)."""

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(blog_selectors, "entry_count_published", broken)
    client = Client(raise_request_exception=False)

    response = client.get("/")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "<title>Something went wrong · Blogs</title>" in page
    assert '<link rel="stylesheet" href="/static/blog/site.css">' in page
    assert "a bug" not in page


def test_the_format_query_parameter_is_not_a_switch():
    """Only page, page_size, status and q mean something; others are ignored."""
    response = Client().get("/api/v1/blogs?format=xml")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
