"""Fetching one page safely, against local servers: what is fetched, what is refused, and why."""

import dataclasses
import gzip
import socket
import threading

import pytest

from contexts.fetcher import fetching
from contexts.fetcher.domain import FetchFailed
from contexts.fetcher.fetching import NotModified, Page, fetch_page
from tests.fetcher.servers import PageServer, Route, StubResolver

HTML = {"Content-Type": "text/html; charset=utf-8"}


def refusal(url: str, policy, **kwargs) -> FetchFailed:
    with pytest.raises(FetchFailed) as caught:
        fetch_page(url, policy=policy, **kwargs)
    return caught.value


# --- what is fetched ----------------------------------------------------------------


def test_fetches_an_html_page_naming_the_site_in_the_user_agent(pages, policy):
    pages.routes["/a"] = Route(body=b"<title>Hello</title>", headers={**HTML, "ETag": '"v1"'})

    page = fetch_page(pages.url("/a"), policy=policy)

    assert page == Page(
        url=pages.url("/a"),
        body=b"<title>Hello</title>",
        charset="utf-8",
        etag='"v1"',
        last_modified="",
    )
    assert pages.requests[0].headers["User-Agent"] == policy.user_agent
    assert "+https://blogs.test/" in pages.requests[0].headers["User-Agent"]


def test_follows_redirects_and_reports_where_they_ended(pages, policy):
    pages.routes["/old"] = Route(status=301, headers={"Location": "/mid"}, body=b"")
    pages.routes["/mid"] = Route(status=302, headers={"Location": pages.url("/new")}, body=b"")
    pages.routes["/new"] = Route(body=b"<title>New</title>")

    page = fetch_page(pages.url("/old"), policy=policy)

    assert page.url == pages.url("/new")
    assert [seen.path for seen in pages.requests] == ["/old", "/mid", "/new"]


def test_inflates_a_gzip_page(pages, policy):
    body = b"<title>Zipped</title>" + b" " * 5000
    pages.routes["/z"] = Route(
        body=gzip.compress(body), headers={**HTML, "Content-Encoding": "gzip"}
    )

    assert fetch_page(pages.url("/z"), policy=policy).body == body


def test_a_refresh_with_validators_that_still_hold_is_not_modified(pages, policy):
    pages.routes["/a"] = Route(status=304, body=b"", headers={})

    result = fetch_page(pages.url("/a"), policy=policy, etag='"v1"', last_modified="yesterday")

    assert result == NotModified(url=pages.url("/a"))
    assert pages.requests[0].headers["If-None-Match"] == '"v1"'
    assert pages.requests[0].headers["If-Modified-Since"] == "yesterday"


# --- what is refused ------------------------------------------------------------------


def test_with_private_addresses_refused_a_link_to_127_0_0_1_is_never_requested(
    pages, strict_policy
):
    pages.routes["/a"] = Route()

    error = refusal(pages.url("/a"), strict_policy)

    assert error.code == "address_refused"
    assert "loopback" in error.detail
    assert pages.requests == []


@pytest.mark.parametrize(
    "host",
    ["localhost", "127.1", "2130706433", "0x7f000001", "[::1]", "[::ffff:127.0.0.1]", "0.0.0.0"],  # noqa: S104
)
def test_other_spellings_of_this_machine_are_refused_too(pages, strict_policy, host):
    pages.routes["/a"] = Route()
    url = pages.url("/a", host=host)

    assert refusal(url, strict_policy).code in ("address_refused", "dns", "connection")
    assert pages.requests == []


def test_a_dns_answer_with_a_private_address_is_refused(pages, strict_policy):
    pages.routes["/a"] = Route()
    resolver = StubResolver({"rebind.test": ["127.0.0.1"]})

    error = refusal(pages.url("/a", host="rebind.test"), strict_policy, resolver=resolver)

    assert error.code == "address_refused"
    assert "rebind.test resolves to 127.0.0.1" in error.detail
    assert pages.requests == []


@pytest.mark.parametrize(
    "answers",
    [
        ["93.184.216.34", "10.0.0.5"],
        ["2606:2800:220:1::", "fd00::1"],
        ["169.254.169.254"],
        ["::ffff:192.168.1.1"],
        ["100.64.0.1"],
    ],
    ids=["public then private", "public then unique-local v6", "cloud metadata", "mapped", "cgnat"],
)
def test_one_non_public_answer_is_enough_to_refuse(strict_policy, answers):
    resolver = StubResolver({"mixed.test": answers})

    # Refused before any connection: nothing listens at these addresses, and nothing is tried.
    assert refusal("http://mixed.test/", strict_policy, resolver=resolver).code == (
        "address_refused"
    )


@pytest.mark.parametrize(
    "location",
    ["http://inside.test/admin", "http://169.254.169.254/latest/meta-data/", "http://[::1]/"],
)
def test_a_redirect_to_a_private_address_is_refused_before_it_is_followed(
    pages, strict_policy, monkeypatch, location
):
    # The local server stands in for a public site: its address passes the check, which
    # stays the real one for every other address.
    real_check = fetching.address_refusal
    monkeypatch.setattr(
        fetching, "address_refusal", lambda a: None if a == "127.0.0.1" else real_check(a)
    )
    pages.routes["/start"] = Route(status=302, headers={"Location": location}, body=b"")
    resolver = StubResolver({"public.test": ["127.0.0.1"], "inside.test": ["10.1.2.3"]})

    error = refusal(pages.url("/start", host="public.test"), strict_policy, resolver=resolver)

    assert error.code == "address_refused"
    assert [seen.path for seen in pages.requests] == ["/start"]


def test_the_connection_goes_to_the_checked_address_under_the_name_it_was_given(pages, policy):
    # A resolver that would answer something else the second time (DNS rebinding) is
    # asked once per hop: the connection uses the first answer, and the Host header
    # still names the site.
    pages.routes["/a"] = Route()
    answers = iter([["127.0.0.1"], ["10.9.9.9"]])
    questions: list[str] = []

    def rebinding(host: str, port: int) -> list[str]:
        questions.append(host)
        return next(answers)

    fetch_page(pages.url("/a", host="site.test"), policy=policy, resolver=rebinding)

    assert questions == ["site.test"]
    assert pages.requests[0].headers["Host"] == f"site.test:{pages.port}"


def test_https_is_checked_against_the_name_while_connecting_to_the_checked_address(
    tls_site, policy
):
    server_tls, client_tls = tls_site
    server = PageServer(tls=server_tls).start()
    try:
        server.routes["/a"] = Route(body=b"<title>Secure</title>")
        secure = dataclasses.replace(policy, verify=client_tls)
        resolver = StubResolver({"site.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})

        page = fetch_page(server.url("/a", host="site.test"), policy=secure, resolver=resolver)
        wrong_name = refusal(server.url("/a", host="other.test"), secure, resolver=resolver)
    finally:
        server.stop()

    assert page.body == b"<title>Secure</title>"
    # The certificate names site.test, not other.test: the check was on the name.
    assert wrong_name.code == "connection"
    assert "certificate" in wrong_name.detail.lower()


def test_more_than_five_redirects_are_refused(pages, policy):
    for hop in range(7):
        pages.routes[f"/{hop}"] = Route(status=302, headers={"Location": f"/{hop + 1}"}, body=b"")

    assert refusal(pages.url("/0"), policy).code == "too_many_redirects"
    assert len(pages.requests) == 6


@pytest.mark.parametrize(
    "location", ["file:///etc/passwd", "ftp://x.example/", "gopher://x.example/", "data:,x"]
)
def test_a_redirect_to_another_scheme_is_refused(pages, policy, location):
    pages.routes["/a"] = Route(status=302, headers={"Location": location}, body=b"")

    assert refusal(pages.url("/a"), policy).code == "invalid_url"


@pytest.mark.parametrize("url", ["ftp://x.example/", "file:///etc/passwd", "javascript:x"])
def test_only_http_and_https_are_fetched(policy, url):
    assert refusal(url, policy).code == "invalid_url"


def test_an_oversized_page_is_refused_from_its_content_length(pages, policy):
    pages.routes["/big"] = Route(body=b"x" * (policy.max_bytes + 1))

    assert refusal(pages.url("/big"), policy).code == "too_large"


def test_an_oversized_page_without_a_length_is_refused_as_it_is_read(pages, policy):
    pages.routes["/big"] = Route(body=b"x" * (policy.max_bytes * 3), send_length=False)

    assert refusal(pages.url("/big"), policy).code == "too_large"


def test_a_small_page_that_inflates_past_the_limit_is_refused(pages, policy):
    bomb = gzip.compress(b"<title>x</title>" + b" " * (policy.max_bytes * 50))
    pages.routes["/bomb"] = Route(body=bomb, headers={**HTML, "Content-Encoding": "gzip"})

    assert len(bomb) < policy.max_bytes
    assert refusal(pages.url("/bomb"), policy).code == "too_large"


def test_a_slow_page_is_given_up_on(pages, policy):
    release = threading.Event()
    pages.routes["/slow"] = Route(hold=release)

    try:
        error = refusal(pages.url("/slow"), policy)
    finally:
        release.set()

    assert error.code == "timeout"


def test_a_page_that_trickles_in_is_given_up_on_at_the_deadline(pages, policy):
    # 10 bytes every 0.1 s: the whole page would take 10 s, far past the deadline.
    pages.routes["/drip"] = Route(body=b"<title>x</title>" + b" " * 1000, chunk=10, drip=0.1)

    assert refusal(pages.url("/drip"), policy).code == "timeout"


def test_a_server_trickling_its_headers_is_given_up_on_at_the_deadline(pages, policy):
    # Each byte comes well within a read timeout; only a deadline for the whole fetch
    # stops this (the headers alone take about 14 s).
    pages.routes["/drip"] = Route(header_drip=0.2)

    assert refusal(pages.url("/drip"), policy).code == "timeout"


@pytest.mark.parametrize(
    "content_type", ["application/json", "image/png", "text/plain", "application/xhtml+xml", ""]
)
def test_a_page_that_is_not_html_is_refused(pages, policy, content_type):
    pages.routes["/x"] = Route(body=b"{}", headers={"Content-Type": content_type})

    error = refusal(pages.url("/x"), policy)

    assert error.code == "not_html"


@pytest.mark.parametrize("status", [404, 500, 403])
def test_an_error_status_is_reported(pages, policy, status):
    pages.routes["/x"] = Route(status=status)

    assert refusal(pages.url("/x"), policy).code == f"http_{status}"


def test_a_closed_port_is_a_connection_failure(policy):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens there any more.

    assert refusal(f"http://127.0.0.1:{port}/", policy).code == "connection"
