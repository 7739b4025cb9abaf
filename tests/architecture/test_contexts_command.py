"""`manage.py contexts` reports each context from the code, not from a hand-kept list."""

import json


def _contexts(scratch) -> dict:
    result = scratch.manage("contexts", "--json")
    assert result.returncode == 0, result.stderr
    return {row["context"]: row for row in json.loads(result.stdout)}


def test_it_lists_every_context_with_its_alias(scratch):
    rows = _contexts(scratch)

    assert {"kernel", "accounts", "blog", "renderer", "fetcher"} <= set(rows)
    assert rows["accounts"]["alias"] == "accounts"
    assert rows["kernel"]["alias"] is None
    accounts_api = rows["accounts"]["api"]
    assert "account_register" in accounts_api["functions"]
    assert "AccountDeleted" in accounts_api["events"]
    assert "AccountNameTaken" in accounts_api["errors"]
    assert rows["blog"]["imports"] == ["accounts", "fetcher", "kernel", "renderer"]
    # The fetcher needs nobody: the blog asks it, and learns from its event.
    assert rows["fetcher"]["imports"] == ["kernel"]
    assert rows["fetcher"]["alias"] == "fetcher"
    assert "LinkMetadataFetched" in rows["fetcher"]["api"]["events"]


def test_imports_come_from_the_import_graph(scratch):
    scratch.write("contexts/notes/__init__.py", '"""A new context."""\n')
    scratch.write(
        "contexts/notes/api.py",
        '"""Search api."""\n\n\ndef find(q: str) -> list:\n    """Find."""\n    return [q]\n',
    )
    scratch.write("contexts/notes/indexer.py", "from contexts.renderer import api  # noqa\n")

    rows = _contexts(scratch)

    assert rows["notes"]["imports"] == ["renderer"]
    assert rows["notes"]["api"] == {"functions": ["find"]}
    assert rows["notes"]["alias"] is None
