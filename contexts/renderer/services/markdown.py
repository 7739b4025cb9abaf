"""CommonMark + GFM to HTML with GitHub's cmark-gfm, freeing every buffer it allocates.

cmarkgfm's own Python wrappers never free the document tree nor the HTML buffer
(several MB lost per 100 KB rendered, see theacodes/cmarkgfm#53), which would grow a
long-running server without bound. The C library that cmarkgfm ships exports the
missing `cmark_node_free` and its allocator, so this module drives the same library
through a small cffi ABI-mode binding that releases both. Should a future cmarkgfm stop
exporting them, rendering falls back to the leaky wrapper with a warning rather than
failing.

cmark-gfm is not thread-safe: while it parses inlines it adds its extensions' special
characters ("~" for strikethrough, ":" and "w" for autolinks) to a process-wide table
and removes them afterwards, and cffi releases the GIL during the call. Two threads
rendering at once (a threaded server, a render with a timeout) would then drop each
other's strikethrough and autolinks, so one lock serializes every call into the library.
"""

import logging
import threading
import zlib

import cffi
import cmarkgfm
from cmarkgfm import _cmark as _cmark_module
from cmarkgfm.cmark import Options

logger = logging.getLogger(__name__)

# The GitHub extensions product.md asks for; "tagfilter" is not needed because raw HTML
# is never passed through (no CMARK_OPT_UNSAFE): cmark replaces it by a comment, which
# the sanitizer then drops.
EXTENSIONS = ("table", "strikethrough", "autolink", "tasklist")
OPTIONS = Options.CMARK_OPT_FOOTNOTES

# See the module docstring: cmark-gfm keeps per-parse state in process-wide tables.
_LOCK = threading.Lock()

_CDEF = """
typedef struct cmark_mem {
  void *(*calloc)(size_t, size_t);
  void *(*realloc)(void *, size_t);
  void (*free)(void *);
} cmark_mem;
cmark_mem *cmark_get_default_mem_allocator(void);
void cmark_gfm_core_extensions_ensure_registered(void);
void *cmark_find_syntax_extension(const char *name);
void *cmark_parser_new(int options);
int cmark_parser_attach_syntax_extension(void *parser, void *extension);
void cmark_parser_feed(void *parser, const char *buffer, size_t len);
void *cmark_parser_finish(void *parser);
void *cmark_parser_get_syntax_extensions(void *parser);
char *cmark_render_html(void *root, int options, void *extensions);
void cmark_node_free(void *node);
void cmark_parser_free(void *parser);
"""


class _CmarkLibrary:
    """The cmark-gfm library inside cmarkgfm, bound with the functions that free memory."""

    def __init__(self, path: str, extensions: tuple[str, ...]) -> None:
        self._ffi = cffi.FFI()
        self._ffi.cdef(_CDEF)
        self._lib = self._ffi.dlopen(path)
        self._lib.cmark_gfm_core_extensions_ensure_registered()
        self._extensions = []
        for name in extensions:
            extension = self._lib.cmark_find_syntax_extension(name.encode("ascii"))
            if extension == self._ffi.NULL:
                raise LookupError(f"cmark-gfm has no {name!r} extension")
            self._extensions.append(extension)
        self._free = self._lib.cmark_get_default_mem_allocator().free

    def to_html(self, text: bytes, options: int) -> bytes:
        """Parse `text` (UTF-8) and return its HTML (UTF-8), releasing all C memory."""
        ffi, lib = self._ffi, self._lib
        parser = lib.cmark_parser_new(options)
        if parser == ffi.NULL:
            raise MemoryError("cmark could not allocate a parser")
        root = output = ffi.NULL
        try:
            for extension in self._extensions:
                lib.cmark_parser_attach_syntax_extension(parser, extension)
            lib.cmark_parser_feed(parser, text, len(text))
            root = lib.cmark_parser_finish(parser)
            if root == ffi.NULL:
                raise MemoryError("cmark could not parse the document")
            output = lib.cmark_render_html(
                root, options, lib.cmark_parser_get_syntax_extensions(parser)
            )
            if output == ffi.NULL:
                raise MemoryError("cmark could not render the document")
            return ffi.string(output)
        finally:
            if output != ffi.NULL:
                self._free(output)
            if root != ffi.NULL:
                lib.cmark_node_free(root)
            lib.cmark_parser_free(parser)


def _bind() -> _CmarkLibrary | None:
    try:
        return _CmarkLibrary(_cmark_module.__file__, EXTENSIONS)
    except (OSError, AttributeError, LookupError, cffi.FFIError) as exc:
        logger.warning(
            "cmark-gfm cannot be bound leak-free (%s); using cmarkgfm's wrapper, "
            "which does not free memory",
            exc,
        )
        return None


_LIBRARY = _bind()

# True when rendering frees its memory; a test keeps it so.
LEAK_FREE = _LIBRARY is not None


def _utf8(src: str) -> bytes:
    try:
        return src.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (JSON allows "\ud800") has no UTF-8 form: make it U+FFFD,
        # as CommonMark does with any invalid character, instead of failing.
        return src.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode("utf-8")


# cmark-gfm names footnotes fn-<label> and their references fnref-<label>: two entries
# shown on one page would share those ids, and a reference would jump to the other
# entry's note. The ids get a prefix drawn from the source, so rendering stays pure.
_FOOTNOTE_ATTRIBUTES = (b'id="fn-', b'href="#fn-', b'id="fnref-', b'href="#fnref-')


def _scope_footnotes(html: bytes, text: bytes) -> bytes:
    # Plain byte replacements: a regex over the whole document costs as much as cmark.
    scope = b"%08x-" % zlib.crc32(text)
    for attribute in _FOOTNOTE_ATTRIBUTES:
        html = html.replace(attribute, attribute + scope)
    return html


def markdown_to_html(src: str) -> str:
    """Render CommonMark plus the GFM extensions and footnotes; raw HTML is left out.

    Footnote ids are made unique to the source (see _scope_footnotes).
    """
    text = _utf8(src)
    if _LIBRARY is None:
        with _LOCK:
            html = cmarkgfm.markdown_to_html_with_extensions(
                text.decode("utf-8"), options=OPTIONS, extensions=list(EXTENSIONS)
            ).encode("utf-8")
    else:
        with _LOCK:
            html = _LIBRARY.to_html(text, OPTIONS)
    if b"[^" in text:
        html = _scope_footnotes(html, text)
    return html.decode("utf-8", "replace")
