"""Rendering benchmark: the project's renderer against bare cmarkgfm and markdown-it-py.

Run from the project root: `.venv/bin/python bench/render.py [--repeat N]`.
One deterministic corpus of blog-entry-like documents (see bench/corpus.py) is rendered
in the same process by the project's full pipeline (cmark-gfm, notations, sanitizer),
by bare cmarkgfm with the same extensions and options, and by bare markdown-it-py
(CommonMark preset plus tables and strikethrough). Each figure is the best of N runs.
The target is the project at >= 0.25x bare cmarkgfm's throughput.
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

import cmarkgfm  # noqa: E402
import django  # noqa: E402
from markdown_it import MarkdownIt  # noqa: E402

django.setup()

from corpus import build_corpus  # noqa: E402

from contexts.renderer.api import MAX_SOURCE_LENGTH, render  # noqa: E402
from contexts.renderer.services import markdown, notation, sanitizer  # noqa: E402

TARGET = 0.25


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
    extensions = list(markdown.EXTENSIONS)

    def project() -> None:
        for doc in documents:
            render(doc)

    def bare_cmarkgfm() -> None:
        for doc in documents:
            cmarkgfm.markdown_to_html_with_extensions(
                doc, options=markdown.OPTIONS, extensions=extensions
            )

    def bare_markdown_it() -> None:
        for doc in documents:
            markdown_it.render(doc)

    # The project's stages on their own, to show where its time goes.
    cmark_html = [markdown.markdown_to_html(doc) for doc in documents]
    linked_html = [notation.apply_notations(html) for html in cmark_html]

    def stage_cmark() -> None:
        for doc in documents:
            markdown.markdown_to_html(doc)

    def stage_notations() -> None:
        for html in cmark_html:
            notation.apply_notations(html)

    def stage_sanitize() -> None:
        for html in linked_html:
            sanitizer.sanitize(html)

    project()  # warm up every path once before timing
    bare_cmarkgfm()
    bare_markdown_it()

    timings = {
        "project (cmark-gfm + notations + sanitizer)": best_of(args.repeat, project),
        "bare cmarkgfm": best_of(args.repeat, bare_cmarkgfm),
        "bare markdown-it-py": best_of(max(1, args.repeat // 2), bare_markdown_it),
    }
    stages = {
        "cmark-gfm (leak-free binding)": best_of(args.repeat, stage_cmark),
        "notation pass": best_of(args.repeat, stage_notations),
        "nh3 sanitizer": best_of(args.repeat, stage_sanitize),
    }
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
    ratio = baseline / timings["project (cmark-gfm + notations + sanitizer)"]
    verdict = "met" if ratio >= TARGET else "NOT met"
    print(f"target: project >= {TARGET:.2f}x bare cmarkgfm -> {ratio:.2f}x, {verdict}")


if __name__ == "__main__":
    main()
