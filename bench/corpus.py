"""A deterministic, realistic Markdown corpus for the rendering benchmark.

Blog-entry-like documents: headings, paragraphs with emphasis, inline code and links,
Hatena-style notations and `id:` mentions, lists and task lists, tables, fenced code,
block quotes, images and footnotes. Generated from a seed at run time, so nothing large
is committed and every run measures the same text.
"""

import random

_VOCABULARY = (
    "the a of to and in is it that for on with as was this by be are from at or an "
    "blog entry markdown render notation table list code quote link page author "
    "reader writer django python server client cache queue worker request response "
    "deploy schema context boundary event token session template preview editor "
    "日本語 テキスト ブログ 記事"
)
_WORDS = tuple(_VOCABULARY.split())
_LANGUAGES = ("python", "javascript", "sql", "bash", "")
_NAMES = ("alice", "bob42", "carol", "dave2024", "erin", "frank")
_HOSTS = ("example.com", "docs.example.org", "news.example.net", "blog.example.jp")


def _words(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(low, high)))


def _url(rng: random.Random) -> str:
    host = rng.choice(_HOSTS)
    path = "/".join(rng.choice(_WORDS[:40]) for _ in range(rng.randint(1, 3)))
    return f"https://{host}/{path}?id={rng.randint(1, 9999)}"


def _inline(rng: random.Random) -> str:
    """One sentence with a sprinkling of inline syntax."""
    parts = [_words(rng, 4, 12).capitalize()]
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(10)
        if kind == 0:
            parts.append(f"*{_words(rng, 1, 3)}*")
        elif kind == 1:
            parts.append(f"**{_words(rng, 1, 3)}**")
        elif kind == 2:
            parts.append(f"`{rng.choice(_WORDS)}_{rng.randint(1, 99)}()`")
        elif kind == 3:
            parts.append(f"[{_words(rng, 1, 3)}]({_url(rng)})")
        elif kind == 4:
            parts.append(f"[{_url(rng)}:title={_words(rng, 2, 5)}]")
        elif kind == 5:
            parts.append(f"[{_url(rng)}]")
        elif kind == 6:
            parts.append(f"id:{rng.choice(_NAMES)}")
        elif kind == 7:
            parts.append(f"~~{_words(rng, 1, 2)}~~")
        elif kind == 8:
            parts.append(_url(rng))
        else:
            parts.append(_words(rng, 3, 8))
    return " ".join(parts) + rng.choice(".!?")


def _block(rng: random.Random, footnote: int) -> str:
    kind = rng.randrange(9)
    if kind == 0:
        return f"{'#' * rng.randint(1, 4)} {_words(rng, 2, 6).title()}"
    if kind == 1:
        items = [f"- {_inline(rng)}" for _ in range(rng.randint(2, 6))]
        return "\n".join(items)
    if kind == 2:
        items = [f"- [{rng.choice(' x')}] {_words(rng, 2, 6)}" for _ in range(rng.randint(2, 5))]
        return "\n".join(items)
    if kind == 3:
        head = "| name | value | note |\n|:-----|------:|:----:|"
        rows = [
            f"| {rng.choice(_WORDS)} | {rng.randint(0, 10**6)} | {_words(rng, 1, 4)} |"
            for _ in range(rng.randint(2, 8))
        ]
        return "\n".join([head, *rows])
    if kind == 4:
        lines = [f"def {rng.choice(_WORDS[:40])}_{rng.randint(1, 99)}(items):"]
        for i in range(rng.randint(2, 10)):
            lines.append(
                f"    value_{i} = items[{rng.randint(0, 99)}] * 2  # id:{rng.choice(_NAMES)}"
            )
        lines.append("    return [https://example.com/] and a < b and c > d")
        return f"```{rng.choice(_LANGUAGES)}\n" + "\n".join(lines) + "\n```"
    if kind == 5:
        return "\n".join(f"> {_inline(rng)}" for _ in range(rng.randint(1, 3)))
    if kind == 6:
        return f"![{_words(rng, 1, 3)}](https://{rng.choice(_HOSTS)}/img/{rng.randint(1, 999)}.png)"
    if kind == 7:
        return f"{_inline(rng)} {_inline(rng)}[^n{footnote}]\n\n[^n{footnote}]: {_inline(rng)}"
    return " ".join(_inline(rng) for _ in range(rng.randint(2, 6)))


def build_document(rng: random.Random, size: int) -> str:
    """Return one entry body of about `size` characters."""
    blocks: list[str] = []
    length = 0
    while length < size:
        block = _block(rng, len(blocks))
        blocks.append(block)
        length += len(block) + 2
    return "\n\n".join(blocks) + "\n"


def build_corpus(documents: int = 16, size: int = 25_000, seed: int = 20261129) -> list[str]:
    """Return `documents` entry bodies of about `size` characters each, fixed by `seed`."""
    rng = random.Random(seed)
    return [build_document(rng, size) for _ in range(documents)]
