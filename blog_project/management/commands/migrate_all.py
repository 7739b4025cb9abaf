"""Migrate every database alias: Django's framework apps and each context's own."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Run migrate once per database alias (each context migrates only on its own), and "
        "create the table of a database cache where the router puts it."
    )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        for alias in settings.DATABASES:
            if verbosity:
                self.stdout.write(self.style.MIGRATE_HEADING(f"Migrating alias '{alias}'"))
            call_command(
                "migrate", database=alias, interactive=False, verbosity=max(verbosity - 1, 0)
            )
            # Only the alias the router names gets it; without a database cache, nothing.
            call_command("createcachetable", database=alias, verbosity=max(verbosity - 1, 0))
