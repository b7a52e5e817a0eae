"""A lexer and parser for what is not stream data in a PDF (PDF 1.7, 7.2 and 7.3), CRW-10.

:func:`parse` reads one object's value: literal strings with nesting and
escapes, hexadecimal strings (told from ``<<``), names with ``#xx``
escapes, comments, numbers, arrays, dictionaries and ``n g R`` references.
Besides the value it gives where every reference is and, for a dictionary,
where each top-level entry's value is and where its closing ``>>`` is:
what :mod:`~cambridge_results.rendering.pdf_objects` needs to rewrite
references and edit a page dictionary without touching anything else.

Tokens come from one regular-expression call per object; a string with
unescaped nested parentheses, which no regular expression matches, sends
the object to a slower scan that reads it character by character.
Anything it does not read raises :class:`NotSimple`.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

__all__ = ["REGULAR", "SKIP", "NotSimple", "Parsed", "Ref", "digit_free", "parse"]

REGULAR = rb"[^\x00\t\n\x0c\r ()<>\[\]{}/%]"
SKIP = rb"[\x00\t\n\x0c\r ]*(?:%[^\r\n]*[\x00\t\n\x0c\r ]*)*"

# One token after any white space and comments (7.2.2-7.2.4).  "<<" is tried
# before a hexadecimal string, whose "<" it shares.
_TOKEN = re.compile(
    SKIP + rb"(?:(?P<regular>" + REGULAR + rb"+)"
    rb"|(?P<name>/" + REGULAR + rb"*)"
    rb"|(?P<dict><<)|(?P<end_dict>>>)"
    rb"|(?P<hex><[0-9A-Fa-f\x00\t\n\x0c\r ]*>)"
    rb"|(?P<array>\[)|(?P<end_array>\])"
    rb"|(?P<string>\())"
)
# The same tokens, each with the white space and comments before it, for
# findall; strings with unescaped nested parentheses, which no regular
# expression matches, come out as a lone "(" and send the object to
# _scan_careful.
_SCAN = re.compile(
    rb"((?:[\x00\t\n\x0c\r ]|%[^\r\n]*)*+)"
    rb"(<<|>>|\[|\]|/" + REGULAR + rb"*+|" + REGULAR + rb"++"
    rb"|<[0-9A-Fa-f\x00\t\n\x0c\r ]*+>|\((?:[^\\()]++|\\.)*+\)|.)",
    re.S,
)
_IS_REGULAR = re.compile(REGULAR)
#: Delimiters that start no token the quick scan reads: the careful scan decides.
_ODD = frozenset(b"()<>{}")
_STRING_SPECIAL = re.compile(rb"[()\\]")
_NUMBER = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)\Z")
_NAME_ESCAPE = re.compile(r"#([0-9A-Fa-f]{2})")
_CONSTANTS: dict[bytes, Any] = {b"true": True, b"false": False, b"null": None}


class NotSimple(Exception):
    """The PDF uses something the byte-level path does not handle: use pypdf instead."""


class Ref(NamedTuple):
    """An indirect reference ``number generation R``."""

    number: int
    generation: int


class Parsed(NamedTuple):
    """One object's value as :func:`parse` read it, with where its parts are."""

    value: Any
    start: int
    end: int
    stop: bytes
    stop_end: int
    #: For a dictionary value: each top-level entry's value span.
    entries: dict[str, tuple[int, int]]
    #: For a dictionary value: where its closing ``>>`` starts.
    dict_close: int
    #: Every reference in the value: (start, end, object number).
    refs: list[tuple[int, int, int]]


def _name(token: bytes) -> str:
    name = token.decode("latin-1")
    if "#" in name:
        name = _NAME_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), name)
    return name


def _string_end(data: bytes, pos: int) -> int:
    """The offset just past the literal string whose "(" ends at ``pos`` (7.3.4.2)."""
    depth = 1
    search = _STRING_SPECIAL.search
    while True:
        m = search(data, pos)
        if m is None:
            raise NotSimple("a literal string is not closed")
        char = data[m.start()]
        pos = m.end()
        if char == 0x5C:  # a backslash escapes the next byte, whatever it is
            pos += 1
        elif char == 0x28:
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return pos


def _atom(token: bytes) -> Any:
    if token.isdigit():
        return int(token)
    if token in _CONSTANTS:
        return _CONSTANTS[token]
    if _NUMBER.match(token):
        return float(token) if b"." in token else int(token)
    raise NotSimple(f"unexpected keyword {token[:20]!r}")


class _Retry(NotSimple):
    """The quick scan met syntax only the careful one reads (a string with nested parentheses)."""


def _scan_quick(data: bytes, pos: int, stops: frozenset[bytes]) -> list[tuple[bytes, bytes]]:
    """(white space, token) pairs from ``pos`` through the first of ``stops``, in one call.

    The range ends at the first place a stop keyword's bytes appear; if they
    were inside a string, a name or a comment, the last token is not the
    keyword and :func:`parse` scans again, carefully.
    """
    limit = -1
    for keyword in stops:
        found = data.find(keyword, pos, limit if limit >= 0 else len(data))
        if found >= 0:
            limit = found + len(keyword)
    if limit < 0 or _IS_REGULAR.match(data, limit):
        raise _Retry("no stop keyword")
    return _SCAN.findall(data, pos, limit)


def _scan_careful(data: bytes, pos: int, stops: frozenset[bytes]) -> list[tuple[bytes, bytes]]:
    """(white space, token) pairs from ``pos`` through the first of ``stops``, one by one."""
    tokens: list[tuple[bytes, bytes]] = []
    match = _TOKEN.match
    while True:
        m = match(data, pos)
        if m is None:
            raise NotSimple(f"unreadable syntax at byte {pos}")
        # Every alternative of _TOKEN is a named group, so one of them matched.
        kind = m.lastgroup or ""
        start = m.start(kind)
        end = _string_end(data, m.end()) if kind == "string" else m.end()
        tokens.append((data[pos:start], data[start:end]))
        pos = end
        if kind == "regular" and tokens[-1][1] in stops:
            return tokens


def parse(data: bytes, pos: int, stops: frozenset[bytes]) -> Parsed:
    """Parse the one object at ``pos``, which one of the keywords ``stops`` ends.

    Iterative, so deep nesting cannot exhaust the stack.  Names come back
    as ``str`` with ``#xx`` escapes decoded, strings as their raw bytes with
    delimiters, references as :class:`Ref`.
    """
    try:
        return _build(_scan_quick(data, pos, stops), pos, stops)
    except _Retry:
        return _build(_scan_careful(data, pos, stops), pos, stops)


def _build(tokens: list[tuple[bytes, bytes]], pos: int, stops: frozenset[bytes]) -> Parsed:
    refs: list[tuple[int, int, int]] = []
    entries: dict[str, tuple[int, int]] = {}
    dict_close = -1
    # Each frame: (is a dictionary, values, their starts, their ends, start of the opener).
    stack: list[tuple[bool, list[Any], list[int], list[int], int]] = []
    is_dict = False
    values: list[Any] = []
    starts: list[int] = []
    ends: list[int] = []
    opened = pos
    for skip, token in tokens:
        start = pos + len(skip)
        pos = start + len(token)
        first = token[0]
        value: Any
        if first == 0x2F:  # /
            value = _name(token)
        elif first == 0x28:  # (
            if len(token) == 1:
                raise _Retry("a string the quick scan cannot read")
            value = token
        elif first == 0x3C:  # <
            if token == b"<<":
                stack.append((is_dict, values, starts, ends, opened))
                is_dict, values, starts, ends, opened = True, [], [], [], start
                continue
            if len(token) == 1:
                raise _Retry("a lone <")
            value = token
        elif first == 0x5B:  # [
            stack.append((is_dict, values, starts, ends, opened))
            is_dict, values, starts, ends, opened = False, [], [], [], start
            continue
        elif token == b">>" or first == 0x5D:  # ]
            if not stack or is_dict != (first == 0x3E):
                raise NotSimple(f"unbalanced {token!r} at byte {start}")
            if is_dict:
                if len(values) % 2 or not all(type(k) is str for k in values[::2]):
                    raise NotSimple(f"a dictionary at byte {opened} has a key that is not a name")
                value = dict(zip(values[::2], values[1::2], strict=True))
                if len(value) * 2 != len(values) and _repeats_a_plain_key(values[::2]):
                    # Only keys without digits are acted on, and only they are the same
                    # in every object of a shape; others are copied as they are.
                    raise NotSimple(f"a dictionary at byte {opened} repeats a key")
                if len(stack) == 1:
                    entries = {
                        k: (starts[i + 1], ends[i + 1]) for i, k in enumerate(values) if i % 2 == 0
                    }
                    dict_close = start
            else:
                value = values
            start = opened
            is_dict, values, starts, ends, opened = stack.pop()
        elif first in _ODD:
            raise _Retry(f"{token!r} the quick scan cannot read")
        elif token.isdigit():
            value = int(token)
        elif token == b"R":
            if len(values) < 2 or type(values[-1]) is not int or type(values[-2]) is not int:
                raise NotSimple(f"R without an object number at byte {start}")
            number, generation = values[-2], values[-1]
            if number < 1 or generation != 0:
                raise NotSimple(f"reference {number} {generation} R is not to a plain object")
            start = starts[-2]
            del values[-2:], starts[-2:], ends[-2:]
            value = Ref(number, generation)
            refs.append((start, pos, number))
        elif token in stops and not stack:
            if len(values) != 1:
                raise NotSimple(f"{len(values)} values where one was expected")
            return Parsed(values[0], starts[0], ends[0], token, pos, entries, dict_close, refs)
        else:
            value = _atom(token)
        values.append(value)
        starts.append(start)
        ends.append(pos)
    raise _Retry("the scan ended before a stop keyword")


def digit_free(name: str) -> bool:
    """Whether ``name`` has no digit (digits are what a shape does not keep)."""
    return not any(c.isdigit() for c in name)


def _repeats_a_plain_key(keys: list[str]) -> bool:
    plain = [k for k in keys if digit_free(k)]
    return len(set(plain)) != len(plain)
