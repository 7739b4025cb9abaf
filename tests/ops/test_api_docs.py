"""/api/docs/ is served by the site itself: it works on a machine without internet."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db(databases="__all__")

REFERENCE = re.compile(r'(?:src|href)="([^"]*)"')


def test_the_api_docs_page_references_no_other_host_and_every_file_it_needs_is_here():
    response = Client().get("/api/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    references = REFERENCE.findall(page)
    assert references, page
    for reference in references:
        assert reference.startswith("/") and not reference.startswith("//"), reference
    for reference in references:
        if reference.startswith("/static/"):
            assert finders.find(reference.removeprefix("/static/")), reference
    assert any(r.endswith("swagger-ui-bundle.js") for r in references)


def test_the_api_docs_page_has_no_inline_script_or_style():
    page = Client().get("/api/docs/").content.decode()

    assert "<style" not in page
    assert " style=" not in page
    for script in re.findall(r"<script[^>]*>(.*?)</script>", page, flags=re.S):
        assert script.strip() == ""


def test_its_own_script_comes_from_the_site_and_loads_the_schema_from_the_site():
    script = Client().get("/api/docs/?script=")

    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"/api/schema/" in script.content
    assert b"http://" not in script.content and b"https://" not in script.content
