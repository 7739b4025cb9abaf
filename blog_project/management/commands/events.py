"""Operate the event publication registry: status, failed, resubmit, purge, sweep."""

import json

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from contexts.kernel.events import operations

STATES = ("pending", "processing", "completed", "failed", "stale")


class Command(BaseCommand):
    help = "Inspect and repair event deliveries (the outbox publication registry)."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="subcommand")

        status = commands.add_parser("status", help="publications by state per producer alias")
        status.add_argument("--alias", help="only this producer alias")
        status.add_argument("--json", action="store_true", help="print JSON")

        failed = commands.add_parser("failed", help="list failed publications with errors")
        failed.add_argument("--alias", help="only this producer alias")
        failed.add_argument("--limit", type=int, default=100, help="at most this many (100)")
        failed.add_argument("--json", action="store_true", help="print JSON")

        resubmit = commands.add_parser(
            "resubmit",
            help="deliver failed, stale or waiting publications again, with fresh attempts",
        )
        resubmit.add_argument("refs", nargs="*", metavar="ALIAS:ID", help="publications")
        resubmit.add_argument("--all", action="store_true", help="every failed and stale one")
        resubmit.add_argument("--alias", help="only this producer alias (or of bare ids)")

        purge = commands.add_parser(
            "purge", help="delete completed publications (and old inbox rows)"
        )
        purge.add_argument(
            "--completed-before",
            required=True,
            metavar="WHEN",
            help="an ISO datetime (UTC unless it says) or an age: 30m, 12h, 7d, 2w",
        )
        purge.add_argument("--alias", help="only this alias")

        commands.add_parser("sweep", help="send again what a crash left behind, now")

    def handle(self, *args, **options) -> None:
        try:
            getattr(self, f"_{options['subcommand']}")(options)
        except (operations.InvalidReference, ValueError, ImproperlyConfigured) as exc:
            raise CommandError(str(exc)) from exc

    def _status(self, options: dict) -> None:
        report = operations.status(alias=options["alias"])
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2))
            return
        header = f"{'alias':<12}" + "".join(f"{name:>12}" for name in STATES)
        self.stdout.write(header + f"{'oldest pending':>16}")
        rows = [*report["aliases"].items(), ("total", report["total"])]
        for alias, row in rows:
            age = row["oldest_pending_age_seconds"]
            line = f"{alias:<12}" + "".join(f"{row[name]:>12}" for name in STATES)
            self.stdout.write(line + f"{'-' if age is None else f'{age:.0f} s':>16}")
        self.stdout.write(
            f"stale: stuck in processing or left pending over {report['stale_after_seconds']:g} s"
        )

    def _failed(self, options: dict) -> None:
        rows = operations.failed(alias=options["alias"], limit=options["limit"])
        if options["json"]:
            payload = [{**vars(row), "created_at": row.created_at.isoformat()} for row in rows]
            self.stdout.write(json.dumps(payload, indent=2))
            return
        if not rows:
            self.stdout.write("No failed publications.")
            return
        for row in rows:
            first_line = row.error.splitlines()[0] if row.error else "(no error kept)"
            self.stdout.write(
                f"{row.ref}  {row.event_type}  event {row.event_id}\n"
                f"    to {row.subscriber} after {row.attempts} attempt(s): {first_line}"
            )

    def _resubmit(self, options: dict) -> None:
        refs = options["refs"]
        if options["all"] == bool(refs):
            raise CommandError("give publication references (ALIAS:ID ...) or --all, not both")
        done = operations.resubmit(refs=None if options["all"] else refs, alias=options["alias"])
        count = sum(len(ids) for ids in done.values())
        for alias, ids in done.items():
            self.stdout.write(f"resubmitted {alias}: {', '.join(str(pk) for pk in ids)}")
        if refs:
            wanted = operations.parse_refs(refs, alias=options["alias"])
            skipped = [
                f"{alias}:{pk}"
                for alias, ids in wanted.items()
                for pk in ids
                if pk not in done.get(alias, [])
            ]
            if skipped:
                raise CommandError(
                    f"not resubmitted (unknown, completed, or held by a live worker): "
                    f"{', '.join(skipped)}"
                )
        self.stdout.write(f"{count} publication(s) resubmitted.")

    def _purge(self, options: dict) -> None:
        before = operations.parse_moment(options["completed_before"])
        deleted = operations.purge(before=before, alias=options["alias"])
        for alias, row in deleted.items():
            self.stdout.write(
                f"{alias}: {row['publications']} completed publication(s), "
                f"{row['outbox']} outbox event(s), {row['inbox']} inbox row(s) deleted"
            )
        self.stdout.write(f"purged what completed before {before.isoformat()}")

    def _sweep(self, options: dict) -> None:
        found = operations.sweep_now()
        count = sum(len(ids) for ids in found.values())
        self.stdout.write(f"{count} publication(s) sent again.")
