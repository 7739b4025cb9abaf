"""The page cache across processes: a page cached by one server process is never served
after another process answered the write that changed it.

Two `make serve` servers (gunicorn, production settings) share one VAR_DIR, as the workers
of one deployment share its databases: one reads as an anonymous reader, the other takes
the writer's requests. With the embedded defaults, and with Redis as the site's cache.
"""

import http.client
import os

import pytest
import redis

from tests import live


def _cache_url(kind: str) -> dict[str, str]:
    # The servers run on SQLite whatever this run uses: the embedded case once, in the
    # run on the embedded defaults; the Redis case in the run that has Redis.
    if kind == "embedded":
        if os.environ.get("DATABASE_URL"):
            pytest.skip("the embedded defaults: checked by the run on them")
        return {}
    url = os.environ.get("CACHE_URL", "")
    try:
        if not url.startswith("redis"):
            raise redis.RedisError("CACHE_URL does not name a Redis server")
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"REQUIRE_SERVICES=1 but {exc}", pytrace=False)
        pytest.skip(str(exc))
    return {"CACHE_URL": url}


def page(server: live.LiveServer, path: str, **headers: str) -> tuple[int, str, str]:
    """GET `path` as an anonymous browser; return the status, the page and its ETag."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=live.REQUEST_TIMEOUT)
    try:
        connection.request("GET", path, headers={"X-Forwarded-Proto": "https", **headers})
        response = connection.getresponse()
        return response.status, response.read().decode(), response.getheader("ETag") or ""
    finally:
        connection.close()


@pytest.mark.parametrize("kind", ["embedded", "redis"])
def test_a_write_answered_by_one_process_is_seen_by_a_page_cached_in_another(kind, tmp_path):
    environ = {"WEB_CONCURRENCY": "1", **_cache_url(kind)}
    reader, writer = (live.LiveServer("serve", tmp_path, **environ) for _ in range(2))
    # One after the other: the first migrates the shared databases.
    with reader, writer:
        token, path = live.writer_with_blog(writer)
        created = writer.request(
            "POST", f"/api/v1/blogs/{path}/entries", {"title": "First", "body": "x"}, token
        )
        entry = f"/api/v1/blogs/{path}/entries/{created.body['id']}"
        assert created.status == 201
        # Read twice by the reader's process: the second answer is its cached page.
        for _ in range(2):
            status, html, etag = page(reader, f"/blogs/{path}")
            assert status == 200 and "First" in html
            assert reader.request("GET", entry).body["title"] == "First"

        changed = writer.request("PATCH", entry, {"title": "Second"}, token)
        assert changed.status == 200

        status, html, new_etag = page(reader, f"/blogs/{path}", **{"If-None-Match": etag})
        assert status == 200 and "Second" in html and "First" not in html
        assert new_etag != etag
        assert reader.request("GET", entry).body["title"] == "Second"
        assert page(reader, f"/blogs/{path}", **{"If-None-Match": new_etag})[0] == 304
