"""Failed sign-ins: brute force stays expensive, and nobody can lock anyone else out (ADR 0005)."""

import time
import uuid

import pytest

from contexts.accounts import api as accounts_api
from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db(databases="__all__")

ATTACKER = "203.0.113.66"


class Clock:
    """time.time() under the test's control (the cache's expiries follow it too)."""

    def __init__(self, monkeypatch):
        self.now = time.time()
        monkeypatch.setattr(time, "time", lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch, settings) -> Clock:
    """A controlled clock, and a local-memory cache that follows it (Redis keeps its own)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"throttling-{uuid.uuid4().hex}",
        }
    }
    return Clock(monkeypatch)


@pytest.fixture
def rates(settings):
    """Set the sign-in rates and the longest delay of this test."""

    def configure(*, pair="5/minute", name="10/hour", address="100/hour", max_delay=60):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                "signin_pair": pair,
                "signin_name": name,
                "signin_address": address,
            },
        }
        settings.THROTTLE_SIGNIN_MAX_DELAY_SECONDS = max_delay

    configure()
    return configure


def sign_in(name: str = "Alice", password: str = PASSWORD, address: str | None = ATTACKER):
    return accounts_api.account_authenticate(name=name, password=password, client_address=address)


def fail(name: str = "Alice", times: int = 1, address: str | None = ATTACKER) -> None:
    for _ in range(times):
        with pytest.raises(accounts_api.AuthenticationFailed):
            sign_in(name, "wrong-password", address)


def refused(name: str = "Alice", password: str = PASSWORD, address: str | None = ATTACKER) -> int:
    """Assert the attempt is refused before any check; return its Retry-After."""
    with pytest.raises(accounts_api.SignInThrottled) as caught:
        sign_in(name, password, address)
    assert (caught.value.code, caught.value.status) == ("throttled", 429)
    return caught.value.retry_after


# --- per (name, address): tight --------------------------------------------------------


def test_sixth_failure_from_one_address_on_one_name_is_refused_even_with_the_password(alice, rates):
    fail(times=5)

    assert 1 <= refused() <= 60


def test_failures_count_for_a_name_whatever_its_case(alice, rates):
    for name in ["alice", "ALICE", "Alice", "aLICE", "alicE"]:
        fail(name)

    refused("ALICE")


def test_failures_for_unknown_names_are_refused_alike(rates):
    fail("Nobody", times=5)

    refused("nobody")


def test_one_address_refused_on_a_name_may_still_try_other_names(alice, rates):
    accounts_api.account_register(name="Bob", password=PASSWORD)
    fail(times=5)

    assert sign_in("Bob").name == "Bob"


def test_the_pair_window_ends_after_its_period(alice, rates, clock):
    fail(times=5)
    retry_after = refused()

    clock.advance(retry_after)

    assert sign_in().name == "Alice"


# --- nobody locks anyone out -------------------------------------------------------------


def guess(name: str = "Alice", address: str = ATTACKER) -> str:
    """Try a wrong password; return "failed" (401) or "refused" (429)."""
    try:
        sign_in(name, "wrong-password", address)
    except accounts_api.AuthenticationFailed:
        return "failed"
    except accounts_api.SignInThrottled:
        return "refused"
    raise AssertionError("a wrong password signed in")


def test_the_right_password_from_a_clean_address_signs_in_whatever_others_did(alice, rates):
    # Thirty guessers keep trying the name until each is refused...
    outcomes = [[guess(address=f"198.51.100.{index}") for _ in range(6)] for index in range(30)]

    assert all(tries[-1] == "refused" for tries in outcomes)
    # ...which kept the guesses checked far below the 180 attempts: the name's allowance,
    # each guesser's first try, and one per delay.
    checked = sum(tries.count("failed") for tries in outcomes)
    assert checked <= 10 + 30 + 1
    # The owner, from an address that has not failed, signs in at once...
    assert sign_in(address="192.0.2.10").name == "Alice"
    # ...and is told a typo is a typo, not made to wait.
    assert guess(address="192.0.2.11") == "failed"


def test_a_name_past_its_allowance_is_slowed_down_by_growing_delays_not_locked(alice, rates, clock):
    rates(pair="100/hour", name="10/hour", max_delay=8)
    for index in range(10):
        fail(address=f"198.51.100.{index}")  # the name's allowance, one failure per address
    fail(address=ATTACKER)  # a clean address's try is always checked

    # Now that it has failed, the address may try once per delay; the delay doubles with
    # each failure, up to the longest delay.
    waits = []
    for _ in range(5):
        fail(address=ATTACKER)
        waits.append(refused(address=ATTACKER))
        clock.advance(waits[-1])

    assert waits == [2, 4, 8, 8, 8]
    # After the delay the right password works, from that address too.
    assert sign_in(address=ATTACKER).name == "Alice"


def test_an_address_past_its_allowance_waits_growing_delays_not_a_lock(alice, rates, clock):
    rates(address="20/hour", max_delay=60)
    for index in range(20):
        fail(f"name{index}")  # 20 names once each: no pair limit reached

    fail("other1")
    first_wait = refused("other2")
    clock.advance(first_wait)
    fail("other2")
    second_wait = refused("other3")
    clock.advance(second_wait)

    assert (first_wait, second_wait) == (1, 2)
    assert sign_in(address=ATTACKER).name == "Alice"


def test_everything_resets_once_the_windows_end(alice, rates, clock):
    rates(name="3/hour")
    for index in range(3):
        fail(address=f"198.51.100.{index}")
    fail()
    fail()
    refused()

    clock.advance(3600)

    # The name is back to its allowance, and the address is clean again.
    fail(times=3)


# --- counting only failures --------------------------------------------------------------


def test_successful_sign_ins_are_not_counted(alice, rates):
    for _ in range(10):
        sign_in()
    fail(times=4)

    assert sign_in().name == "Alice"


def test_refused_attempts_do_not_count_as_failures(alice, rates):
    rates(pair="2/minute", address="100/minute")
    fail(times=2)
    for _ in range(5):
        refused()
    # The address bucket counted the two failures only, not the five refusals.
    for index in range(98):
        fail(f"other{index}")
    # Its allowance is spent now: the next failure waits a delay.
    fail("another")
    refused("another2")


def test_rates_come_from_the_settings(alice, rates):
    rates(pair="1/hour")
    fail()

    assert 60 < refused() <= 3600


def test_an_empty_rate_switches_its_limit_off(alice, rates):
    rates(pair="", name="", address="")

    fail(times=50)

    assert sign_in().name == "Alice"


def test_wrong_passwords_on_delete_count_from_the_client_address(alice, rates):
    for _ in range(5):
        with pytest.raises(accounts_api.WrongPassword):
            accounts_api.account_delete(
                account_id=alice.id, password="wrong-password", client_address=ATTACKER
            )

    with pytest.raises(accounts_api.SignInThrottled):
        accounts_api.account_delete(account_id=alice.id, password=PASSWORD, client_address=ATTACKER)
    assert accounts_api.account_get(account_id=alice.id) == alice
    # The stolen token's holder is refused; the owner signing in elsewhere is not.
    assert sign_in(address="192.0.2.12").name == "Alice"
