"""A list's query parameters read without DRF's serializers mean what the serializers say.

The page numbers (kernel.http.pagination) and the status of a blog's entries
(blog.http.views) are read directly when they are plain; anything else goes to the
serializers, whose errors are the contract's (api-v1.md). These tests hold both readings
equal, and the answers of the endpoint for the odd cases.
"""

import pytest
from django.http import QueryDict
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from contexts.blog.http.serializers import EntryListQuerySerializer
from contexts.blog.http.views import _listed_status
from contexts.kernel.http.pagination import _PageQuery, _plain_numbers

# What people (and fuzzers) put in a page number: digits, signs, spaces, other scripts'
# digits, decimals, huge numbers.
NUMBERS = st.one_of(
    st.integers(min_value=-5, max_value=150).map(str),
    st.integers(min_value=0, max_value=10**12).map(str),
    st.sampled_from(["", " 1", "1 ", "+1", "1_0", "１", "٣", "0001", "1.0", "2e3", "0" * 12 + "7"]),
    st.text(alphabet="0123456789 +-.x", max_size=12),
    st.just("9" * 1001),
)
STATUSES = st.one_of(
    st.sampled_from(["published", "draft", "all", "", "Draft", "drafts", " all", "all\x00"]),
    st.text(max_size=8),
)


def _drf_numbers(parameters: dict) -> dict | None:
    query = _PageQuery(data=parameters)
    return dict(query.validated_data) if query.is_valid() else None


@examples(max_examples=400)
@given(st.dictionaries(st.sampled_from(["page", "page_size", "other"]), NUMBERS, max_size=3))
def test_plain_page_numbers_are_what_the_serializer_makes_of_them(parameters):
    plain = _plain_numbers(parameters)
    drf = _drf_numbers(parameters)

    if plain is not None:
        assert plain == drf  # read directly: what DRF would have read
    # None: the serializer answers, valid or not, as before


def test_plain_page_numbers_are_read_directly():
    assert _plain_numbers({}) == {"page": 1}
    assert _plain_numbers({"page": "3", "page_size": "100"}) == {"page": 3, "page_size": 100}
    for odd in ["0", "101", "-1", "+1", " 1", "１", "", "1.0", "0001000000"]:
        assert _plain_numbers({"page_size": odd}) is None


def _request(query: str) -> Request:
    return Request(APIRequestFactory().get(f"/api/v1/blogs/x/entries?{query}"))


@examples(max_examples=200)
@given(st.lists(STATUSES, max_size=3), st.booleans())
def test_the_status_asked_for_is_what_the_serializer_makes_of_it(values, other):
    query = QueryDict(mutable=True)
    for value in values:
        query.appendlist("status", value)
    if other:
        query["page"] = "2"
    request = _request(query.urlencode())
    expected = EntryListQuerySerializer(data=request.query_params)

    if expected.is_valid():
        assert _listed_status(request) == expected.validated_data["status"]
    else:
        with pytest.raises(ValidationError) as refused:
            _listed_status(request)
        assert refused.value.detail == expected.errors


@pytest.mark.django_db(databases="__all__")
@pytest.mark.usefixtures("fake_renderer")
@pytest.mark.parametrize(
    ("query", "status", "body"),
    [
        ("page=0", 400, {"page": ["Ensure this value is greater than or equal to 1."]}),
        ("page=%2B1", 400, {"page": ["A valid integer is required."]}),
        ("page=", 400, {"page": ["A valid integer is required."]}),
        ("page_size=101", 400, {"page_size": ["Ensure this value is less than or equal to 100."]}),
        ("status=nope", 400, {"status": ['"nope" is not a valid choice.']}),
        ("status=", 200, None),
        ("page=0001&page_size=02", 200, None),
        ("status=nope&status=published", 200, None),
    ],
)
def test_the_list_answers_odd_parameters_as_the_contract_says(
    api_client, blog, make_entry, query, status, body
):
    make_entry(blog, title="One")
    make_entry(blog, title="Two")

    response = api_client.get(f"/api/v1/blogs/{blog.path}/entries?{query}")

    assert response.status_code == status, response.content
    if body is not None:
        assert response.json() == body
    else:
        titles = [entry["title"] for entry in response.json()["results"]]
        assert titles == ["Two", "One"]
