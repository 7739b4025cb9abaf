"""Operate the events: outboxes (relay) and inboxes (consumption), per context."""

import json
import signal
import threading

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from blog_project import event_contracts
from blog_project.metrics import serve_if_configured
from contexts.kernel.events import operations
from contexts.kernel.events.stores import consumer_stores, producer_stores
from contexts.kernel.events.worker import EventsWorker

READY_TIMEOUT_SECONDS = 30.0
OUTBOX_COLUMNS = operations.OUTBOX_COUNTS
INBOX_COLUMNS = operations.INBOX_COUNTS


class Command(BaseCommand):
    help = "Inspect and repair event relaying and consumption; run the events worker."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="subcommand")

        status = commands.add_parser("status", help="outbox and inbox rows by state, per context")
        status.add_argument("--context", help="only this context")
        status.add_argument("--json", action="store_true", help="print JSON")

        failed = commands.add_parser("failed", help="failed outbox and inbox rows with errors")
        failed.add_argument("--context", help="only this context")
        failed.add_argument("--limit", type=int, default=100, help="at most this many (100)")
        failed.add_argument("--json", action="store_true", help="print JSON")

        resubmit = commands.add_parser(
            "resubmit", help="try failed or waiting rows again, with fresh attempts, now"
        )
        resubmit.add_argument(
            "refs", nargs="*", metavar="REF", help="outbox:<context>:<id> or inbox:<context>:<id>"
        )
        resubmit.add_argument("--all", action="store_true", help="every failed and waiting row")
        resubmit.add_argument("--context", help="with --all: only this context")

        purge = commands.add_parser("purge", help="delete sent outbox and completed inbox rows")
        purge.add_argument(
            "--completed-before",
            required=True,
            metavar="WHEN",
            help="an ISO datetime (UTC unless it says) or an age: 30m, 12h, 7d, 2w",
        )
        purge.add_argument("--context", help="only this context")

        commands.add_parser("sweep", help="relay every outbox and apply every inbox here, now")

        work = commands.add_parser(
            "work", help="run the events worker (relay and consumer) until interrupted"
        )
        work.add_argument("--no-relay", action="store_true", help="do not relay outboxes")
        work.add_argument("--no-consume", action="store_true", help="do not consume queues")
        work.add_argument(
            "--context", action="append", help="consume only this context's queue (repeatable)"
        )

        schemas = commands.add_parser(
            "schemas", help="the JSON schema of every event type, against architecture/events.json"
        )
        schemas.add_argument(
            "--write", action="store_true", help="update the document (compatible changes only)"
        )
        schemas.add_argument(
            "--check", action="store_true", help="fail unless the document is current"
        )

    def handle(self, *args, **options) -> None:
        try:
            getattr(self, f"_{options['subcommand']}")(options)
        except (operations.InvalidReference, ValueError, ImproperlyConfigured) as exc:
            raise CommandError(str(exc)) from exc

    def _status(self, options: dict) -> None:
        report = operations.status(context=options["context"])
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2))
            return
        for side, columns in (("outbox", OUTBOX_COLUMNS), ("inbox", INBOX_COLUMNS)):
            self.stdout.write(
                f"{side:<12}"
                + "".join(f"{name:>12}" for name in columns)
                + f"{'oldest pending':>16}"
            )
            for context, row in report[side].items():
                age = row["oldest_pending_age_seconds"]
                line = f"  {context:<10}" + "".join(f"{row[name]:>12}" for name in columns)
                self.stdout.write(line + f"{'-' if age is None else f'{age:.0f} s':>16}")

    def _failed(self, options: dict) -> None:
        rows = operations.failed(context=options["context"], limit=options["limit"])
        if options["json"]:
            payload = [{**vars(row), "at": row.at.isoformat()} for row in rows]
            self.stdout.write(json.dumps(payload, indent=2))
            return
        if not rows:
            self.stdout.write("No failed events.")
            return
        for row in rows:
            first_line = row.error.splitlines()[0] if row.error else "(no error kept)"
            to = f" by {row.subscriber}" if row.subscriber else " to the broker"
            self.stdout.write(
                f"{row.ref}  {row.event_type}  event {row.event_id}\n"
                f"    not {'applied' if row.subscriber else 'sent'}{to} after "
                f"{row.attempts} attempt(s): {first_line}"
            )

    def _resubmit(self, options: dict) -> None:
        refs = options["refs"]
        if options["all"] == bool(refs):
            raise CommandError("give row references (outbox:<context>:<id> ...) or --all")
        if refs and options["context"]:
            raise CommandError("--context goes with --all")
        done = operations.resubmit(
            refs=None if options["all"] else refs, context=options["context"]
        )
        taken = [*done[operations.OUTBOX], *done[operations.INBOX]]
        for ref in taken:
            self.stdout.write(f"resubmitted {ref}")
        if refs:
            skipped = [ref for ref in refs if ref.strip() not in taken]
            if skipped:
                raise CommandError(
                    f"not resubmitted (unknown, already done, or held by a live worker): "
                    f"{', '.join(skipped)}"
                )
        self.stdout.write(f"{len(taken)} row(s) resubmitted.")

    def _purge(self, options: dict) -> None:
        before = operations.parse_moment(options["completed_before"])
        deleted = operations.purge(before=before, context=options["context"])
        for context, row in deleted.items():
            self.stdout.write(
                f"{context}: {row['outbox']} sent outbox row(s), "
                f"{row['inbox']} completed inbox row(s) deleted"
            )
        self.stdout.write(f"purged what was done before {before.isoformat()}")

    def _sweep(self, options: dict) -> None:
        found = operations.sweep_now()
        sent = sum(found.sent.values())
        applied = sum(row["completed"] for row in found.applied.values())
        failed = sum(found.send_failed.values())
        self.stdout.write(
            f"{sent} event(s) relayed, {failed} could not be sent; {applied} applied."
        )

    def _work(self, options: dict) -> None:
        consumers = consumer_stores()
        if options["context"]:
            unknown = set(options["context"]) - set(consumers)
            if unknown:
                raise CommandError(f"no inbox of {', '.join(sorted(unknown))} in this process")
            consumers = {name: consumers[name] for name in options["context"]}
        worker = EventsWorker(
            producers={} if options["no_relay"] else producer_stores(),
            consumers={} if options["no_consume"] else consumers,
        )
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        self.stdout.write(
            f"events worker: relaying {', '.join(worker.producers) or 'nothing'}; "
            f"consuming {', '.join(worker.consumers) or 'nothing'}"
        )
        metrics = serve_if_configured()
        worker.start()
        try:
            if not worker.ready.wait(READY_TIMEOUT_SECONDS):
                raise CommandError("the events worker did not start (see the log above)")
            self.stdout.write("events worker ready")
            self.stdout.flush()
            while not stop.wait(0.5):
                if not worker.alive():
                    raise CommandError("an events worker thread stopped unexpectedly")
        finally:
            worker.stop()
            if metrics is not None:
                metrics.shutdown()

    def _schemas(self, options: dict) -> None:
        current = event_contracts.current()
        if options["write"]:
            problems = event_contracts.incompatibilities(event_contracts.published(), current)
            if problems:
                raise CommandError("\n".join(problems))
            event_contracts.write(current)
            self.stdout.write(f"wrote {event_contracts.DOCUMENT} ({len(current)} event types)")
            return
        if options["check"]:
            problems = event_contracts.check()
            if problems:
                raise CommandError("\n".join(problems))
            self.stdout.write(f"{event_contracts.DOCUMENT} is current ({len(current)} event types)")
            return
        self.stdout.write(json.dumps(current, indent=2))
