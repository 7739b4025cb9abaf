"""The subscription table: handed over at start-up, every handler checked then."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from contexts.kernel.events import subscriptions as subs
from contexts.kernel.events.subscriptions import configure, subscriber_name
from tests.eventsapp import handlers
from tests.eventsapp.events import Burst, ThingHappened


@pytest.fixture
def restore():
    saved = subs.table()
    yield
    configure(saved)


def test_the_test_apps_table_is_installed_beside_the_projects_own():
    names = [s.name for s in subs.subscribers_of("eventsapp.ThingHappened.v1")]

    assert names == [
        "tests.eventsapp.handlers.record_effect",
        "tests.eventsapp.handlers.audit_effect",
    ]
    assert subs.subscribers_of("eventsapp.Unheard.v1") == []


def test_handlers_given_as_dotted_paths_or_callables_are_the_same_subscriber(restore):
    configure({"eventsapp.Burst.v1": ["tests.eventsapp.handlers.record_burst"]})
    by_path = subs.subscribers_of("eventsapp.Burst.v1")
    configure({Burst: [handlers.record_burst]})
    by_callable = subs.subscribers_of("eventsapp.Burst.v1")

    assert by_path == by_callable
    assert by_path[0].name == subscriber_name(handlers.record_burst)
    assert (by_path[0].store.alias, by_path[0].context) == ("default", "eventsapp")


def test_configure_replaces_the_table_and_returns_the_old_one(restore):
    old = configure({ThingHappened: [handlers.audit_effect]})

    assert ThingHappened in old
    assert [s.name for s in subs.subscribers_of(ThingHappened.type_name)] == [
        "tests.eventsapp.handlers.audit_effect"
    ]
    assert subs.subscribers_of("eventsapp.Burst.v1") == []


def test_a_handler_in_a_context_without_an_inbox_is_refused_at_start_up(restore):
    with pytest.raises(ImproperlyConfigured, match="InboxBase"):
        configure({Burst: ["contexts.kernel.retry.backoff_delay"]})


def test_a_handler_outside_any_installed_app_is_refused(restore):
    with pytest.raises(ImproperlyConfigured, match="no installed app"):
        configure({Burst: ["json.dumps"]})


def test_a_misspelt_handler_or_event_name_is_refused(restore):
    with pytest.raises(ImportError):
        configure({Burst: ["tests.eventsapp.handlers.no_such_handler"]})
    with pytest.raises(ValueError):
        configure({"not-an-event": [handlers.record_burst]})
    with pytest.raises(TypeError):
        configure({Burst: [42]})


def test_a_refused_table_leaves_the_old_one_in_place(restore):
    before = subs.subscribers_of("eventsapp.Burst.v1")
    with pytest.raises(ImproperlyConfigured):
        configure({Burst: ["json.dumps"]})

    assert subs.subscribers_of("eventsapp.Burst.v1") == before
