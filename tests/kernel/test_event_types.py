"""Event types: frozen dataclasses with a versioned name, a JSON form and a registry."""

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from contexts.kernel.events import Event, InvalidEvent, UnknownEventType, event_type
from contexts.kernel.events.types import check_publishable, json_schema, type_name_of
from tests.eventsapp.events import FlakyThing, ThingHappened


def test_an_event_gets_an_id_and_a_time_and_cannot_change():
    event = ThingHappened(key="k")

    assert len(event.event_id) == 36
    assert event.occurred_at.tzinfo is not None
    assert ThingHappened(key="k").event_id != event.event_id
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.key = "other"  # type: ignore[misc]


def test_fields_of_a_subclass_are_required_keywords():
    with pytest.raises(TypeError):
        FlakyThing(key="k")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        FlakyThing("k", 3)  # type: ignore[misc]


def test_the_payload_round_trips_through_json_including_datetimes():
    at = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    event = ThingHappened(key="k", at=at, tags=["a", "b"])

    payload = event.to_payload()
    again = Event.from_payload(payload)

    assert payload["type"] == "eventsapp.ThingHappened.v1"
    assert payload["at"] == "2024-05-06T07:08:09+00:00"
    assert again == event
    assert isinstance(again, ThingHappened)


def test_fields_a_newer_producer_added_are_ignored_when_reading():
    payload = {**ThingHappened(key="k").to_payload(), "colour": "blue"}

    assert Event.from_payload(payload).key == "k"


def test_types_are_found_by_name_and_an_unknown_name_is_an_error():
    assert event_type("eventsapp.FlakyThing.v1") is FlakyThing
    with pytest.raises(UnknownEventType):
        event_type("eventsapp.Nothing.v1")
    with pytest.raises(UnknownEventType):
        Event.from_payload({"type": "eventsapp.Nothing.v1", "key": "k"})
    with pytest.raises(UnknownEventType):
        FlakyThing.from_payload(ThingHappened(key="k").to_payload())


@pytest.mark.parametrize(
    "name", ["AccountDeleted", "accounts.AccountDeleted", "accounts.x.v1", "A.B.v1", "a.B.v0"]
)
def test_a_type_name_without_context_name_and_version_is_refused(name):
    with pytest.raises(InvalidEvent):

        @dataclass(frozen=True, kw_only=True)
        class Bad(Event):
            type_name = name


def test_one_name_cannot_belong_to_two_types():
    with pytest.raises(InvalidEvent):

        @dataclass(frozen=True, kw_only=True)
        class Impostor(Event):
            type_name = "eventsapp.ThingHappened.v1"


def test_an_event_that_is_not_json_or_has_no_type_cannot_be_published():
    with pytest.raises(InvalidEvent):
        check_publishable(ThingHappened(key="k", tags=[object()]))  # type: ignore[list-item]
    with pytest.raises(InvalidEvent):
        check_publishable(Event())


def test_the_json_schema_follows_the_field_types_and_defaults():
    schema = json_schema(ThingHappened)

    assert schema["properties"]["key"] == {"type": "string"}
    assert schema["properties"]["at"] == {
        "anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]
    }
    assert schema["properties"]["tags"] == {
        "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]
    }
    assert schema["properties"]["type"] == {"const": "eventsapp.ThingHappened.v1"}
    assert schema["required"] == ["type", "event_id", "occurred_at", "key"]


def test_a_field_without_a_json_form_has_no_schema():
    @dataclass(frozen=True, kw_only=True)
    class Odd(Event):
        type_name = "eventsapp.Odd.v1"

        value: complex

    with pytest.raises(InvalidEvent, match="no JSON form"):
        json_schema(Odd)


def test_type_names_come_from_classes_instances_or_checked_strings():
    assert type_name_of(ThingHappened) == "eventsapp.ThingHappened.v1"
    assert type_name_of(ThingHappened(key="k")) == "eventsapp.ThingHappened.v1"
    assert type_name_of("accounts.AccountDeleted.v1") == "accounts.AccountDeleted.v1"
    with pytest.raises(InvalidEvent):
        type_name_of("not a name")
