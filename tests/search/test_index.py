"""The index follows the blog's events alone: at least once, in any order.

Whatever order events arrive in, and however often, the index ends showing what the
blog shows: the highest revision of each entry wins, a deletion is final, and a blog's
newest title wins.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contexts.blog import api as blog_api
from contexts.kernel.events.subscriptions import subscriber, subscriber_name
from contexts.search import api as search_api
from contexts.search import handlers, services
from contexts.search.models import Document
from tests.search.conftest import at, entry_event

pytestmark = pytest.mark.django_db(databases="__all__")


def found(q: str) -> list[str]:
    """Return the titles search finds for `q`, best first."""
    return [hit.title for hit in search_api.search(q=q, limit=50)]


def hide(event, revision: int):
    return blog_api.EntryUnpublished(
        entry_id=event.entry_id, revision=revision, blog_id=event.blog_id
    )


def test_a_published_entry_is_found_by_a_word_of_its_title_or_text():
    handlers.on_entry_published(entry_event(title="Pasta tonight", text="With garlic and oil."))

    assert found("pasta") == ["Pasta tonight"]
    assert found("garlic") == ["Pasta tonight"]
    assert found("GARLIC oil") == ["Pasta tonight"]
    assert found("garlic butter") == []  # every word must match
    assert found("risotto") == []


def test_a_hit_carries_what_a_result_shows():
    event = entry_event(entry_id="7", title="Hello", text="A word here.", blog_title="My notes")
    handlers.on_entry_published(event)

    (hit,) = search_api.search(q="word")

    assert hit.entry_id == "7"
    assert hit.url_path == "/blogs/notes/entries/7"
    assert (hit.blog_path, hit.blog_title, hit.blog_url_path) == (
        "notes",
        "My notes",
        "/blogs/notes",
    )
    assert hit.author_name == "alice"
    assert hit.published_at == event.published_at
    assert "<mark>word</mark> here" in hit.snippet


def test_words_are_found_by_their_stem():
    handlers.on_entry_published(entry_event(title="Cats", text="Running with the cat."))

    assert found("cat") == ["Cats"]
    assert found("runs") == ["Cats"]


def test_a_match_in_the_title_ranks_above_a_match_in_the_text():
    handlers.on_entry_published(entry_event(title="About gardens", text="Flowers and soil."))
    handlers.on_entry_published(entry_event(title="Flowers", text="About gardens and soil."))

    assert found("flowers") == ["Flowers", "About gardens"]
    assert found("gardens") == ["About gardens", "Flowers"]


def test_a_snippet_is_html_safe_whatever_the_entry_says():
    handlers.on_entry_published(
        entry_event(title="T", text='Beware <script>alert("x")</script> of scripts & tags.')
    )

    (hit,) = search_api.search(q="script")

    # Escaped, then marked: no markup but the marks. (PostgreSQL's headline leaves what
    # looks like a tag out; SQLite's keeps it, escaped.)
    assert hit.snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0
    assert "alert(&quot;x&quot;)" in hit.snippet
    assert "&amp; tags" in hit.snippet
    assert "<mark>script" in hit.snippet


def test_a_changed_entry_is_found_by_its_new_words_only():
    first = entry_event(title="Old title", text="Old words.")
    handlers.on_entry_published(first)

    handlers.on_entry_changed(
        entry_event(
            blog_api.EntryChanged, entry_id=first.entry_id, revision=1, title="New", text="Fresh."
        )
    )

    assert found("old") == []
    assert found("fresh") == ["New"]
    assert Document.objects.count() == 1


def test_an_unpublished_entry_disappears_and_comes_back_when_published_again():
    event = entry_event(title="Now you see it", text="Magic.")
    handlers.on_entry_published(event)

    handlers.on_entry_unpublished(hide(event, 1))
    assert found("magic") == []
    assert Document.objects.get().text == ""  # nothing of a draft stays in the index

    handlers.on_entry_published(entry_event(entry_id=event.entry_id, revision=2, text="Magic."))
    assert found("magic") == ["An entry"]


def test_an_older_event_arriving_late_changes_nothing():
    event = entry_event(title="Gone", text="Hidden words.")
    handlers.on_entry_unpublished(hide(event, 1))  # the unpublishing overtook the publishing

    handlers.on_entry_published(event)
    handlers.on_entry_changed(
        entry_event(blog_api.EntryChanged, entry_id=event.entry_id, revision=0, text="Hidden.")
    )

    assert found("hidden") == []


def test_an_event_delivered_twice_is_applied_once():
    event = entry_event(title="Twice", text="Applied singly.")

    handlers.on_entry_published(event)
    handlers.on_entry_published(event)

    assert found("applied") == ["Twice"]
    assert Document.objects.count() == 1


def test_events_a_worker_applies_together_index_as_they_would_one_by_one():
    # What the inbox hands the handler's together-form when a worker holds a batch.
    together = subscriber(
        blog_api.EntryPublished.type_name, subscriber_name(handlers.on_entry_published)
    ).together
    assert together is not None
    first = entry_event(title="Draft title", text="Alpha words.")
    handlers.on_blog_deleted(blog_api.BlogDeleted(blog_id="66", path="gone"))
    handlers.on_entry_unpublished(hide(entry_event(entry_id="77"), 3))

    together(
        [
            entry_event(entry_id=first.entry_id, revision=2, title="Final title", text="Beta."),
            first,  # older than the revision beside it: the newest wins
            entry_event(title="Second", text="Gamma words."),
            entry_event(blog_id="66", blog_path="gone", title="Lost", text="Gamma."),
            entry_event(entry_id="77", revision=1, title="Late", text="Gamma."),
        ]
    )

    assert found("alpha") == []
    assert found("beta") == ["Final title"]
    assert found("gamma") == ["Second"]


def test_a_deleted_entry_never_comes_back():
    event = entry_event(title="Doomed", text="Soon deleted.")
    handlers.on_entry_published(event)

    handlers.on_entry_deleted(
        blog_api.EntryDeleted(entry_id=event.entry_id, revision=1, blog_id=event.blog_id)
    )
    handlers.on_entry_published(entry_event(entry_id=event.entry_id, revision=5, text="Soon."))

    assert found("soon") == []


def test_a_deleted_blogs_entries_disappear_and_later_news_of_them_is_ignored():
    handlers.on_entry_published(entry_event(blog_id="1", title="In the doomed blog", text="x y"))
    handlers.on_entry_published(entry_event(blog_id="2", title="In another blog", text="x y"))

    handlers.on_blog_deleted(blog_api.BlogDeleted(blog_id="1", path="notes"))
    handlers.on_entry_published(entry_event(blog_id="1", title="Late", text="x y"))

    assert found("x") == ["In another blog"]


def test_a_deleted_accounts_entries_disappear_for_good():
    handlers.on_entry_published(entry_event(account_id="gone", blog_id="1", text="Forget me."))
    handlers.on_entry_published(entry_event(account_id="kept", blog_id="2", title="Keep me"))

    handlers.on_account_content_deleted(blog_api.AccountContentDeleted(account_id="gone"))
    handlers.on_entry_published(entry_event(account_id="gone", blog_id="3", text="Forget me."))

    assert found("forget") == []
    assert found("keep") == ["Keep me"]


def test_a_forgotten_accounts_entry_stays_out_of_a_blog_the_index_knew_without_its_owner():
    # An unpublish arriving first leaves the blog's row without its account id, so
    # forgetting the account cannot mark that blog deleted: the entry is refused on the
    # account alone.
    early = entry_event(account_id="gone", blog_id="4", text="Forget me.")
    handlers.on_entry_unpublished(hide(early, revision=1))
    handlers.on_account_content_deleted(blog_api.AccountContentDeleted(account_id="gone"))

    handlers.on_entry_published(entry_event(account_id="gone", blog_id="4", text="Forget me."))

    assert found("forget") == []


def test_a_blogs_newest_title_wins_whatever_the_order():
    first = entry_event(blog_id="5", blog_title="Old name", blog_updated_at=at(0), text="Alpha")
    handlers.on_blog_changed(
        blog_api.BlogChanged(
            blog_id="5",
            path="notes",
            title="New name",
            url_path="/blogs/notes",
            account_id="acc-1",
            updated_at=at(10),
        )
    )
    handlers.on_entry_published(first)  # published before the rename, delivered after it

    assert [hit.blog_title for hit in search_api.search(q="alpha")] == ["New name"]

    handlers.on_entry_published(
        entry_event(blog_id="5", blog_title="Newest name", blog_updated_at=at(20), text="Beta")
    )
    assert {hit.blog_title for hit in search_api.search(q="alpha")} == {"Newest name"}


def test_results_come_a_page_at_a_time():
    for number in range(5):
        handlers.on_entry_published(
            entry_event(title=f"Entry {number}", text="common", published_at=at(number))
        )

    first = search_api.search(q="common", offset=0, limit=2)
    rest = search_api.search(q="common", offset=2, limit=10)

    # Equal ranks: the newest first.
    assert [hit.title for hit in first] == ["Entry 4", "Entry 3"]
    assert [hit.title for hit in rest] == ["Entry 2", "Entry 1", "Entry 0"]
    assert search_api.search(q="common", offset=100, limit=10) == []


HOSTILE_QUERIES = [
    '"',
    '"unbalanced',
    "(((",
    "a) OR (b",
    "*",
    "NEAR(a b)",
    "a AND OR NOT",
    "title:secret",
    "^start",
    "-minus +plus",
    "nul\x00byte",
    "' OR 1=1 --",
    "a & b | !c <-> d",
    ":* &!|",
    "\\",
    "%",
    "ﬁ ß İ",
]


@pytest.mark.parametrize("q", HOSTILE_QUERIES)
def test_no_query_is_a_syntax_error_for_the_database(q):
    handlers.on_entry_published(entry_event(title="Plus and minus", text="a b c d start"))

    assert isinstance(search_api.search(q=q), list)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(min_size=1, max_size=200).filter(str.strip))
def test_any_query_of_one_to_two_hundred_characters_is_answered(q):
    assert isinstance(search_api.search(q=q), list)


def test_indexing_counts_what_it_wrote_and_what_a_newer_or_deleted_row_refused():
    def index(*events) -> tuple[int, int]:
        return services.documents_index(documents=[handlers._document(e) for e in events])

    newer = entry_event(revision=2, title="Newer")
    gone = entry_event(revision=1)
    assert index(newer, gone, entry_event()) == (3, 0)
    handlers.on_entry_deleted(
        blog_api.EntryDeleted(entry_id=gone.entry_id, revision=2, blog_id=gone.blog_id)
    )

    older = entry_event(entry_id=newer.entry_id, revision=1, title="Stale")
    again = entry_event(entry_id=gone.entry_id, revision=3)
    assert index(older, again, entry_event(revision=1)) == (1, 2)
    assert index(entry_event(entry_id=newer.entry_id, revision=2, title="Replaced")) == (1, 0)
    assert found("stale") == [] and found("replaced") == ["Replaced"]
