"""Search imports nothing of the blog but its api's event types (issue 12).

Checked twice: by the import graph (grimp), down to the names search takes from the
blog's api, and by the import-linter contract of architecture/contracts.toml. Each check
passes on the real tree and fails on a scratch copy with a violation planted.
"""

import json
import sys
from pathlib import Path

CHECKER = Path(__file__).with_name("search_boundary.py")
CONTRACT = "Search learns of the blog through its events alone"


def _check(scratch) -> tuple[int, dict]:
    result = scratch.run(sys.executable, str(CHECKER))
    assert result.stdout, result.stderr
    return result.returncode, json.loads(result.stdout)


def test_search_uses_only_the_blogs_event_types(scratch):
    code, found = _check(scratch)

    assert code == 0, found
    assert found["violations"] == []
    assert found["uses"] == {
        "contexts.search.handlers": [
            "AccountContentDeleted",
            "BlogChanged",
            "BlogDeleted",
            "EntryChanged",
            "EntryDeleted",
            "EntryPublished",
            "EntryUnpublished",
        ]
    }
    lint = scratch.lint_imports()
    assert f"{CONTRACT} KEPT" in lint.stdout, lint.stdout + lint.stderr


def test_search_reading_the_blogs_tables_is_caught(scratch):
    scratch.write("contexts/search/leak.py", "from contexts.blog import models  # noqa\n")

    code, found = _check(scratch)

    assert code == 1
    assert found["violations"] == ["contexts.search.leak imports contexts.blog.models"]
    lint = scratch.lint_imports()
    assert lint.returncode != 0 and f"{CONTRACT} BROKEN" in lint.stdout


def test_search_calling_a_blog_api_function_is_caught(scratch):
    scratch.append(
        "contexts/search/handlers.py",
        "\n\ndef peek() -> object:\n    return blog_api.entries_export(limit=1)\n",
    )

    code, found = _check(scratch)

    assert code == 1
    assert found["violations"] == [
        "contexts.search.handlers uses contexts.blog.api.entries_export, not an event type"
    ]


def test_another_search_module_importing_the_blog_api_is_caught_by_the_contract(scratch):
    scratch.write(
        "contexts/search/peek.py",
        "from contexts.blog.api import EntryPublished  # noqa\n",
    )

    lint = scratch.lint_imports()

    assert lint.returncode != 0
    assert f"{CONTRACT} BROKEN" in lint.stdout
