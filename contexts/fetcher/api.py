"""The published interface of the fetcher context: the only module other contexts import."""

from collections.abc import Iterable

from contexts.fetcher import selectors, services
from contexts.fetcher.domain import MAX_URL_LENGTH, LinkMetadata, LinkMetadataFetched

__all__ = [
    "MAX_URL_LENGTH",
    "LinkMetadata",
    "LinkMetadataFetched",
    "link_fetch_request",
    "link_metadata",
]


def link_metadata(*, urls: Iterable[str]) -> dict[str, LinkMetadata]:
    """Return what is known of the pages at `urls`, by URL; pages never fetched are left out."""
    return selectors.link_metadata(urls=urls)


def link_fetch_request(*, urls: Iterable[str]) -> int:
    """Have the pages at `urls` fetched in the background if new or due; return how many.

    LinkMetadataFetched announces each page whose metadata arrives or changes. URLs
    that are not http(s), or longer than MAX_URL_LENGTH, are ignored.
    """
    return len(services.link_fetch_request(urls=urls))
