"""Zip entries deflated where they are made, and the small writer that stores them (CRW-10).

A single letter is about 20 KB, three quarters of it font programs and page
contents that are Flate-compressed inside the PDF already; all that deflating
it for the zip saves is in its uncompressed dictionaries, cross-reference
table and trailer.  Deflating the whole letter in the process that writes the
zip cost about 0.25 ms of CPU a letter (issue 13 asks for the saving;
docs/performance.md).  The letters of one batch begin with the same bytes
(the header and the shared objects: document information and fonts, some
18 KB of a letter), so a letter is deflated here in two parts:

* its *head*, once per batch (:class:`HeadDeflater`), ending in a sync flush
  (a byte-aligned, non-final block);
* its *tail* (the page's own objects, the cross-reference table, the
  trailer: 2 to 5 KB), per letter, as a raw deflate stream of its own.

One raw deflate stream followed by another after a sync flush is a valid
deflate stream (RFC 1951: blocks follow each other; the tail refers to
nothing before it), so the entry reads back as the letter, byte for byte;
its CRC is the head's carried on over the tail.  The bytes are about the
same as deflating the letter whole.

:class:`ZipWriter` writes such entries (or stored ones) to a file as they
come: a local header and the data, then the central directory at
:meth:`ZipWriter.close` (APPNOTE 6.3.10).  It writes no zip64 records: a
zip holds at most :data:`MAX_ENTRIES` entries within :data:`MAX_BYTES`
(:meth:`ZipWriter.fits`), and the letters writer starts another volume
before either is reached.  :mod:`zipfile` cannot take data already deflated,
hence this.
"""

from __future__ import annotations

import struct
import zlib
from typing import IO

import attrs

from cambridge_results.errors import RenderError

__all__ = [
    "MAX_BYTES",
    "MAX_ENTRIES",
    "ZIP_LEVEL",
    "Deflated",
    "HeadDeflater",
    "ZipWriter",
    "deflate",
    "entry",
    "written_size",
]

#: The deflate level of letters in a zip: cheap, and most of the saving.
ZIP_LEVEL = 1

_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
#: The most entries, and bytes, a zip without zip64 records holds.
MAX_ENTRIES, MAX_BYTES = 0xFFFF, 0xFFFFFFFF
_STORED, _DEFLATED = 0, 8
_UNIX = 3  # "made by" system, as zipfile writes it: the external attributes are a mode
_VERSION = 20


@attrs.frozen
class Deflated:
    """A file's bytes as a zip entry's raw deflate data, with its CRC-32 and size."""

    data: bytes = attrs.field(repr=False)
    crc: int
    size: int


#: The window the tails are deflated with: 8 KB, about a tail's size.  Setting up
#: zlib's full 32 KB window cost more than deflating a 5 KB tail (100 against 60
#: microseconds); an inflater reads a stream made with any window up to its own.
_TAIL_WINDOW = 13


def _raw(level: int, window: int = 15) -> zlib._Compress:
    return zlib.compressobj(level, zlib.DEFLATED, -window)


def deflate(data: bytes) -> Deflated:
    """``data`` deflated whole at :data:`ZIP_LEVEL`."""
    packer = _raw(ZIP_LEVEL)
    return Deflated(packer.compress(data) + packer.flush(), zlib.crc32(data), len(data))


def entry(data: bytes | Deflated, *, deflated: bool) -> bytes | Deflated:
    """``data`` as a zip entry: deflated (:func:`deflate` unless it is already) or stored."""
    if deflated:
        return data if isinstance(data, Deflated) else deflate(data)
    return zlib.decompress(data.data, -15) if isinstance(data, Deflated) else data


def written_size(entry: bytes | Deflated) -> int:
    """The bytes an entry takes in the zip, before its headers."""
    return len(entry.data) if isinstance(entry, Deflated) else len(entry)


class HeadDeflater:
    """Deflate files that begin with one of a few shared heads: each head once.

    ``deflate(head, tail)`` is :func:`deflate` of ``head + tail`` in bytes
    read back; the head's deflated bytes and CRC are kept (by identity of
    the ``head`` object: pass the same bytes object for a shared head).
    """

    def __init__(self) -> None:
        self._heads: dict[int, tuple[bytes, bytes, int]] = {}

    def deflate(self, head: bytes, tail: bytes) -> Deflated:
        """``head + tail`` deflated: the head's deflated part reused, the tail's new."""
        known = self._heads.get(id(head))
        if known is None or known[0] is not head:
            packer = _raw(ZIP_LEVEL)
            known = (
                head,
                packer.compress(head) + packer.flush(zlib.Z_SYNC_FLUSH),
                zlib.crc32(head),
            )
            self._heads[id(head)] = known
        _, packed, crc = known
        packer = _raw(ZIP_LEVEL, _TAIL_WINDOW)
        data = b"".join((packed, packer.compress(tail), packer.flush()))
        return Deflated(data, zlib.crc32(tail, crc), len(head) + len(tail))


def _dos_time(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    if not 1980 <= year <= 2107:
        raise RenderError("a zip entry's date must be between 1980 and 2107")
    return hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day


class ZipWriter:
    """Write a zip to ``out`` entry by entry; :meth:`close` writes its central directory.

    Every entry has ``date_time`` and mode ``0644``.  Only what the central
    directory needs is kept per entry (about 80 bytes).
    """

    def __init__(self, out: IO[bytes], *, date_time: tuple[int, int, int, int, int, int]) -> None:
        self._out = out
        self._time, self._date = _dos_time(date_time)
        self._position = 0
        self._central: list[bytes] = []
        self._central_size = 0
        self._closed = False

    @property
    def count(self) -> int:
        """How many entries were written."""
        return len(self._central)

    def fits(self, name: str, size: int) -> bool:
        """Whether an entry ``name`` of ``size`` bytes (as written) still fits: a zip without
        zip64 records holds :data:`MAX_ENTRIES` entries, all within :data:`MAX_BYTES`."""
        end = self._position + size + self._central_size + _END.size
        return (
            self.count < MAX_ENTRIES
            and end + _LOCAL.size + _CENTRAL.size + 2 * len(name) < MAX_BYTES
        )

    def add(self, name: str, entry: bytes | Deflated) -> None:
        """Append ``name``: a :class:`Deflated` entry as deflated, ``bytes`` as stored
        (:func:`entry` makes either); :class:`RenderError` if it does not :meth:`fit <fits>`."""
        if self._closed:
            raise RenderError("the zip is already closed")
        if isinstance(entry, Deflated):
            method, payload, crc, size = _DEFLATED, entry.data, entry.crc, entry.size
        else:
            method, payload, crc, size = _STORED, entry, zlib.crc32(entry), len(entry)
        encoded = name.encode("ascii")  # letter file names are ASCII (check_file_name)
        if not self.fits(name, len(payload)) or size >= MAX_BYTES:
            raise RenderError(f"zip entry {name} does not fit in this zip; start another")
        offset = self._position
        # What the local header and the central directory record both say of the entry.
        common = (0, method, self._time, self._date, crc, len(payload), size, len(encoded))
        self._write(_LOCAL.pack(b"PK\x03\x04", _VERSION, 0, *common, 0) + encoded)
        self._write(payload)
        self._central.append(
            _CENTRAL.pack(
                b"PK\x01\x02",
                _VERSION,
                _UNIX,
                _VERSION,
                0,
                *common,
                0,
                0,
                0,
                0,
                0o644 << 16,
                offset,
            )
            + encoded
        )
        self._central_size += _CENTRAL.size + len(encoded)

    def _write(self, data: bytes) -> None:
        self._out.write(data)
        self._position += len(data)

    def close(self) -> None:
        """Write the central directory and its end record."""
        if self._closed:
            return
        self._closed = True
        start = self._position
        for record in self._central:
            self._write(record)
        size = self._position - start
        count = len(self._central)
        self._central.clear()
        self._write(_END.pack(b"PK\x05\x06", 0, 0, count, count, size, start, 0))
