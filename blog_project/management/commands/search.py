"""Operate the search index: `manage.py search reindex` rebuilds it from the blog's export.

The composition root wires the two contexts: the blog's api gives every published entry
a page at a time (keyset-paged), the search api indexes the pages. The only place where
search learns from the blog other than by events, for recovering after data loss.
"""

import time
from collections.abc import Iterator
from dataclasses import asdict

from django.core.management.base import BaseCommand, CommandError

from contexts.blog import api as blog_api
from contexts.search import api as search_api

DEFAULT_BATCH = 500


def export_pages(*, batch: int) -> Iterator[list[search_api.EntryDocument]]:
    """Yield every published entry of the blog, `batch` at a time, as search documents."""
    after = None
    while True:
        page = blog_api.entries_export(after=after, limit=batch)
        yield [search_api.EntryDocument(**asdict(entry)) for entry in page.entries]
        if page.next_after is None:
            return
        after = page.next_after


class Command(BaseCommand):
    help = "Operate the search index."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="subcommand")
        reindex = commands.add_parser(
            "reindex",
            help="rebuild the index from the blog's full export (after data loss; the "
            "index otherwise follows the blog's events)",
        )
        reindex.add_argument(
            "--batch",
            type=int,
            default=DEFAULT_BATCH,
            help=f"entries per page of the export ({DEFAULT_BATCH})",
        )

    def handle(self, *args, **options) -> None:
        batch = options["batch"]
        if not 1 <= batch <= blog_api.EXPORT_MAX_LIMIT:
            raise CommandError(f"--batch must be 1-{blog_api.EXPORT_MAX_LIMIT}")
        started = time.monotonic()
        report = search_api.index_rebuild(pages=export_pages(batch=batch))
        seconds = time.monotonic() - started
        self.stdout.write(
            f"Indexed {report.indexed} published entries in {seconds:.1f} s; "
            f"{report.skipped} skipped (newer or deleted in the index), "
            f"{report.removed} no longer published taken out."
        )
