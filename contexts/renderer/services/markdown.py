"""CommonMark + GFM + footnotes to HTML with comrak, the Rust CommonMark engine.

comrak's Python package wraps the Rust crate's `markdown_to_html`: a pure function that
allocates and frees its own memory and keeps no state between calls, so it neither
leaks nor needs a lock when several threads render at once (tests keep both true).
"""

import zlib

import comrak

# The GitHub extensions product.md asks for, and footnotes. Raw HTML is never passed
# through (RenderOptions.unsafe_ stays off): comrak writes a comment in its place,
# which the sanitizer then drops.
EXTENSIONS = ("table", "strikethrough", "autolink", "tasklist", "footnotes")


def extension_options() -> comrak.ExtensionOptions:
    """Return comrak's extension options with EXTENSIONS turned on."""
    options = comrak.ExtensionOptions()
    for name in EXTENSIONS:
        setattr(options, name, True)
    return options


# Built once and only read afterwards, so every thread may share it.
_EXTENSION_OPTIONS = extension_options()


def _without_surrogates(src: str) -> str:
    # A lone surrogate (JSON allows "\ud800") has no UTF-8 form: make it U+FFFD, as
    # CommonMark does with any invalid character, instead of failing.
    return src.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


# comrak names footnotes fn-<label> and their references fnref-<label>: two entries
# shown on one page would share those ids, and a reference would jump to the other
# entry's note. The ids get a prefix drawn from the source, so rendering stays pure.
_FOOTNOTE_ATTRIBUTES = ('id="fn-', 'href="#fn-', 'id="fnref-', 'href="#fnref-')


def _scope_footnotes(html: str, src: str) -> str:
    # Plain string replacements: a regex over the whole document costs as much as comrak.
    scope = f"{zlib.crc32(src.encode('utf-8')):08x}-"
    for attribute in _FOOTNOTE_ATTRIBUTES:
        html = html.replace(attribute, attribute + scope)
    return html


def markdown_to_html(src: str) -> str:
    """Render CommonMark plus the GFM extensions and footnotes; raw HTML is left out.

    Footnote ids are made unique to the source (see _scope_footnotes).
    """
    try:
        html = comrak.render_markdown(src, extension_options=_EXTENSION_OPTIONS)
    except UnicodeEncodeError:
        src = _without_surrogates(src)
        html = comrak.render_markdown(src, extension_options=_EXTENSION_OPTIONS)
    if "[^" in src:
        html = _scope_footnotes(html, src)
    return html
