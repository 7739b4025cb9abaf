"""Use cases of the fetcher: schedule fetches of linked pages, fetch one, keep what it said.

Fetches run in the background: Celery tasks with a broker, and without one (the
embedded default) a small pool of threads in this process, so that a slow or failing
page never holds up, nor fails, the request that linked to it.
"""

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from functools import partial
from urllib.parse import urlsplit

from celery import current_app
from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from contexts.fetcher import domain
from contexts.fetcher.extraction import decode, extract_metadata
from contexts.fetcher.fetching import FetchPolicy, NotModified, Page, fetch_page
from contexts.fetcher.hosts import host_slot
from contexts.fetcher.models import Link
from contexts.kernel.events.publishing import publish

ALIAS = "fetcher"
FETCH_TASK = "fetcher.link_fetch"

logger = logging.getLogger(__name__)


class BackgroundFetches:
    """Threads that run fetches without a broker; each job then closes its connections."""

    def __init__(self, workers: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetcher")

    def submit(self, function: Callable[..., object], *args: object) -> Future:
        return self._pool.submit(self._run, function, *args)

    def shutdown(self, *, wait: bool) -> None:
        self._pool.shutdown(wait=wait)

    @staticmethod
    def _run(function: Callable[..., object], *args: object) -> object:
        try:
            return function(*args)
        finally:
            # The thread's own connections: a pool thread may live long.
            connections.close_all()


# Without a broker, fetches run here; two at a time is plenty for one process.
_background = BackgroundFetches(workers=2)

# A broker that does not answer must not hold the request: the claim on the link lapses
# and a later request schedules the fetch again.
_SEND_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2}


def fetch_policy() -> FetchPolicy:
    """Return the limits of a fetch, from the FETCHER_* settings."""
    return FetchPolicy(
        user_agent=settings.FETCHER_USER_AGENT,
        timeout=settings.FETCHER_TIMEOUT_SECONDS,
        max_bytes=settings.FETCHER_MAX_BYTES,
        max_redirects=settings.FETCHER_MAX_REDIRECTS,
        allow_private_addresses=settings.FETCHER_ALLOW_PRIVATE_ADDRESSES,
    )


def _claim_seconds() -> float:
    # Long enough for a queued fetch to start, wait for its host and finish.
    return settings.FETCHER_TIMEOUT_SECONDS + settings.FETCHER_HOST_WAIT_SECONDS + 60


# --- scheduling ---------------------------------------------------------------------


def link_fetch_request(*, urls: Iterable[str]) -> list[str]:
    """Record `urls` and have each one that is new or due fetched in the background.

    A page is due when it has never been fetched, when FETCHER_REFRESH_SECONDS have
    passed since it was, or FETCHER_RETRY_SECONDS since a fetch failed. URLs that are
    not http(s), or longer than MAX_URL_LENGTH, are ignored. Returns the URLs scheduled.
    """
    wanted = [url for url in dict.fromkeys(urls) if domain.is_fetchable_url(url)]
    if not wanted:
        return []
    now = timezone.now()
    claimed_until = now + timedelta(seconds=_claim_seconds())
    with transaction.atomic(using=ALIAS):
        Link.objects.bulk_create(
            [Link(url=url, next_fetch_at=now) for url in wanted], ignore_conflicts=True
        )
        due = Link.objects.filter(url__in=wanted, next_fetch_at__lte=now).values_list("pk", "url")
        # Claim each one, so that two requests at once schedule one fetch.
        claimed = [
            url
            for pk, url in due
            if Link.objects.filter(pk=pk, next_fetch_at__lte=now).update(
                next_fetch_at=claimed_until
            )
        ]
        if claimed:
            transaction.on_commit(partial(_schedule, claimed), using=ALIAS)
    return claimed


def _schedule(urls: list[str]) -> None:
    """After commit: send a fetch task per URL, or hand it to the background threads."""
    for url in urls:
        try:
            if current_app.conf.task_always_eager:
                _background.submit(_fetch_in_background, url)
            else:
                current_app.tasks[FETCH_TASK].apply_async(
                    (url,), retry=True, retry_policy=_SEND_RETRY_POLICY
                )
        except Exception:  # noqa: BLE001  (the claim lapses; a later request retries)
            logger.exception("could not schedule the fetch of %s", url)


def _fetch_in_background(url: str) -> None:
    try:
        link_fetch(url=url)
    except Exception:  # noqa: BLE001  (nobody waits for this thread: log it)
        logger.exception("fetching %s failed", url)


# --- fetching -----------------------------------------------------------------------


def link_fetch(*, url: str) -> str:
    """Fetch the page at `url` now and keep what it says; return the link's new status.

    Failures (refused, unreachable, too slow, too large, not HTML...) are recorded on
    the link with their reason, never raised. New or changed metadata publishes
    LinkMetadataFetched in the same transaction.
    """
    link = Link.objects.filter(url=url).first()
    if link is None:
        return "unknown"
    conditional = link.status == Link.Status.OK
    try:
        with host_slot(
            urlsplit(url).hostname or "",
            limit=settings.FETCHER_PER_HOST_CONCURRENCY,
            wait=settings.FETCHER_HOST_WAIT_SECONDS,
            lease=_claim_seconds(),
        ):
            result = fetch_page(
                url,
                policy=fetch_policy(),
                etag=link.etag if conditional else "",
                last_modified=link.last_modified if conditional else "",
            )
        if isinstance(result, NotModified):
            return _record_unchanged(link)
        metadata = extract_metadata(decode(result.body, result.charset), page_url=result.url)
    except domain.FetchFailed as exc:
        return _record_failure(link, exc)
    except Exception as exc:  # noqa: BLE001  (a bug or an odd page: recorded, not raised)
        logger.exception("fetching %s failed unexpectedly", url)
        return _record_failure(link, domain.FetchFailed("error", f"{type(exc).__name__}: {exc}"))
    return _record_success(link, result, metadata)


def _record_success(link: Link, page: Page, metadata) -> str:
    now = timezone.now()
    values = {
        "final_url": page.url[: domain.MAX_URL_LENGTH],
        "title": metadata.title,
        "description": metadata.description,
        "site_name": metadata.site_name,
        "image_url": metadata.image_url,
    }
    changed = link.fetched_at is None or any(getattr(link, k) != v for k, v in values.items())
    with transaction.atomic(using=ALIAS):
        Link.objects.filter(pk=link.pk).update(
            **values,
            status=Link.Status.OK,
            error="",
            error_detail="",
            fetched_at=now,
            checked_at=now,
            next_fetch_at=now + timedelta(seconds=settings.FETCHER_REFRESH_SECONDS),
            etag=page.etag,
            last_modified=page.last_modified,
        )
        if changed:
            publish(domain.LinkMetadataFetched(url=link.url), using=ALIAS)
    return Link.Status.OK


def _record_unchanged(link: Link) -> str:
    now = timezone.now()
    with transaction.atomic(using=ALIAS):
        Link.objects.filter(pk=link.pk).update(
            status=Link.Status.OK,
            error="",
            error_detail="",
            fetched_at=now,
            checked_at=now,
            next_fetch_at=now + timedelta(seconds=settings.FETCHER_REFRESH_SECONDS),
        )
    return Link.Status.OK


def _record_failure(link: Link, error: domain.FetchFailed) -> str:
    logger.info("fetching %s failed: %s: %s", link.url, error.code, error.detail)
    now = timezone.now()
    # What an earlier fetch found stays: a page that is down for a while keeps its title.
    with transaction.atomic(using=ALIAS):
        Link.objects.filter(pk=link.pk).update(
            status=Link.Status.FAILED,
            error=error.code[:40],
            error_detail=error.detail[:2000],
            checked_at=now,
            next_fetch_at=now + timedelta(seconds=settings.FETCHER_RETRY_SECONDS),
        )
    return Link.Status.FAILED
