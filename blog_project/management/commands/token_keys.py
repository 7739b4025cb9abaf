"""The keys that sign and verify access tokens: list, rotate, retire (split.md: rotation-safe).

    manage.py token_keys show             # each key's kid: the signing one, then retired ones
    manage.py token_keys rotate           # a new signing key; the old one still verifies
    manage.py token_keys retire <kid>     # once the old key's tokens have expired
                                          # (retire -- <kid> when the kid starts with "-")

A rotation keeps every token valid: the old key's public half stays in the JWKS until it
is retired, and verifiers fetch the JWKS again when a token names a kid they do not know.
Retire a key after ACCOUNTS_TOKEN_TTL_SECONDS has passed since the rotation.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from contexts.accounts import keys


class Command(BaseCommand):
    help = "List, rotate or retire the keys that sign and verify access tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="subcommand")
        commands.add_parser("show", help="each key's kid, the signing key first")
        commands.add_parser("rotate", help="sign with a new key; the old one keeps verifying")
        retire = commands.add_parser("retire", help="stop verifying the tokens of a retired key")
        retire.add_argument("kid")

    def handle(self, *args, **options) -> None:
        if options["subcommand"] == "rotate":
            try:
                old, new = keys.rotate()
            except ImproperlyConfigured as exc:
                raise CommandError(str(exc)) from exc
            lifetime = settings.ACCOUNTS_TOKEN_TTL_SECONDS
            self.stdout.write(f"signing with {new}; {old} verifies the tokens it signed")
            # A kid is base64url: one starting with "-" would read as an option.
            separator = "-- " if old.startswith("-") else ""
            self.stdout.write(
                f"retire it once they have expired ({lifetime} s): "
                f"manage.py token_keys retire {separator}{old}"
            )
        elif options["subcommand"] == "retire":
            kid = options["kid"]
            if kid == keys.key_id(keys.key_pair().public_key):
                raise CommandError(f"{kid} is the signing key: rotate first, then retire it")
            if not keys.retire(kid):
                raise CommandError(f"no retired key {kid} (see manage.py token_keys show)")
            self.stdout.write(f"retired {kid}: the tokens it signed are refused now")
        else:
            for index, kid in enumerate(keys.verification_keys()):
                self.stdout.write(f"{kid}  {'signs and verifies' if index == 0 else 'verifies'}")
