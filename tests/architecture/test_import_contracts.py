"""Each import contract passes on the real tree and fails, by name, when broken."""

import pytest

CONTRACT_VIA_API = "Contexts import each other only through their api module"
CONTRACT_KERNEL = "The shared kernel imports no context"
CONTRACT_ROOT = "No context imports the composition root"
CONTRACT_LAYERS = "Inside a context, dependencies point inward"
CONTRACT_RENDERING = "Only the renderer imports the Markdown and sanitizer libraries"
CONTRACT_PAGE_PARSING = "Only the fetcher imports the HTML parser and the charset detector"
CONTRACT_ACYCLIC = "No two contexts depend on each other, even through their apis"


def _assert_broken(result, contract: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert f"{contract} BROKEN" in output, output


def test_the_real_tree_keeps_every_contract(scratch):
    result = scratch.lint_imports()

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "0 broken" in output
    for contract in (
        CONTRACT_VIA_API,
        CONTRACT_KERNEL,
        CONTRACT_ROOT,
        CONTRACT_LAYERS,
        CONTRACT_RENDERING,
        CONTRACT_PAGE_PARSING,
        CONTRACT_ACYCLIC,
    ):
        assert f"{contract} KEPT" in output


def test_blog_importing_another_contexts_internals_breaks_the_api_contract(scratch):
    scratch.write("contexts/renderer/services.py", '"""Renderer use cases."""\n')
    scratch.write("contexts/blog/leak.py", "from contexts.renderer import services  # noqa\n")

    _assert_broken(scratch.lint_imports(), CONTRACT_VIA_API)


def test_importing_another_contexts_api_is_allowed(scratch):
    scratch.write("contexts/renderer/api.py", '"""Published interface."""\n')
    scratch.write("contexts/blog/uses_api.py", "from contexts.renderer import api  # noqa\n")

    result = scratch.lint_imports()

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("imported", ["contexts.accounts.api", "contexts.blog.models"])
def test_the_kernel_importing_any_context_breaks_the_kernel_contract(scratch, imported):
    scratch.write("contexts/kernel/leak.py", f"import {imported}  # noqa\n")

    _assert_broken(scratch.lint_imports(), CONTRACT_KERNEL)


def test_a_brand_new_context_is_covered_without_editing_the_contracts(scratch):
    scratch.write("contexts/notes/__init__.py", '"""A new context."""\n')
    scratch.write("contexts/notes/indexer.py", "from contexts.blog import models  # noqa\n")

    _assert_broken(scratch.lint_imports(), CONTRACT_VIA_API)


def test_a_context_importing_the_composition_root_breaks_its_contract(scratch):
    scratch.write("contexts/blog/leak.py", "from blog_project import routers  # noqa\n")

    _assert_broken(scratch.lint_imports(), CONTRACT_ROOT)


def test_a_lower_layer_importing_a_higher_one_breaks_the_layers_contract(scratch):
    scratch.write("contexts/renderer/http.py", '"""REST endpoints."""\n')
    scratch.write("contexts/renderer/services.py", "from contexts.renderer import http  # noqa\n")

    _assert_broken(scratch.lint_imports(), CONTRACT_LAYERS)


def test_the_domain_importing_the_models_breaks_the_layers_contract(scratch):
    # The models read their limits from the domain; the other way round would make the
    # rules depend on the schema.
    scratch.append("contexts/blog/domain.py", "\nfrom contexts.blog import models  # noqa\n")

    _assert_broken(scratch.lint_imports(), CONTRACT_LAYERS)


@pytest.mark.parametrize(
    ("module", "line"),
    [
        ("contexts/blog/leak.py", "import nh3  # noqa\n"),
        ("contexts/accounts/leak.py", "from cmarkgfm import cmark  # noqa\n"),
        ("contexts/blog/leak.py", "import comrak  # noqa\n"),
        ("blog_project/leak.py", "import nh3  # noqa\n"),
    ],
)
def test_a_rendering_library_outside_the_renderer_breaks_its_contract(scratch, module, line):
    scratch.write(module, line)

    _assert_broken(scratch.lint_imports(), CONTRACT_RENDERING)


@pytest.mark.parametrize(
    ("module", "line"),
    [
        ("contexts/fetcher/leak.py", "from contexts.blog import models  # noqa\n"),
        ("contexts/fetcher/leak.py", "from contexts.blog import services  # noqa\n"),
        ("contexts/fetcher/leak.py", "from contexts.renderer.services import sanitizer  # noqa\n"),
        ("contexts/blog/leak.py", "from contexts.fetcher import models  # noqa\n"),
        ("contexts/blog/leak.py", "from contexts.fetcher import fetching  # noqa\n"),
    ],
)
def test_the_fetcher_and_its_callers_meet_only_through_apis(scratch, module, line):
    scratch.write(module, line)

    _assert_broken(scratch.lint_imports(), CONTRACT_VIA_API)


@pytest.mark.parametrize(
    ("module", "line"),
    [
        ("contexts/blog/leak.py", "from selectolax.lexbor import LexborHTMLParser  # noqa\n"),
        ("contexts/renderer/leak.py", "import charset_normalizer  # noqa\n"),
        ("blog_project/leak.py", "import selectolax  # noqa\n"),
    ],
)
def test_parsing_other_sites_pages_outside_the_fetcher_breaks_its_contract(scratch, module, line):
    scratch.write(module, line)

    _assert_broken(scratch.lint_imports(), CONTRACT_PAGE_PARSING)


def test_two_contexts_importing_each_others_api_break_the_acyclic_contract(scratch):
    # The blog already uses the accounts api; accounts using the blog's closes a cycle,
    # which every other contract lets through (each import goes through an api).
    scratch.append(
        "contexts/accounts/services.py", "\nfrom contexts.blog import api as _blog  # noqa\n"
    )

    result = scratch.lint_imports()

    _assert_broken(result, CONTRACT_ACYCLIC)
    assert f"{CONTRACT_VIA_API} KEPT" in result.stdout + result.stderr
