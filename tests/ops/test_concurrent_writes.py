"""Concurrent writers against `make run` and `make serve` on the embedded SQLite defaults.

Real threads against a real server process: no answer of 500 or more, no dropped
connection, and every 201 is in the database files, read by another process.
(bench/concurrency.py measures the same bursts, larger, and prints the figures.)
"""

import os

import pytest

from tests import live

# The servers run on SQLite whatever this run uses; the run on PostgreSQL adds nothing.
pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="SQLite write concurrency: checked by the run on the embedded defaults",
)
# 50 writers at once: entries into one blog, and sign-ups (whose password hashing is
# slow on purpose, which is why they are fewer).
ENTRY_WRITERS = 35
SIGNUP_WRITERS = 15


@pytest.fixture(scope="module", params=["run", "serve"])
def server(request, tmp_path_factory):
    """`make run` (runserver, development settings) or `make serve` (gunicorn, production)."""
    target = request.param
    with live.LiveServer(target, tmp_path_factory.mktemp(target)) as running:
        yield running


def test_50_concurrent_writers_all_succeed_and_every_201_is_stored(server):
    token, path = live.writer_with_blog(server)
    senders = live.entry_senders(server, ENTRY_WRITERS, token, path)
    senders += live.signup_senders(server, SIGNUP_WRITERS)

    result = live.burst(senders)

    entries = result.part(0, ENTRY_WRITERS)
    signups = result.part(ENTRY_WRITERS, ENTRY_WRITERS + SIGNUP_WRITERS)
    assert result.errors == []
    assert result.server_errors() == []
    assert entries.statuses() == {201: ENTRY_WRITERS}
    assert signups.statuses() == {201: SIGNUP_WRITERS}
    # Read by this process from the files: committed, not held in the server's memory.
    stored = live.stored_entries(server.var_dir)
    assert {entry["id"]: entry["title"] for entry in entries.created()}.items() <= stored.items()
    names = {created["account"]["name"] for created in signups.created()}
    assert names <= live.stored_account_names(server.var_dir)


def test_every_database_file_is_in_wal_mode(server):
    for alias in ("default", "accounts", "blog", "renderer"):
        assert live.journal_mode(server.var_dir / f"{alias}.sqlite3") == "wal"


def test_parallel_guesses_from_one_address_get_exactly_the_allowance(server):
    name = live.unique_name("target", 1)

    def wrong() -> live.Answer:
        return server.request("POST", "/api/v1/tokens", {"name": name, "password": "wrong-one-9"})

    result = live.burst([wrong] * 20)

    assert result.statuses() == {401: 5, 429: 15}


def test_failed_sign_ins_are_counted_across_worker_processes(server):
    if server.target != "serve":
        pytest.skip("one process: nothing to share")
    assert server.log().count("Booting worker") >= 2
    name = live.unique_name("target", 0)
    registered = server.request(
        "POST", "/api/v1/accounts", {"name": name, "password": live.PASSWORD}
    )
    assert registered.status == 201

    # One at a time, so that the requests spread over the workers.
    answers = [
        server.request("POST", "/api/v1/tokens", {"name": name, "password": "wrong-one-9"})
        for _ in range(7)
    ]

    assert [answer.status for answer in answers] == [401] * 5 + [429] * 2
