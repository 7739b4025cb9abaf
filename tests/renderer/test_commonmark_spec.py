"""The CommonMark spec examples come out of the full renderer as the spec says.

Compared after normalizing (attribute order, whitespace outside <pre>, serialization)
and after applying to the expected HTML the differences the renderer makes on purpose
(see htmlcompare.renderer_policy). Skipped: the "Raw HTML" and "HTML blocks" sections
and every other example that contains raw HTML, which the renderer leaves out by design.
Known deviations are listed with their reason and marked strict xfail, so that one
that starts to pass (or a new failure) shows up.
"""

import json
from pathlib import Path

import pytest

from contexts.renderer.api import render
from contexts.renderer.services.markdown import markdown_to_html
from tests.renderer.htmlcompare import normalize, renderer_policy

EXAMPLES = json.loads(
    (Path(__file__).parent / "data" / "commonmark-spec-0.31.2.json").read_text(encoding="utf-8")
)
RAW_HTML_SECTIONS = {"Raw HTML", "HTML blocks"}

_OLDER_SPEC = "cmark-gfm implements spec 0.29; 0.31.2 changed this rule"
_GFM_AUTOLINK = "GFM autolink extension (product.md asks for autolinks) links bare URLs/emails"
KNOWN_DEVIATIONS = {
    28: _OLDER_SPEC + " (an out-of-range numeric reference)",
    354: _OLDER_SPEC + " (currency symbols count as punctuation for emphasis)",
    389: _OLDER_SPEC + " (nested strong emphasis)",
    417: _OLDER_SPEC + " (nested strong emphasis)",
    425: _OLDER_SPEC + " (nested strong emphasis)",
    426: _OLDER_SPEC + " (nested strong emphasis)",
    427: _OLDER_SPEC + " (nested strong emphasis)",
    464: _OLDER_SPEC + " (nested strong emphasis)",
    465: _OLDER_SPEC + " (nested strong emphasis)",
    466: _OLDER_SPEC + " (nested strong emphasis)",
    468: _OLDER_SPEC + " (nested strong emphasis)",
    602: _GFM_AUTOLINK,
    606: _GFM_AUTOLINK,
    608: _GFM_AUTOLINK,
    611: _GFM_AUTOLINK,
    612: _GFM_AUTOLINK,
}


def _params():
    for example in EXAMPLES:
        marks = []
        if example["example"] in KNOWN_DEVIATIONS:
            marks.append(
                pytest.mark.xfail(strict=True, reason=KNOWN_DEVIATIONS[example["example"]])
            )
        yield pytest.param(example, id=f"{example['example']}", marks=marks)


def _raw_html_reason(example: dict) -> str | None:
    if example["section"] in RAW_HTML_SECTIONS:
        return f"section {example['section']!r}: raw HTML is left out by design"
    if "raw HTML omitted" in markdown_to_html(example["markdown"]):
        return "contains raw HTML, which is left out by design"
    return None


@pytest.mark.parametrize("example", list(_params()))
def test_spec_example_renders_as_the_spec_says(example):
    reason = _raw_html_reason(example)
    if reason:
        pytest.skip(reason)

    got = normalize(render(example["markdown"]).html, renderer_policy)

    assert got == normalize(example["html"], renderer_policy), example["markdown"]


def test_the_fixture_is_the_whole_spec_and_most_of_it_is_checked():
    checked = [e for e in EXAMPLES if _raw_html_reason(e) is None]

    assert len(EXAMPLES) == 652
    assert len(checked) - len(KNOWN_DEVIATIONS) >= 550
