"""Report what the search context uses of the blog context: only its api's event types.

Run in a project root (PYTHONPATH, DJANGO_SETTINGS_MODULE set): reads the import graph
with grimp, then the names each importing module takes from the blog's api, and prints
a JSON report; exits 1 when search uses anything else of the blog.
"""

import ast
import inspect
import json
import sys

import django
import grimp

SEARCH = "contexts.search"
BLOG = "contexts.blog"
BLOG_API = "contexts.blog.api"


def _names_used(source: str) -> set[str]:
    """Return the names a module takes from the blog's api (imported, or as api.<name>)."""
    tree = ast.parse(source)
    aliases: set[str] = set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == BLOG:
            aliases |= {a.asname or a.name for a in node.names if a.name == "api"}
        elif isinstance(node, ast.ImportFrom) and node.module == BLOG_API:
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.Import):
            aliases |= {a.asname for a in node.names if a.name == BLOG_API and a.asname}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        ):
            names.add(node.attr)
    return names


def report() -> dict:
    django.setup()
    from contexts.blog import api as blog_api
    from contexts.kernel.events import Event

    graph = grimp.build_graph("contexts", cache_dir=None)
    violations: list[str] = []
    uses: dict[str, list[str]] = {}
    for module in sorted(graph.find_descendants(SEARCH) | {SEARCH}):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported != BLOG and not imported.startswith(f"{BLOG}."):
                continue
            if imported != BLOG_API:
                violations.append(f"{module} imports {imported}")
                continue
            names = _names_used(_source_of(module))
            uses[module] = sorted(names)
            for name in sorted(names):
                value = getattr(blog_api, name, None)
                is_event = inspect.isclass(value) and issubclass(value, Event)
                if not (is_event and "type_name" in vars(value)):
                    violations.append(f"{module} uses {BLOG_API}.{name}, not an event type")
    return {"uses": uses, "violations": violations}


def _source_of(module: str) -> str:
    __import__(module)
    return inspect.getsource(sys.modules[module])


if __name__ == "__main__":
    found = report()
    print(json.dumps(found, indent=2))
    sys.exit(1 if found["violations"] else 0)
