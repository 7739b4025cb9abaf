"""The published interface of the fetcher context: the only module other contexts import.

`FetcherApi` is the interface; the composition root binds `seam` to this context's own
code, or to its service over HTTP when FETCHER_URL is set.
"""

from collections.abc import Iterable
from typing import Protocol

from contexts.fetcher.domain import MAX_URL_LENGTH, LinkMetadata, LinkMetadataFetched
from contexts.kernel.seams import Seam, idempotent

__all__ = [
    "MAX_URL_LENGTH",
    "FetcherApi",
    "LinkMetadata",
    "LinkMetadataFetched",
    "link_fetch_request",
    "link_metadata",
    "seam",
]


class FetcherApi(Protocol):
    """Link metadata: what linked pages say (title, description, site, image), fetched safely."""

    @idempotent
    def link_metadata(self, *, urls: list[str]) -> dict[str, LinkMetadata]:
        """Return what is known of the pages at `urls`, by URL."""
        ...

    @idempotent
    def link_fetch_request(self, *, urls: list[str]) -> list[str]:
        """Have the new or due pages among `urls` fetched in the background; return them."""
        ...


seam: Seam[FetcherApi] = Seam("fetcher", FetcherApi)


def link_metadata(*, urls: Iterable[str]) -> dict[str, LinkMetadata]:
    """Return what is known of the pages at `urls`, by URL; pages never fetched are left out."""
    return seam.api.link_metadata(urls=list(urls))


def link_fetch_request(*, urls: Iterable[str]) -> int:
    """Have the pages at `urls` fetched in the background if new or due; return how many.

    LinkMetadataFetched announces each page whose metadata arrives or changes. URLs
    that are not http(s), or longer than MAX_URL_LENGTH, are ignored.
    """
    return len(seam.api.link_fetch_request(urls=list(urls)))
