"""Load demo accounts, blogs and entries through the public apis (`manage.py demo`)."""

from dataclasses import dataclass

from django.core.management.base import BaseCommand

from contexts.accounts import api as accounts_api
from contexts.blog import selectors, services
from contexts.blog.domain import AuthorNotFound, BlogNotFound

# Documented in the README and printed by `make run`: the demo is for trying the site
# locally, never for a server that strangers can reach.
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105  (public on purpose)


@dataclass(frozen=True)
class DemoEntry:
    title: str
    body: str


@dataclass(frozen=True)
class DemoBlog:
    owner: str
    path: str
    title: str
    description: str
    # Oldest first: they are published in this order, so the last one shows on top.
    entries: tuple[DemoEntry, ...]


ALICE_TOUR = """\
Welcome to my notes! Entries here are written in **Markdown** with a few extra
notations, and the site turns them into safe HTML when I publish.

## Links, three ways

- A link with its own text: [https://www.djangoproject.com/:title=Django]
- A plain link: [https://example.com/]
- An autolink: https://www.python.org/
- A link to another author's page: id:bob (he writes about cooking)

## Code

```python
def greet(name: str) -> str:
    return f"Hello, {name}!"
```

Inline `code` works too, and so does ~~strikethrough~~.

## Footnotes

Markdown has many dialects[^1]; this site speaks CommonMark with GitHub's extensions.

[^1]: CommonMark is the one with a precise specification.
"""

ALICE_TABLES = """\
A table, with alignment:

| notation | becomes | note |
|---|:---:|---:|
| `[https://example.com/]` | a plain link | the URL is the text |
| `[https://example.com/:title=Text]` | a link reading "Text" | |
| `id:alice` | a link to /authors/alice | any author |

And a task list for this week:

- [x] Publish the first entry
- [x] Try a table
- [ ] Write about footnotes[^later]
- [ ] Read id:bob's pasta recipe

> Quotes are fine too: *"Simple things should be simple."*

[^later]: Already done in the welcome entry, as it happens.
"""

BOB_PASTA = """\
My go-to weeknight dinner. Thanks to id:alice for asking for the recipe.

## Shopping list

- [x] Spaghetti, 400 g
- [x] Garlic, 4 cloves
- [ ] Good olive oil
- [ ] Parsley

## Quantities

| ingredient | for 2 | for 4 |
|---|---:|---:|
| spaghetti | 200 g | 400 g |
| garlic | 2 cloves | 4 cloves |
| olive oil | 3 tbsp | 6 tbsp |
| chilli flakes | a pinch | two pinches |

## Method

1. Boil the pasta in well-salted water[^salt].
2. Warm the sliced garlic gently in the oil; do not let it brown.
3. Toss everything together with a splash of the cooking water.

More classics on [https://en.wikipedia.org/wiki/Spaghetti_aglio_e_olio:title=Wikipedia].

[^salt]: About 10 g of salt per litre.
"""

BOB_HELLO = """\
Hello! I am Bob and this blog is about food I cook at home.

Timing matters more than anything else, so here is my kitchen timer, in Python:

```python
import time

def timer(minutes: int) -> None:
    time.sleep(minutes * 60)
    print("Dinner is ready!")
```

See you at the table. Visit [https://example.com/] in the meantime.
"""

DEMO_BLOGS = (
    DemoBlog(
        owner="alice",
        path="alice-notes",
        title="Alice's notes",
        description="Notes on writing, tools and the web.",
        entries=(
            DemoEntry("Tables and task lists", ALICE_TABLES),
            DemoEntry("Welcome: a tour of the notation", ALICE_TOUR),
        ),
    ),
    DemoBlog(
        owner="bob",
        path="bob-cooks",
        title="Bob cooks",
        description="Simple food, cooked at home.",
        entries=(
            DemoEntry("Hello from the kitchen", BOB_HELLO),
            DemoEntry("Weeknight spaghetti aglio e olio", BOB_PASTA),
        ),
    ),
)
DEMO_ACCOUNTS = tuple(dict.fromkeys(blog.owner for blog in DEMO_BLOGS))


class Command(BaseCommand):
    help = (
        f"Load demo accounts (password {DEMO_PASSWORD}), blogs and entries. Blogs that "
        "already exist are left alone, so running it twice changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when any blog exists (used by `make run`).",
        )

    def handle(self, *args, **options) -> None:
        if options["if_empty"] and selectors.blog_list().exists():
            self.stdout.write("Blogs exist already: demo content not loaded.")
            if any(self._has_author(name) for name in DEMO_ACCOUNTS):
                self._print_accounts()
            return
        authors = {}
        for name in DEMO_ACCOUNTS:
            author = self._demo_author(name)
            if author is not None:
                authors[name] = author
        created_blogs = created_entries = 0
        for demo in DEMO_BLOGS:
            owner = authors.get(demo.owner)
            if owner is None:
                continue
            try:
                selectors.blog_get(path=demo.path)
            except BlogNotFound:
                pass
            else:
                continue  # loaded before (or someone took the path): leave it alone
            blog = services.blog_create(
                owner=owner, path=demo.path, title=demo.title, description=demo.description
            )
            created_blogs += 1
            for entry in demo.entries:
                services.entry_publish(blog=blog, actor=owner, title=entry.title, body=entry.body)
                created_entries += 1
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content: {created_blogs} blogs and {created_entries} entries loaded."
            )
        )
        self._print_accounts()

    def _demo_author(self, name: str):
        """Return the demo account's author, registering the account if needed."""
        try:
            account = accounts_api.account_register(name=name, password=DEMO_PASSWORD)
        except accounts_api.AccountNameTaken:
            try:
                account = accounts_api.account_authenticate(name=name, password=DEMO_PASSWORD)
            except accounts_api.AccountError:
                # Someone else owns this name: do not touch their account.
                self.stderr.write(
                    f"The account '{name}' exists with another password: its demo blogs "
                    "are skipped."
                )
                return None
        return services.author_ensure(account_id=account.id, name=account.name)

    def _has_author(self, name: str) -> bool:
        try:
            selectors.author_get_by_name(name=name)
        except AuthorNotFound:
            return False
        return True

    def _print_accounts(self) -> None:
        names = ", ".join(DEMO_ACCOUNTS)
        self.stdout.write(f"Demo accounts: {names} (password: {DEMO_PASSWORD})")
