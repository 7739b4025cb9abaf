"""Read queries of the fetcher: what is known of linked pages."""

from collections.abc import Iterable

from contexts.fetcher import domain
from contexts.fetcher.models import Link


def link_metadata(*, urls: Iterable[str]) -> dict[str, domain.LinkMetadata]:
    """Return the metadata of every page among `urls` fetched at least once, by URL."""
    wanted = [url for url in dict.fromkeys(urls) if domain.is_fetchable_url(url)]
    if not wanted:
        return {}
    links = Link.objects.filter(url__in=wanted, fetched_at__isnull=False)
    return {
        link.url: domain.LinkMetadata(
            url=link.url,
            final_url=link.final_url,
            title=link.title,
            description=link.description,
            site_name=link.site_name,
            image_url=link.image_url,
            fetched_at=link.fetched_at,
        )
        for link in links
        if link.fetched_at is not None  # as the query asked: mypy cannot know
    }
