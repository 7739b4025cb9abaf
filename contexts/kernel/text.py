"""The character rule of text people type: no control characters, no bidi overrides.

Control characters (C0, DEL and C1) have no business in a title or a name and break
what shows them; bidirectional embedding, override and isolate controls (U+202A-U+202E,
U+2066-U+2069) make text display as something else than it is ("txt.exe" shown for
"exe.txt"), which is how names and links are spoofed. Multi-line text (a body, a
description) keeps its line breaks and tabs. Lone surrogates and NUL cannot be stored
(PostgreSQL refuses them). Pure Python: every layer of every context may use it, and so
do the HTTP fields and forms, and the OpenAPI patterns below say the same to clients.
"""

import re

LINE_BREAKS_AND_TAB = frozenset("\t\n\r")
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

# The refused characters, as a regular-expression class (for the OpenAPI patterns).
_CONTROLS = r"\x00-\x1f\x7f-\x9f"
_MULTILINE_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_BIDI = r"\u202a-\u202e\u2066-\u2069"
# What str.strip() removes (str.isspace), so what DRF trims from every string, as a
# class: spelled out, since "\s" differs between dialects (ECMAScript's lacks U+001C-
# U+001F and U+0085, and has U+FEFF, which Python keeps).
WHITESPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# Any text with a character that is not whitespace (where any character may appear).
NOT_BLANK_PATTERN = rf"^[\s\S]*[^{WHITESPACE}][\s\S]*$"


# Any character the rule refuses: a search finds the first one in C (0.003 ms per
# kilobyte) where a loop over the characters in Python cost 0.06 ms, and a body is
# checked twice per write (at the HTTP boundary and by the domain).
_REFUSED = re.compile(f"[{_CONTROLS}{_BIDI}\\ud800-\\udfff]")
_REFUSED_MULTILINE = re.compile(f"[{_MULTILINE_CONTROLS}{_BIDI}\\ud800-\\udfff]")


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Return why `value` is not acceptable text (None when it is), naming the character."""
    found = (_REFUSED_MULTILINE if multiline else _REFUSED).search(value)
    return None if found is None else _char_problem(found.group(), multiline=multiline)


def _char_problem(value: str, *, multiline: bool) -> str | None:
    # The rule, character by character: the reference the search above is held to
    # (tests/kernel/test_text.py).
    for char in value:
        code = ord(char)
        if code == 0:
            return "Null characters are not allowed."
        if code < 0x20 or 0x7F <= code <= 0x9F:
            if multiline and char in LINE_BREAKS_AND_TAB:
                continue
            return f"Control characters are not allowed: U+{code:04X}."
        if char in BIDI_CONTROLS:
            return f"Bidirectional control characters are not allowed: U+{code:04X}."
        if 0xD800 <= code <= 0xDFFF:
            return f"Surrogate characters are not allowed: U+{code:04X}."
    return None


def text_pattern(*, multiline: bool, blank: bool, not_only: str = WHITESPACE) -> str:
    """Return the pattern (JSON Schema, as Python reads it too) of text this rule accepts.

    `blank` False: the text must also hold a character outside the class `not_only`
    (whitespace by default: not empty, not all spaces).
    """
    refused = (_MULTILINE_CONTROLS if multiline else _CONTROLS) + _BIDI
    if blank:
        return f"^[^{refused}]*$"
    return f"^[^{refused}]*[^{not_only}{refused}][^{refused}]*$"


def seconds_words(seconds: int) -> str:
    """Return "1 second" or "N seconds", for messages that say how long to wait."""
    return f"{seconds} second" if seconds == 1 else f"{seconds} seconds"
