"""Pure rules of the link fetcher: which URLs and addresses it may fetch, its limits, its DTOs."""

import ipaddress
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from contexts.kernel import errors
from contexts.kernel.events import Event

# The longest URL the fetcher keeps (percent-encoded, so ASCII); longer ones are ignored.
MAX_URL_LENGTH = 2000
# What is kept of a page's text, in characters.
TITLE_MAX_LENGTH = 300
DESCRIPTION_MAX_LENGTH = 500
SITE_NAME_MAX_LENGTH = 100
# What is kept of a response's validators for the next, conditional, request.
ETAG_MAX_LENGTH = 500
LAST_MODIFIED_MAX_LENGTH = 100

SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}

# Networks that are not the public internet but that `ipaddress` counts as global, or
# that carry an IPv4 address of their own (NAT64).
_NOT_PUBLIC = (
    ipaddress.ip_network("64:ff9b::/96"),
    ipaddress.ip_network("64:ff9b:1::/48"),
)


# --- errors -------------------------------------------------------------------------


class FetcherError(errors.ContextError):
    """Base of every error the fetcher reports."""

    code = "fetcher_error"


class FetchFailed(FetcherError):
    """A page could not be fetched, or was refused; `code` says why (kept on the link)."""

    code = "fetch_failed"
    default_detail = "The page could not be fetched."

    def __init__(self, code: str, detail: str | None = None) -> None:
        self.code = code
        super().__init__(detail)


class AddressRefused(FetchFailed):
    """The page's host resolves to an address the fetcher never connects to."""

    def __init__(self, detail: str) -> None:
        super().__init__("address_refused", detail)


class HostBusy(FetchFailed):
    """Every fetch slot of the page's host stayed taken for as long as the fetcher waits."""

    def __init__(self, host: str) -> None:
        super().__init__("host_busy", f"Too many fetches from {host} at once.")


# --- events -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class LinkMetadataFetched(Event):
    """New or changed metadata of the page at `url` (the fetcher's api has it)."""

    type_name = "fetcher.LinkMetadataFetched.v1"

    url: str


# --- DTOs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkMetadata:
    """What the fetcher knows of a page: plain text, and an https image URL or ""."""

    url: str
    final_url: str
    title: str
    description: str
    site_name: str
    image_url: str
    fetched_at: datetime


# --- rules --------------------------------------------------------------------------


def is_fetchable_url(url: object) -> bool:
    """Tell whether `url` is an http(s) URL with a host, short enough to keep."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH or not url.isascii():
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port out of range)
    except ValueError:
        return False
    return (
        parts.scheme in SCHEMES
        and bool(parts.hostname)
        and not any(char.isspace() or ord(char) < 0x20 or char == "\x7f" for char in url)
    )


def address_refusal(address: str) -> str | None:
    """Return why the fetcher must not connect to an IP address, or None when it may.

    Refused: loopback, private, link-local, multicast, reserved, unspecified and shared
    addresses, and every IPv6 form that carries one of those IPv4 addresses
    (IPv4-mapped, 6to4, Teredo, NAT64).
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"{address!r} is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and any(ip in network for network in _NOT_PUBLIC):
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            reason = address_refusal(str(embedded))
            return f"{ip} carries {embedded}: {reason}" if reason else None
    kinds = (
        ("a loopback address", ip.is_loopback),
        ("an unspecified address", ip.is_unspecified),
        ("a link-local address", ip.is_link_local),
        ("a multicast address", ip.is_multicast),
        ("a private address", ip.is_private),
        ("a reserved address", ip.is_reserved),
        ("not a public address", not ip.is_global),
    )
    for kind, matches in kinds:
        if matches:
            return f"{ip} is {kind}"
    return None


def clean_text(value: str, max_length: int) -> str:
    """Return page text as one line: whitespace collapsed, no control characters, cut short."""
    text = " ".join("".join(" " if ord(c) < 0x20 or c == "\x7f" else c for c in value).split())
    if len(text) > max_length:
        text = text[: max_length - 1].rstrip() + "\u2026"
    return text
