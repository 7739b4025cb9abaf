"""Fetch one HTML page without letting its URL reach into our own network (SSRF).

Every hop (the URL, then each redirect, at most `max_redirects`) is checked before
anything is sent: http or https only; the host is resolved here and every address it
resolves to must be public (see domain.address_refusal) unless private addresses are
allowed. The connection then goes to the address that was checked: httpx runs over a
network backend of ours that knows only the checked (host, port) -> address pins and
refuses anything else, so a DNS answer that changes between the check and the connection
(DNS rebinding) changes nothing, while the Host header, TLS's SNI and the certificate
check still use the name. The same backend holds every socket operation to one deadline
for the whole fetch, so a server trickling its headers or body cannot outlast it. At most
`max_bytes` are read (inflated ones too), and only `text/html` is read at all.
"""

import ipaddress
import socket
import ssl
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from email.message import Message
from typing import Any, cast
from urllib.parse import urljoin

import httpcore
import httpx

from contexts.fetcher.domain import (
    DEFAULT_PORTS,
    ETAG_MAX_LENGTH,
    LAST_MODIFIED_MAX_LENGTH,
    SCHEMES,
    AddressRefused,
    FetchFailed,
    address_refusal,
)

# host, port -> the IP addresses the host resolves to.
Resolver = Callable[[str, int], list[str]]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_HTML_TYPES = frozenset({"text/html"})


@dataclass(frozen=True)
class FetchPolicy:
    """The limits of one fetch."""

    user_agent: str
    timeout: float = 5.0
    max_bytes: int = 1_000_000
    max_redirects: int = 5
    allow_private_addresses: bool = False
    # TLS certificate check: True (the system's trust store) or a context of one's own.
    verify: ssl.SSLContext | bool = True


@dataclass(frozen=True)
class Page:
    """A fetched HTML page: where it ended up, its bytes and what the headers said."""

    url: str
    body: bytes
    charset: str | None
    etag: str
    last_modified: str


@dataclass(frozen=True)
class NotModified:
    """The server said the page has not changed since the validators we sent (304)."""

    url: str


def resolve_host(host: str, port: int) -> list[str]:
    """Return the addresses `host` resolves to, in the resolver's order (no duplicates)."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchFailed("dns", f"{host} does not resolve: {exc}") from exc
    return list(dict.fromkeys(str(answer[4][0]) for answer in answers))


# --- the network under httpx: pinned addresses, one deadline -------------------------


def _left(deadline: float, timeout: float | None) -> float:
    """Return the time one socket operation may take: what is left, at most `timeout`."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the fetch ran out of time")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the fetch's deadline."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: float) -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _left(self._deadline, timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _left(self._deadline, timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._stream.start_tls(
            ssl_context, server_hostname, _left(self._deadline, timeout)
        )
        return _DeadlineStream(stream, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _PinnedBackend(httpcore.NetworkBackend):
    """Connects only to addresses the checks passed, each for its (host, port)."""

    def __init__(self, deadline: float) -> None:
        self.pins: dict[tuple[str, int], str] = {}
        self._deadline = deadline
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable | None = None,
    ) -> httpcore.NetworkStream:
        address = self.pins.get((host, port))
        if address is None:
            raise httpcore.ConnectError(f"{host}:{port} was not checked")
        stream = self._backend.connect_tcp(
            address,
            port,
            timeout=_left(self._deadline, timeout),
            local_address=local_address,
            socket_options=socket_options,
        )
        return _DeadlineStream(stream, self._deadline)

    def connect_unix_socket(self, path: str, timeout=None, socket_options=None):
        raise httpcore.ConnectError("the fetcher connects to no local socket")


class _Body(httpx.SyncByteStream):
    def __init__(self, response: httpcore.Response) -> None:
        self._response = response

    def __iter__(self) -> Iterator[bytes]:
        try:
            # A sync connection pool's response: its stream is a sync one.
            yield from cast(Iterable[bytes], self._response.stream)
        except httpcore.TimeoutException as exc:
            raise httpx.ReadTimeout(str(exc)) from exc
        except Exception as exc:  # noqa: BLE001  (any failure of the connection)
            raise httpx.ReadError(str(exc)) from exc

    def close(self) -> None:
        self._response.close()


class _Transport(httpx.BaseTransport):
    """httpx over httpcore's connection pool, on the pinned, deadline-bound backend."""

    def __init__(self, backend: _PinnedBackend, verify: ssl.SSLContext | bool) -> None:
        context = (
            verify
            if isinstance(verify, ssl.SSLContext)
            else httpx.create_ssl_context(verify=verify, trust_env=False)
        )
        self._pool = httpcore.ConnectionPool(
            ssl_context=context, network_backend=backend, max_connections=1, retries=0
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        try:
            response = self._pool.handle_request(core_request)
        except httpcore.TimeoutException as exc:
            raise httpx.TimeoutException(str(exc), request=request) from exc
        except Exception as exc:  # noqa: BLE001  (refused, reset, TLS, protocol...)
            raise httpx.ConnectError(f"{type(exc).__name__}: {exc}", request=request) from exc
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(response),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._pool.close()


def _pin(url: httpx.URL, policy: FetchPolicy, resolver: Resolver, backend: _PinnedBackend) -> None:
    """Check where `url` would connect, and pin its (host, port) to the checked address."""
    # The host as httpcore will ask the backend for it (IDNA-encoded, IPv6 unbracketed).
    host = url.raw_host.decode("ascii")
    port = url.port or DEFAULT_PORTS.get(url.scheme)
    if url.scheme not in SCHEMES or not host or port is None:
        raise FetchFailed("invalid_url", f"only http and https URLs are fetched, not {url}")
    try:
        ipaddress.ip_address(host)
        addresses = [host]
    except ValueError:
        addresses = resolver(host, port)
    if not addresses:
        raise FetchFailed("dns", f"{host} resolves to no address")
    if not policy.allow_private_addresses:
        # One bad answer is enough: an attacker's name may answer a public address and
        # a private one, and a client would try both.
        for address in addresses:
            reason = address_refusal(address)
            if reason:
                raise AddressRefused(f"{host} resolves to {address}: {reason}")
    backend.pins[(host, port)] = addresses[0]


def _media_type(content_type: str) -> tuple[str, str | None]:
    message = Message()
    message["content-type"] = content_type
    charset = message.get_param("charset")
    return message.get_content_type(), charset if isinstance(charset, str) else None


def _read_body(response: httpx.Response, policy: FetchPolicy, deadline: float) -> bytes:
    """Read at most `max_bytes` of the page, inflating gzip or deflate as it comes."""
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("identity", "gzip", "x-gzip", "deflate", ""):
        raise FetchFailed("unsupported_encoding", f"content encoding {encoding!r}")
    inflater = None if encoding in ("identity", "") else zlib.decompressobj(wbits=47)
    body = bytearray()
    too_large = FetchFailed("too_large", f"the page is larger than {policy.max_bytes} bytes")
    for chunk in response.iter_raw():
        if time.monotonic() > deadline:
            raise FetchFailed("timeout", "the page took too long")
        if inflater is not None:
            try:
                # Never inflate past the limit: a small bomb must not fill memory.
                chunk = inflater.decompress(chunk, policy.max_bytes + 1 - len(body))
            except zlib.error as exc:
                raise FetchFailed("bad_encoding", f"the page is not valid {encoding}") from exc
            if inflater.unconsumed_tail:
                raise too_large
        body += chunk
        if len(body) > policy.max_bytes:
            raise too_large
    if inflater is not None:
        body += inflater.flush()
        if len(body) > policy.max_bytes:
            raise too_large
    return bytes(body)


def _url(value: str) -> httpx.URL:
    try:
        return httpx.URL(value)
    except (httpx.InvalidURL, ValueError, UnicodeError) as exc:
        raise FetchFailed("invalid_url", f"{value!r} is not a URL") from exc


def fetch_page(
    url: str,
    *,
    policy: FetchPolicy,
    etag: str = "",
    last_modified: str = "",
    resolver: Resolver | None = None,
) -> Page | NotModified:
    """Fetch the HTML page at `url` under `policy`; raise FetchFailed saying why not.

    `etag` and `last_modified` (from an earlier fetch) make the request conditional.
    """
    resolver = resolver or resolve_host
    deadline = time.monotonic() + policy.timeout
    backend = _PinnedBackend(deadline)
    headers = {
        "User-Agent": policy.user_agent,
        "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
        "Accept-Encoding": "gzip, deflate",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    # trust_env=False: no proxy from the environment, no .netrc credentials.
    with httpx.Client(
        transport=_Transport(backend, policy.verify),
        trust_env=False,
        follow_redirects=False,
        timeout=policy.timeout,
    ) as client:
        current = url
        for _ in range(policy.max_redirects + 1):
            target = _url(current)
            _pin(target, policy, resolver, backend)
            try:
                with client.stream("GET", target, headers=headers) as response:
                    location = response.headers.get("location")
                    if response.status_code in _REDIRECTS and location:
                        current = urljoin(current, location)
                        # A redirect to another page makes the validators meaningless.
                        headers.pop("If-None-Match", None)
                        headers.pop("If-Modified-Since", None)
                        continue
                    conditional = "If-None-Match" in headers or "If-Modified-Since" in headers
                    if response.status_code == 304 and conditional:
                        return NotModified(url=current)
                    return _page(current, response, policy, deadline)
            except httpx.TimeoutException as exc:
                raise FetchFailed("timeout", "the page took too long") from exc
            except httpx.InvalidURL as exc:
                # httpx reads a redirect's Location even when it does not follow it.
                raise FetchFailed("invalid_url", f"a redirect to an invalid URL: {exc}") from exc
            except httpx.HTTPError as exc:
                raise FetchFailed("connection", f"{type(exc).__name__}: {exc}") from exc
    raise FetchFailed("too_many_redirects", f"more than {policy.max_redirects} redirects")


def _page(url: str, response: httpx.Response, policy: FetchPolicy, deadline: float) -> Page:
    """Return the page of a final answer, or raise FetchFailed for any other kind."""
    if response.status_code != 200:
        raise FetchFailed(
            f"http_{response.status_code}", f"the server answered {response.status_code}"
        )
    media_type, charset = _media_type(response.headers.get("content-type", ""))
    if media_type not in _HTML_TYPES:
        raise FetchFailed("not_html", f"the page is {media_type}, not text/html")
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > policy.max_bytes:
        raise FetchFailed("too_large", f"the page is larger than {policy.max_bytes} bytes")
    return Page(
        url=url,
        body=_read_body(response, policy, deadline),
        charset=charset,
        etag=response.headers.get("etag", "")[:ETAG_MAX_LENGTH],
        last_modified=response.headers.get("last-modified", "")[:LAST_MODIFIED_MAX_LENGTH],
    )
