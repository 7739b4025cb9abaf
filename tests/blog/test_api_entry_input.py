"""A new entry's JSON read without DRF's serializer means what the serializer says.

`plain_entry_input` reads a plain body (an object of acceptable strings) directly; it
hands anything else to EntryInputSerializer, whose errors are the contract's
(api-v1.md). These tests hold both readings equal, and the endpoint's answers to bodies
the direct reading declines.
"""

import json

import pytest
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st

from contexts.blog.http.serializers import EntryInputSerializer, plain_entry_input
from contexts.blog.models import Entry

# What people (and fuzzers) put in a title or a body: ordinary text, whitespace of every
# kind, control and bidi characters, lone surrogates, the length limit's edges.
TEXTS = st.one_of(
    st.text(max_size=12),
    st.text(alphabet=" \t\n\r\x0b\x1c\x85\xa0\u3000aé", max_size=6),
    st.sampled_from(
        ["", " ", "A title", " padded ", "x\x00", "a\x1fb", "\u202e", "\ud800", "é\u2028"]
    ),
    st.integers(min_value=495, max_value=505).map(lambda n: "t" * n),
    st.integers(min_value=495, max_value=505).map(lambda n: " " + "t" * (n - 2) + " "),
)
VALUES = st.one_of(
    TEXTS,
    st.sampled_from(["published", "draft", "Draft", "all", " draft"]),
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.lists(st.text(max_size=3), max_size=2),
    st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2),
)
BODIES = st.one_of(
    st.dictionaries(st.sampled_from(["title", "body", "status", "other"]), VALUES, max_size=4),
    st.fixed_dictionaries(
        {"title": TEXTS, "body": TEXTS},
        optional={"status": st.sampled_from(["published", "draft", "nope", ""])},
    ),
    st.lists(st.text(max_size=3), max_size=2),
    st.text(max_size=3),
    st.none(),
)


@examples(max_examples=600)
@given(BODIES)
def test_a_plain_body_reads_as_the_serializer_reads_it(data):
    plain = plain_entry_input(data)
    serializer = EntryInputSerializer(data=data)

    if plain is not None:
        assert serializer.is_valid(), serializer.errors  # never accepts what DRF refuses
        assert plain == dict(serializer.validated_data)
    # None: the serializer answers, valid or not, as before


def test_a_plain_body_is_read_directly():
    assert plain_entry_input({"title": " Hi ", "body": "Some *text*.\n"}) == {
        "title": "Hi",
        "body": "Some *text*.\n",
        "status": "published",
    }
    assert plain_entry_input({"title": "Hi", "body": "", "status": "draft", "x": 1}) == {
        "title": "Hi",
        "body": "",
        "status": "draft",
    }


@pytest.mark.parametrize(
    "data",
    [
        {"title": "", "body": "b"},
        {"title": "   ", "body": "b"},
        {"title": "t" * 501, "body": "b"},
        {"title": "a\x1fb", "body": "b"},
        {"title": "t", "body": "a\x00b"},
        {"title": "t", "body": "\ud800"},
        {"title": "t", "body": "\u202e"},
        {"title": 12345, "body": "b"},
        {"title": "t", "body": None},
        {"title": "t", "body": "b", "status": None},
        {"title": "t", "body": "b", "status": "Draft"},
        {"body": "b"},
        {"title": "t"},
        [],
        "text",
    ],
)
def test_anything_but_a_plain_body_goes_to_the_serializer(data):
    assert plain_entry_input(data) is None


@pytest.mark.django_db(databases="__all__")
@pytest.mark.usefixtures("fake_renderer")
@pytest.mark.parametrize(
    ("payload", "answer"),
    [
        ({"title": "  ", "body": "b"}, {"title": ["This field may not be blank."]}),
        ({"title": 5, "body": "b"}, {"title": ["Must be a string."]}),
        ({"title": "t", "body": "b", "status": "x"}, {"status": ['"x" is not a valid choice.']}),
        ({"title": "t" * 501, "body": "b"}, None),
        (
            {"title": "a\tb", "body": "b"},
            {"title": ["Control characters are not allowed: U+0009."]},
        ),
        ({"body": "b"}, {"title": ["This field is required."]}),
    ],
)
def test_a_body_the_direct_reading_declines_gets_the_serializers_answer(
    owner_client, blog, payload, answer
):
    response = owner_client.post(
        f"/api/v1/blogs/{blog.path}/entries", json.dumps(payload), content_type="application/json"
    )

    assert response.status_code == 400, response.content
    expected = EntryInputSerializer(data=payload)
    assert not expected.is_valid()
    assert response.json() == expected.errors
    if answer is not None:
        assert response.json() == answer
    assert not Entry.objects.exists()


@pytest.mark.django_db(databases="__all__")
@pytest.mark.usefixtures("fake_renderer")
def test_a_plain_body_publishes_the_entry_as_the_serializer_read_it(owner_client, blog):
    response = owner_client.post(
        f"/api/v1/blogs/{blog.path}/entries",
        json.dumps({"title": "  Spaced  ", "body": " kept \n", "other": 1}),
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    entry = Entry.objects.get()
    assert (entry.title, entry.body, entry.status) == ("Spaced", " kept \n", "published")
