"""Rendering benchmark: the project's renderer against bare cmarkgfm, comrak and markdown-it-py.

Run from the project root: `.venv/bin/python bench/render.py [--repeat N]`.
One deterministic corpus of blog-entry-like documents (see bench/corpus.py) is rendered
in the same process by the project's full pipeline (comrak, notations, sanitizer), by
bare cmarkgfm (GitHub's cmark-gfm, the baseline) and bare comrak with the same
extensions, and by bare markdown-it-py (CommonMark preset plus tables and
strikethrough). Each figure is the best of N runs. The target is the project at
>= 0.35x bare cmarkgfm's throughput.
"""

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blog_project.settings")

import cmarkgfm  # type: ignore[import-untyped]  # noqa: E402  (ships no types)
import comrak  # noqa: E402
import django  # noqa: E402
from cmarkgfm.cmark import Options  # type: ignore[import-untyped]  # noqa: E402
from markdown_it import MarkdownIt  # noqa: E402

django.setup()

from bench.corpus import build_corpus  # noqa: E402
from contexts.renderer.api import MAX_SOURCE_LENGTH, render  # noqa: E402
from contexts.renderer.services import markdown, notation, sanitizer  # noqa: E402

TARGET = 0.35
CMARK_EXTENSIONS = ["table", "strikethrough", "autolink", "tasklist"]


def best_of(repeat: int, work: Callable[[], object]) -> float:
    """Return the shortest wall time of `repeat` runs of `work`, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per library (best of)")
    parser.add_argument("--documents", type=int, default=16)
    parser.add_argument("--size", type=int, default=25_000, help="characters per document")
    args = parser.parse_args()

    documents = build_corpus(documents=args.documents, size=args.size)
    assert all(len(doc) <= MAX_SOURCE_LENGTH for doc in documents)
    megabytes = sum(len(doc.encode("utf-8")) for doc in documents) / 1_000_000
    markdown_it = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    comrak_options = markdown.extension_options()

    def project() -> None:
        for doc in documents:
            render(doc)

    def bare_cmarkgfm() -> None:
        for doc in documents:
            cmarkgfm.markdown_to_html_with_extensions(
                doc, options=Options.CMARK_OPT_FOOTNOTES, extensions=CMARK_EXTENSIONS
            )

    def bare_comrak() -> None:
        for doc in documents:
            comrak.render_markdown(doc, extension_options=comrak_options)

    def bare_markdown_it() -> None:
        for doc in documents:
            markdown_it.render(doc)

    # The project's stages on their own, to show where its time goes.
    comrak_html = [markdown.markdown_to_html(doc) for doc in documents]
    linked_html = [notation.apply_notations(html)[0] for html in comrak_html]

    def stage_comrak() -> None:
        for doc in documents:
            markdown.markdown_to_html(doc)

    def stage_notations() -> None:
        for html in comrak_html:
            notation.apply_notations(html)

    def stage_sanitize() -> None:
        for html in linked_html:
            sanitizer.sanitize(html)

    def stage_grammar() -> None:
        for html in linked_html:
            sanitizer.is_known_clean(html)

    def stage_nh3() -> None:
        for html in linked_html:
            sanitizer._CLEANER.clean(html)

    project()  # warm up every path once before timing
    bare_cmarkgfm()
    bare_comrak()
    bare_markdown_it()

    timings = {
        "project (comrak + notations + sanitizer)": best_of(args.repeat, project),
        "bare cmarkgfm": best_of(args.repeat, bare_cmarkgfm),
        "bare comrak": best_of(args.repeat, bare_comrak),
        "bare markdown-it-py": best_of(max(1, args.repeat // 2), bare_markdown_it),
    }
    stages = {
        "comrak (with footnote-id scoping)": best_of(args.repeat, stage_comrak),
        "notation pass": best_of(args.repeat, stage_notations),
        "sanitizer (as run: grammar, nh3 if needed)": best_of(args.repeat, stage_sanitize),
        "  of which the clean-markup grammar": best_of(args.repeat, stage_grammar),
        "  nh3 on the same HTML, for comparison": best_of(args.repeat, stage_nh3),
    }
    vouched = sum(sanitizer.is_known_clean(html) for html in linked_html)
    baseline = timings["bare cmarkgfm"]
    print(
        f"corpus: {len(documents)} documents, {megabytes:.3f} MB of UTF-8 Markdown; "
        f"best of {args.repeat} runs"
    )
    for name, seconds in timings.items():
        print(
            f"  {name:<46} {megabytes / seconds:7.2f} MB/s  "
            f"{seconds * 1000:8.1f} ms  {baseline / seconds:5.2f}x cmarkgfm"
        )
    print("project stages:")
    for name, seconds in stages.items():
        print(f"  {name:<46} {seconds * 1000:8.1f} ms")
    print(f"  documents the grammar vouched for: {vouched} of {len(documents)}")
    ratio = baseline / timings["project (comrak + notations + sanitizer)"]
    verdict = "met" if ratio >= TARGET else "NOT met"
    print(f"target: project >= {TARGET:.2f}x bare cmarkgfm -> {ratio:.2f}x, {verdict}")


if __name__ == "__main__":
    main()
