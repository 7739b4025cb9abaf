"""Describe each bounded context: its database, its published api, whom it imports; or, with
--live, the calls and events between the contexts of running processes (the live map)."""

import importlib
import inspect
import json
from pathlib import Path

import grimp
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from blog_project import event_contracts, livemap
from blog_project.databases import schema_of
from contexts.kernel.events import Event

CONTEXTS_PACKAGE = "contexts"


def _context_names() -> list[str]:
    root = Path(importlib.import_module(CONTEXTS_PACKAGE).__path__[0])
    return sorted(p.name for p in root.iterdir() if (p / "__init__.py").exists())


KINDS = ("functions", "events", "errors", "types", "constants")


def _kind(value: object) -> str:
    if inspect.isclass(value):
        if issubclass(value, Event):
            return "events"
        return "errors" if issubclass(value, BaseException) else "types"
    return "functions" if callable(value) else "constants"


def _published(module_name: str) -> dict[str, list[str]]:
    """Return what the api module publishes (its __all__, else its public names), by kind."""
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        return {}
    package = module_name.rsplit(".", 1)[0]
    names = getattr(module, "__all__", None) or [
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and (inspect.isfunction(value) or inspect.isclass(value))
        and getattr(value, "__module__", "").startswith(f"{package}.")
    ]
    published: dict[str, list[str]] = {}
    for name in sorted(names):
        published.setdefault(_kind(getattr(module, name)), []).append(name)
    return {kind: published[kind] for kind in KINDS if kind in published}


def _imported_contexts(graph: grimp.ImportGraph, name: str) -> list[str]:
    """Return the other contexts whose modules `name` imports directly."""
    package = f"{CONTEXTS_PACKAGE}.{name}"
    found = set()
    for module in graph.find_descendants(package) | {package}:
        for imported in graph.find_modules_directly_imported_by(module):
            parts = imported.split(".")
            if parts[0] == CONTEXTS_PACKAGE and len(parts) > 1 and parts[1] != name:
                found.add(parts[1])
    return sorted(found)


class Command(BaseCommand):
    help = (
        "List each context with its database alias, schema, published api and imports; "
        "with --live, map the calls and events between running processes' contexts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument(
            "--live",
            nargs="+",
            metavar="URL",
            help="the processes to read /server/metrics from (web, services, workers)",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=5.0,
            help="with --live: seconds between the two scrapes that give rates (5; 0: one "
            "scrape, totals since the processes started)",
        )
        parser.add_argument(
            "--token",
            default=settings.METRICS_TOKEN,
            help="with --live: the bearer token the processes ask for (METRICS_TOKEN)",
        )

    def handle(self, *args, **options):
        if options["live"]:
            self._live(options)
            return
        graph = grimp.build_graph(CONTEXTS_PACKAGE, cache_dir=None)
        contracts = event_contracts.current()
        rows = []
        for name in _context_names():
            db = settings.DATABASES.get(name)
            rows.append(
                {
                    "context": name,
                    "alias": name if db else None,
                    "schema": schema_of(db) if db else None,
                    "database": str(db["NAME"]) if db else None,
                    "api": _published(f"{CONTEXTS_PACKAGE}.{name}.api"),
                    # The JSON schema of each event type it publishes: its contract.
                    "event_schemas": {
                        type_name: contract["schema"]
                        for type_name, contract in contracts.items()
                        if contract["producer"] == name
                    },
                    "imports": _imported_contexts(graph, name),
                }
            )
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        for row in rows:
            self.stdout.write(self.style.MIGRATE_HEADING(f"contexts.{row['context']}"))
            if row["alias"]:
                where = f"schema {row['schema']}" if row["schema"] else row["database"]
                self.stdout.write(f"  database: alias '{row['alias']}' ({where})")
            else:
                self.stdout.write("  database: none (no models of its own)")
            if not row["api"]:
                self.stdout.write("  api: -")
            for kind, names in row["api"].items():
                self.stdout.write(f"  api {kind}: {', '.join(names)}")
            self.stdout.write(f"  imports: {', '.join(row['imports']) or '-'}")

    def _live(self, options) -> None:
        interval = options["interval"]
        if interval < 0 or interval != interval:
            raise CommandError("--interval takes a number of seconds, 0 or more")
        found, failures, seconds = livemap.live_map(
            options["live"], interval=interval, token=options["token"]
        )
        for failure in failures:
            self.stderr.write(f"no metrics from {failure}")
        if len(failures) == len(options["live"]) and failures:
            raise CommandError("none of the processes answered its metrics")
        if options["json"]:
            payload = {
                "interval_seconds": seconds,
                "edges": [edge.as_dict() for edge in found],
                "unreachable": failures,
            }
            self.stdout.write(json.dumps(payload, indent=2))
            return
        for line in livemap.render(found, seconds=seconds):
            self.stdout.write(line)
