"""The shape of a PDF object: its bytes with every digit made ``0`` (see :mod:`.pdf_objects`).

Objects of one shape lex into the same tokens at the same offsets, so the
first one is parsed in full and the others are read from where the shape
says their numbers are.  :class:`RawObject` is what an object's lexing
yields, :class:`Shape` what it teaches about objects like it, and
:class:`Template` the pieces a page's object is written from with its
references renumbered.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from itertools import chain
from operator import itemgetter
from typing import Any, NamedTuple

from cambridge_results.rendering.pdf_lexer import Parsed, Ref

__all__ = ["RawObject", "Shape", "Template", "getter", "shape_of"]

# A reference whose numbers are plain digits, with only white space between its tokens.
REFERENCE = re.compile(rb"(\d+)[\x00\t\n\x0c\r ]+(\d+)[\x00\t\n\x0c\r ]+R")


class RawObject(NamedTuple):
    """Where one indirect object lies in the file, and what its non-stream part says."""

    number: int
    value_start: int
    value_end: int
    #: Offset just past ``endobj``.
    end: int
    is_stream: bool
    #: Every reference in the value: (start, end, object number).
    refs: list[tuple[int, int, int]]
    #: The value's top-level keys without digits in them (a dictionary's).
    keys: frozenset[str]
    #: The value's top-level /Type, if it is a name without digits.
    type_name: str | None
    #: Which of ``refs`` is the value's top-level /Parent, or -1.
    parent: int
    #: Where the value's closing ``>>`` starts, if it is a dictionary; else -1.
    dict_close: int
    #: For a page tree node (/Type /Pages): where /Kids and inherited attributes are.
    spans: dict[str, tuple[int, int]]
    #: For a page tree node: whether /Kids is an array of references and nothing else.
    kids_plain: bool


class Shape(NamedTuple):
    """What one parse of an object says about every object whose bytes differ from
    its bytes only in which digits they have, digit for digit.

    Digits are regular characters, so such objects lex into the same tokens
    at the same offsets; only the numbers differ, and they are read where
    this shape says they are.  Offsets are from the start of ``N 0 obj``.
    """

    value_start: int
    value_end: int
    #: Per reference: start, end of its number, start and end of its generation, end of R.
    refs: tuple[tuple[int, int, int, int, int], ...]
    keys: frozenset[str]
    type_name: str | None
    parent: int
    is_dict: bool
    is_stream: bool
    #: /Length: (0, start, end) of its digits if direct, (1, reference index, 0) if
    #: indirect, (-1, 0, 0) if absent.
    length: tuple[int, int, int]
    #: The object's number, then each reference's, from its bytes up to the keyword.
    numbers: Callable[[bytes], Sequence[bytes]]
    #: The object's generation, then each reference's.
    generations: Callable[[bytes], Sequence[bytes]]
    #: The value's bytes up to the last reference, cut at each reference.
    pieces: Callable[[bytes], Sequence[bytes]]
    #: Where the bytes after the last reference start.
    last_cut: int
    spans: tuple[tuple[str, int, int], ...]
    kids_plain: bool


def getter(slices: list[slice]) -> Callable[[bytes], Sequence[bytes]]:
    """A function giving the bytes at ``slices`` of its argument, in one call."""
    if len(slices) > 1:
        return itemgetter(*slices)
    if slices:
        only = slices[0]
        return lambda part: (part[only],)
    return lambda part: ()


class Template:
    """An object's bytes cut at its references, so renumbering is a join.

    ``pieces`` has one more item than ``targets``; the object's bytes are
    the pieces with reference ``targets[i]`` between ``pieces[i]`` and
    ``pieces[i + 1]``.  Target 0 stands for the output's page tree node.
    """

    __slots__ = ("pieces", "targets")

    def __init__(self, pieces: list[bytes | memoryview], targets: list[int]) -> None:
        self.pieces = pieces
        self.targets = targets

    def render(self, header: bytes, refs: Mapping[int, bytes]) -> bytes:
        """The object after ``header`` (``b"N 0 obj\\n"``), each reference to object
        ``t`` written as ``refs[t]`` (``b"M 0 R"``)."""
        pieces = self.pieces
        if not self.targets:
            return b"".join((header, pieces[0], b"\n"))
        # One more piece than targets: the last is added after.
        between = chain.from_iterable(
            zip(pieces, map(refs.__getitem__, self.targets), strict=False)
        )
        return b"".join((header, *between, pieces[-1], b"\n"))


def shape_of(
    data: bytes, parsed: Parsed, header: re.Match[bytes], obj: RawObject, length: Any
) -> Shape | None:
    """The shape ``parsed`` gives objects like it, or None if its numbers are not plain digits."""
    start = header.start()
    refs: list[tuple[int, int, int, int, int]] = []
    for ref_start, ref_end, _ in parsed.refs:
        m = REFERENCE.match(data, ref_start, ref_end)
        if m is None or m.end() != ref_end:
            return None
        refs.append(
            (
                ref_start - start,
                m.end(1) - start,
                m.start(2) - start,
                m.end(2) - start,
                ref_end - start,
            )
        )
    length_spec = (-1, 0, 0)
    span = parsed.entries.get("/Length")
    if isinstance(length, int) and span is not None:
        if not data[span[0] : span[1]].isdigit():
            return None
        length_spec = (0, span[0] - start, span[1] - start)
    elif isinstance(length, Ref) and span is not None:
        index = next((i for i, r in enumerate(parsed.refs) if r[0] == span[0]), None)
        if index is None:
            return None
        length_spec = (1, index, 0)
    cuts = (parsed.start - start, *(x for r in refs for x in (r[0], r[4])))
    return Shape(
        value_start=parsed.start - start,
        value_end=parsed.end - start,
        refs=tuple(refs),
        keys=obj.keys,
        type_name=obj.type_name,
        parent=obj.parent,
        is_dict=obj.dict_close >= 0,
        is_stream=obj.is_stream,
        length=length_spec,
        numbers=getter([slice(0, header.end(1) - start), *(slice(r[0], r[1]) for r in refs)]),
        generations=getter(
            [
                slice(header.start(2) - start, header.end(2) - start),
                *(slice(r[2], r[3]) for r in refs),
            ]
        ),
        pieces=getter([slice(a, b) for a, b in zip(cuts[0::2], cuts[1::2], strict=False)]),
        last_cut=cuts[-1],
        spans=tuple((k, a - start, b - start) for k, (a, b) in obj.spans.items()),
        kids_plain=obj.kids_plain,
    )
