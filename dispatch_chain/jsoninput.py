"""Reading untrusted JSON: every way a document can be malformed becomes one :class:`JsonInputError`.

``json.loads`` alone lets bad input escape as other exceptions: bytes that
are not UTF-8 (``UnicodeDecodeError``), a number of more than 4,300 digits
(``ValueError`` from Python's integer conversion limit) or arrays nested
thousands deep (``RecursionError``, or a segfault of the C decoder when a
host process raised the recursion limit). Every reader of files, stdin and
bundles goes through :func:`parse_json` so each of those is a clear,
catchable error naming the source, never a traceback. Nesting is measured
before decoding and capped at :data:`MAX_DEPTH`.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from dispatch_chain.errors import DispatchChainError

#: Deepest nesting of arrays and objects accepted (receipts need 2; job outputs get room).
MAX_DEPTH = 200
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class JsonInputError(DispatchChainError):
    """A JSON document is unreadable: not UTF-8, not JSON, a giant number or nested too deeply."""


def parse_json(data: str | bytes, source: str) -> Any:
    """Decode one JSON document; raises :class:`JsonInputError` naming ``source``."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JsonInputError(f"{source} is not UTF-8 text (byte {exc.start}: 0x{data[exc.start]:02x})") from None
    else:
        text = data
    if nesting_depth(text) > MAX_DEPTH:
        raise JsonInputError(f"{source}: JSON nested deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise JsonInputError(f"{source} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise JsonInputError(f"{source}: JSON nested too deeply") from None
    except ValueError as exc:  # Python's integer conversion limit: "Exceeds the limit (4300 digits) ..."
        raise JsonInputError(f"{source}: a number in the JSON is too large ({str(exc).split(':')[0]})") from None


def nesting_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in ``text`` (brackets inside strings do not count)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:  # cannot be deeper: skip the scan
        return 0
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(_STEP[c] for c in brackets), default=0)
