"""At most N fetches from one host at a time."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import cache

from contexts.fetcher.domain import HostBusy
from contexts.fetcher.fetching import fetch_page
from contexts.fetcher.hosts import _slot_key, host_slot
from tests.fetcher.servers import Route


def test_fetches_from_one_host_never_exceed_its_limit(pages, policy):
    pages.routes["/slow"] = Route(delay=0.3)

    def fetch(_):
        with host_slot("127.0.0.1", limit=2, wait=10, lease=30):
            return fetch_page(pages.url("/slow"), policy=policy)

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(fetch, range(6)))

    assert len(results) == 6
    assert pages.most_active == 2


def test_other_hosts_are_not_held_up():
    # wait=0: HostBusy at once if b.example's slot were taken by a.example's fetch.
    with (
        host_slot("a.example", limit=1, wait=0, lease=30),
        host_slot("b.example", limit=1, wait=0, lease=30),
    ):
        pass


def test_a_host_busy_for_longer_than_the_wait_is_reported():
    with (
        host_slot("a.example", limit=1, wait=0, lease=30),
        pytest.raises(HostBusy) as caught,
        host_slot("A.example", limit=1, wait=0.1, lease=30),
    ):
        pass

    assert caught.value.code == "host_busy"


def test_a_slot_left_by_a_dead_fetch_frees_itself_when_its_lease_ends():
    cache.add(_slot_key("a.example", 0), "a fetch that died", timeout=0.2)

    with host_slot("a.example", limit=1, wait=2, lease=30):
        pass


def test_a_slot_is_given_back_even_when_the_fetch_fails():
    with pytest.raises(RuntimeError), host_slot("a.example", limit=1, wait=0, lease=30):
        raise RuntimeError("fetch failed")

    with host_slot("a.example", limit=1, wait=0, lease=30):
        pass
