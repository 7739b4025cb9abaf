"""Inject faults into calls of a context at run time, as a service mesh would (split.md).

    manage.py faults set renderer abort=503 percent=50    # half the calls fail with 503
    manage.py faults set renderer delay=5 percent=100     # every call waits 5 s first
    manage.py faults set accounts abort=503 percent=10 delay=2 delay_percent=50
    manage.py faults show
    manage.py faults clear [renderer]

Every process of the deployment applies them within a second, to in-process calls too.
"""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from contexts.kernel.seams import faults

KEYS = {"abort", "percent", "delay", "abort_percent", "delay_percent"}


def parse_fault(words: list[str]) -> faults.Fault:
    """Read `abort=<status> percent=<p> delay=<seconds> [abort_percent=] [delay_percent=]`."""
    values: dict[str, float] = {}
    for word in words:
        key, _, value = word.partition("=")
        if key not in KEYS or not value:
            raise CommandError(f"'{word}': write one of {', '.join(sorted(KEYS))} as key=value")
        try:
            values[key] = float(value)
        except ValueError:
            raise CommandError(f"'{word}': {value!r} is not a number") from None
    if "abort" not in values and "delay" not in values:
        raise CommandError("say abort=<status> and/or delay=<seconds>")
    percent = values.get("percent", 100.0)
    try:
        return faults.Fault(
            abort_status=int(values.get("abort", 503)),
            abort_percent=values.get("abort_percent", percent) if "abort" in values else 0.0,
            delay_seconds=values.get("delay", 0.0),
            delay_percent=values.get("delay_percent", percent) if "delay" in values else 0.0,
        )
    except ValueError as exc:
        raise CommandError(str(exc)) from exc


class Command(BaseCommand):
    help = "Set, show or clear faults injected into calls of a context (abort, delay)."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="subcommand")
        set_ = commands.add_parser("set", help="inject a fault into calls of a context")
        set_.add_argument("context", choices=settings.CONTEXTS)
        set_.add_argument("fault", nargs="+", metavar="key=value")
        clear = commands.add_parser("clear", help="stop injecting faults (into one context)")
        clear.add_argument("context", nargs="?", choices=settings.CONTEXTS)
        show = commands.add_parser("show", help="the faults in force, by context")
        show.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args, **options) -> None:
        getattr(self, f"_{options['subcommand']}")(options)

    def _set(self, options: dict) -> None:
        fault = parse_fault(options["fault"])
        stored = faults.stored()
        stored[options["context"]] = fault
        faults.store(stored)
        self.stdout.write(f"{options['context']}: {_describe(fault)}")

    def _clear(self, options: dict) -> None:
        # Cleared faults are stored as "none", so that they also override the environment.
        contexts = [options["context"]] if options["context"] else list(settings.CONTEXTS)
        stored = faults.stored()
        for context in contexts:
            stored[context] = faults.Fault()
        faults.store(stored)
        self.stdout.write(f"no fault injected into {', '.join(contexts)}")

    def _show(self, options: dict) -> None:
        in_force = {
            context: fault
            for context, fault in {**faults.configured(), **faults.stored()}.items()
            if fault.active
        }
        if options["json"]:
            self.stdout.write(json.dumps({c: vars(f) for c, f in in_force.items()}, indent=2))
            return
        if not in_force:
            self.stdout.write("No fault is injected.")
        for context, fault in in_force.items():
            self.stdout.write(f"{context}: {_describe(fault)}")


def _describe(fault: faults.Fault) -> str:
    parts = []
    if fault.abort_percent:
        parts.append(f"{fault.abort_percent:g}% of calls fail with {fault.abort_status}")
    if fault.delay_percent and fault.delay_seconds:
        parts.append(f"{fault.delay_percent:g}% wait {fault.delay_seconds:g} s")
    return "; ".join(parts) or "no fault"
