"""Byte-exact JavaScript ``JSON.stringify`` for the values receipts contain.

The TypeScript coordinator signs ``JSON.stringify(receipt)``; Python must
produce the same UTF-8 bytes for every string. ECMAScript (2019+, "well-formed
JSON.stringify") serialises a string as follows:

* ``"`` and ``\\`` are escaped as ``\\"`` and ``\\\\``;
* ``\\b \\f \\n \\r \\t`` use their short escapes;
* every other code unit below U+0020 becomes ``\\u00xx`` (lowercase hex);
* a lone surrogate (a UTF-16 code unit D800-DFFF without its partner) becomes
  ``\\udxxx`` (lowercase hex);
* everything else, including DEL, U+2028/U+2029 and all non-ASCII, is literal.

Python strings are sequences of code points rather than UTF-16 code units, so
a string may hold a high and a low surrogate as two adjacent code points (for
example after ``surrogatepass`` decoding). JavaScript would see that pair as
one astral character, so it is joined before encoding.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_PAIR = re.compile("([\ud800-\udbff])([\udc00-\udfff])")


def _join_pair(match: re.Match[str]) -> str:
    high, low = (ord(c) for c in match.groups())
    return chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))


def _escape_surrogate(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


# The json module's string encoder for ensure_ascii=False (its C version where
# available) already matches JavaScript for quotes, backslashes, the short
# escapes and other control characters (\\u00xx, lowercase).
_encode_basestring = json.encoder.encode_basestring


def string(value: str) -> str:
    """Return ``JSON.stringify(value)`` for a string, as a Python ``str``."""
    encoded = _encode_basestring(value)
    if _SURROGATE.search(encoded) is None:
        return encoded
    encoded = _SURROGATE_PAIR.sub(_join_pair, encoded)
    return _SURROGATE.sub(_escape_surrogate, encoded)


def stringify_flat(obj: Mapping[str, str | None]) -> str:
    """``JSON.stringify`` of a flat object whose values are strings or null.

    Keys are written in the mapping's order, as JavaScript writes an object's
    own string keys in insertion order.
    """
    parts = []
    for key, value in obj.items():
        rendered = "null" if value is None else string(value)
        parts.append(f"{string(key)}:{rendered}")
    return "{" + ",".join(parts) + "}"
