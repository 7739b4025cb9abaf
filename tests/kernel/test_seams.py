"""Seams: an api bound in-process or remote, every call through one wrapper that injects
faults and tells observers; values crossing as JSON come back as the same types."""

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import pytest
from django.core.exceptions import ImproperlyConfigured

from contexts.kernel.errors import InjectedFault, InvalidInput, Unavailable
from contexts.kernel.seams import Seam, codec, faults, idempotent
from contexts.kernel.seams.binding import add_observer, remove_observer


@dataclass(frozen=True)
class Thing:
    name: str
    made_at: datetime
    tags: tuple[str, ...] = ()
    parent: "Thing | None" = None


class ThingsApi(Protocol):
    @idempotent
    def thing_get(self, *, name: str) -> Thing: ...

    def thing_break(self) -> None: ...


class LocalThings:
    def thing_get(self, *, name: str) -> Thing:
        return Thing(name=name, made_at=datetime(2026, 1, 2, tzinfo=UTC))

    def thing_break(self) -> None:
        raise InvalidInput(fields={"name": ["No."]})


@pytest.fixture
def seam() -> Seam[ThingsApi]:
    bound: Seam[ThingsApi] = Seam("things", ThingsApi)
    bound.bind(LocalThings(), transport="inprocess")
    return bound


@pytest.fixture
def records():
    seen = []
    add_observer(seen.append)
    yield seen
    remove_observer(seen.append)


@pytest.fixture(autouse=True)
def _no_stored_faults(settings, tmp_path):
    settings.CACHE_URL = ""
    settings.VAR_DIR = tmp_path
    faults.current.refresh()
    yield
    faults.current.refresh()


def test_an_unbound_api_says_the_composition_root_binds_it():
    unbound: Seam[ThingsApi] = Seam("things", ThingsApi)

    with pytest.raises(ImproperlyConfigured, match="not bound"):
        unbound.api.thing_get(name="x")


def _thing_get(seam: Seam[ThingsApi], name: str) -> Thing:
    """What a context's api module does: call through its seam."""
    return seam.api.thing_get(name=name)


def test_a_call_reaches_the_bound_code_and_observers_hear_of_it(seam, records):
    thing = _thing_get(seam, "lamp")

    assert thing.name == "lamp"
    (record,) = records
    assert (record.callee, record.operation, record.transport, record.outcome) == (
        "things",
        "thing_get",
        "inprocess",
        "ok",
    )
    # The caller is the context (here: the tests) that called the api function.
    assert record.caller == "tests" and record.seconds >= 0


def test_an_error_the_context_reports_is_its_own_and_counts_as_an_error(seam, records):
    with pytest.raises(InvalidInput) as caught:
        seam.api.thing_break()

    assert caught.value.fields == {"name": ["No."]}
    assert records[-1].outcome == "error"


def test_an_injected_abort_fails_calls_as_an_outage_would(seam, records, settings):
    settings.CONTEXT_FAULTS = {"things": {"abort_percent": 100, "abort_status": 503}}
    faults.current.refresh()

    with pytest.raises(InjectedFault) as caught:
        seam.api.thing_get(name="lamp")

    assert isinstance(caught.value, Unavailable) and caught.value.status == 503
    assert records[-1].outcome == "fault"


def test_an_injected_delay_holds_the_call_first(seam, settings):
    settings.CONTEXT_FAULTS = {"things": {"delay_percent": 100, "delay_seconds": 0.05}}
    faults.current.refresh()

    started = time.monotonic()
    seam.api.thing_get(name="lamp")

    assert time.monotonic() - started >= 0.05


def test_faults_set_at_run_time_win_over_the_environment_and_clear_stops_them(seam, settings):
    settings.CONTEXT_FAULTS = {"things": {"abort_percent": 100}}
    faults.store({"things": faults.Fault()})  # what `faults clear` stores
    faults.current.refresh()
    assert seam.api.thing_get(name="lamp").name == "lamp"

    faults.store({"things": faults.Fault(abort_percent=100, abort_status=500)})
    faults.current.refresh()
    with pytest.raises(InjectedFault):
        seam.api.thing_get(name="lamp")


def test_a_fault_is_refused_when_its_numbers_make_no_sense():
    for wrong in ({"abort_percent": 101}, {"abort_status": 42}, {"delay_seconds": -1}):
        with pytest.raises(ValueError):
            faults.Fault(**wrong)


def test_values_cross_as_json_and_come_back_as_the_same_types():
    thing = Thing(
        name="lamp",
        made_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        tags=("a", "b"),
        parent=Thing(name="room", made_at=datetime(2025, 1, 1, tzinfo=UTC)),
    )

    again = codec.decode(codec.encode(thing), Thing)

    assert again == thing
    assert codec.decode(codec.encode({"x": thing}), dict[str, Thing]) == {"x": thing}
    assert codec.decode(None, Thing | None) is None


@pytest.mark.parametrize(
    ("value", "hint"),
    [("x", int), (1, str), (True, int), ({"name": "n"}, Thing), ("not a date", datetime)],
)
def test_a_value_of_the_wrong_shape_is_refused(value, hint):
    with pytest.raises(codec.DecodeError):
        codec.decode(value, hint)
