"""Text helpers for Chinese input: full-width to half-width, white space."""

from __future__ import annotations

import re

# U+FF01..U+FF5E are the full-width forms of ASCII 0x21..0x7E; U+3000 is the ideographic space.
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20


_FULLWIDTH_CHARACTER = re.compile("[\uff01-\uff5e\u3000]")


def to_halfwidth(text: str) -> str:
    """Full-width digits, letters and punctuation as their ASCII forms (`２０２２` → `2022`)."""
    # Most text has none: looking is much cheaper than translating character by character.
    if text.isascii() or not _FULLWIDTH_CHARACTER.search(text):
        return text
    return text.translate(_FULLWIDTH)


def squash_spaces(text: str) -> str:
    """Runs of white space as one space, trimmed."""
    # str.split() splits at the white space `\s` matches (str.isspace) and drops the ends.
    return " ".join(text.split())


def cell_text(value: object) -> str:
    """A cell or form value as trimmed text; integral floats lose their `.0`."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
