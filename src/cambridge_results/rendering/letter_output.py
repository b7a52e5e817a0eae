"""The one letters writer: combined PDF volumes and zips, streamed and made durable (CRW-10).

Rendered batches are appended as they arrive: pages to the combined PDF
(:class:`~cambridge_results.rendering.pdf_split.PdfStreamWriter`) and one PDF
per letter to the zip (split from the batch with
:func:`~cambridge_results.rendering.pdf_split.split_pages` unless the caller
split it already, so fonts are not subset again).  Only the current batch is
in memory.

**Nothing per letter is kept for the whole run** (issue 15): a PDF writer
keeps an offset per object and the zip a directory entry per letter
until the file is closed, so both files are cut into volumes of at most
:data:`LETTERS_PER_FILE` letters, and the check that no letter appears twice
holds per zip volume.  A run of up to that many letters gets one PDF and one
zip, named as asked; a longer run continues in ``STEM_part002.pdf``,
``STEM_part003.pdf``, ... and ``STEM_part002.zip``, ... (PDF volumes end at a
whole batch, zip volumes at exactly :data:`LETTERS_PER_FILE` letters, or
earlier if a zip would pass 65,535 letters or 4 GiB, which a zip without
zip64 records cannot hold: :class:`~.zip_entries.ZipWriter`).  When
the caller asks for PDF volumes (``letters_per_volume``) they are named
``STEM_vol001.pdf``, ``STEM_vol002.pdf``, ... as before.

**Deflated, or stored on request.**  The letters in the zip are deflated
at level :data:`ZIP_LEVEL` by default: although their font programs and page
contents are Flate-compressed inside the PDF already, deflating them saves
about 13 % (18.3 against 21.0 KB a letter), which issue 13 asks for.  A
worker deflates them as it splits the batch, the bytes the batch's letters
share once (:func:`~cambridge_results.rendering.pdf_split.split_for_zip`,
:mod:`~cambridge_results.rendering.zip_entries`), so this process only
appends them: deflating every letter whole here cost about 0.25 ms of CPU a
letter.  Singles given as plain bytes are deflated here, and a batch given
without its singles is split and deflated here the same way.  ``deflate=False``
stores them, for a caller who would rather have that CPU than those bytes; a
stored letter is still smaller than the same letter rendered alone
(docs/performance.md).  The combined PDF is not zipped.

**Batches planned ahead.**  :meth:`LetterFiles.reserve` gives each batch,
in order, its volume and a range of object numbers in the combined PDF, so
a worker can write the batch's objects for that range
(:func:`~cambridge_results.rendering.pdf_split.split_batch`) and
:meth:`LetterFiles.add` only appends them.

Everything is written under hidden temporary names (``.NAME.<random>.part``,
:class:`~cambridge_results.files.AtomicFile`).  The steps are separate, for
bulk generation's publication protocol (CRW-13, docs/website.md):
:meth:`LetterFiles.sync` finishes and ``fsync``\\ s every file,
:attr:`LetterFiles.files` names them (final and temporary),
:meth:`LetterFiles.publish` renames them into place and ``fsync``\\ s the
directories; :meth:`LetterFiles.commit` does both, and
:meth:`LetterFiles.discard` deletes what the run wrote.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import attrs
import pendulum

from cambridge_results.errors import RenderError
from cambridge_results.files import AtomicFile, fsync_directory, rename_into_place
from cambridge_results.rendering.pdf_split import (
    FIRST_OBJECT,
    PdfStreamWriter,
    PreparedPages,
    split_for_zip,
    split_pages,
)
from cambridge_results.rendering.zip_entries import (
    ZIP_LEVEL,
    Deflated,
    ZipWriter,
    entry,
    written_size,
)

__all__ = [
    "LETTERS_PER_FILE",
    "NUMBERS_PER_BATCH",
    "NUMBERS_PER_PAGE",
    "ZIP_LEVEL",
    "LetterFile",
    "LetterFiles",
    "PdfSlot",
]

#: At most this many letters in one PDF or zip file, so memory stays flat (issue 15).
LETTERS_PER_FILE = 10_000
#: Object numbers a batch may take in its combined PDF volume, a page and a batch.  The
#: default renderer's letters take 3 a page (page, contents, resources) and about 25 a
#: batch (fonts, document information); a batch that needs more is read again by the
#: writer instead of appended as prepared.  A number no object took is a free entry of
#: the cross-reference table (20 bytes).
NUMBERS_PER_PAGE = 4
NUMBERS_PER_BATCH = 64


@attrs.frozen
class PdfSlot:
    """Where a batch goes in the combined PDF (:meth:`LetterFiles.reserve`): its volume
    (1, 2, ...), the object numbers it may take (``room`` of them from ``first``) and
    whether it carries the document information (the first batch of a volume does)."""

    volume: int
    first: int
    room: int
    with_info: bool


@attrs.frozen
class LetterFile:
    """One file of a run: where it is being written and where it goes."""

    final: Path
    temp: Path


def _volume_name(target: Path, number: int, style: str) -> Path:
    if style == "vol":
        return target.with_name(f"{target.stem}_vol{number:03d}{target.suffix}")
    if number == 1:
        return target
    return target.with_name(f"{target.stem}_part{number:03d}{target.suffix}")


class _Zip:
    """One zip volume: its file, its archive and the names in it (at most a volume's worth)."""

    def __init__(
        self, target: Path, *, private: bool, date_time: tuple[int, int, int, int, int, int]
    ) -> None:
        self.out = AtomicFile(target, private=private)
        self.archive = ZipWriter(self.out.file, date_time=date_time)
        self.names: set[str] = set()

    def close(self) -> None:
        self.archive.close()
        self.names.clear()


class LetterFiles:
    """The combined PDF (in volumes) and the zip (in volumes) of one run of letters.

    ``pdf`` and ``zip`` are the targets (either may be ``None``, not both).
    ``letters_per_volume`` cuts the PDF into volumes of whole batches
    named ``STEM_vol001.pdf``, ...; every file holds at most
    ``letters_per_file`` letters (see the module for the names).
    ``private`` files are ``0600`` (letters carry passwords).  ``deflate``
    (the default) deflates the letters in the zip at :data:`ZIP_LEVEL`;
    ``deflate=False`` stores them (see the module).
    """

    def __init__(
        self,
        *,
        pdf: Path | None,
        zip: Path | None,
        created: pendulum.DateTime,
        letters_per_volume: int | None = None,
        letters_per_file: int = LETTERS_PER_FILE,
        private: bool = True,
        deflate: bool = True,
    ) -> None:
        if pdf is None and zip is None:
            raise RenderError("ask for a combined PDF, a zip file or both")
        self._pdf_target = pdf
        self._zip_target = zip
        self._per_volume = letters_per_volume
        self._per_file = letters_per_file
        self._private = private
        self._deflate = deflate
        # The combined PDF as planned by reserve: volume, its pages and next free number.
        self._plan_volume = 0
        self._plan_pages = 0
        self._plan_next = FIRST_OBJECT
        stamp = created.in_timezone("UTC")
        self._date_time = (
            stamp.year,
            stamp.month,
            stamp.day,
            stamp.hour,
            stamp.minute,
            stamp.second,
        )
        # Every file in the order opened: open ones as AtomicFile, finished ones by name
        # only (a closed file object still holds its buffer).
        self._outs: list[AtomicFile | LetterFile] = []
        self._pdf: PdfStreamWriter | None = None
        self._zip: _Zip | None = None
        self._pdf_count = 0
        self._pdf_index = 0
        self._pdf_out: AtomicFile | None = None
        self._zip_count = 0
        self._published = False
        self.count = 0

    @property
    def files(self) -> tuple[LetterFile, ...]:
        """Every file of the run so far, PDFs then zips in the order opened."""
        return tuple(
            out if isinstance(out, LetterFile) else LetterFile(out.target, out.temp)
            for out in self._outs
        )

    def _finish(self, index: int, out: AtomicFile) -> None:
        """A volume is complete: make it durable, close it, keep only its names."""
        out.sync()
        self._outs[index] = LetterFile(out.target, out.temp)

    @property
    def pdfs(self) -> tuple[Path, ...]:
        """The final names of the PDF volumes."""
        return tuple(f.final for f in self.files if f.final.suffix == ".pdf")

    @property
    def zips(self) -> tuple[Path, ...]:
        """The final names of the zip volumes."""
        return tuple(f.final for f in self.files if f.final.suffix == ".zip")

    def reserve(self, letters: int) -> PdfSlot | None:
        """Plan the next batch of ``letters`` in the combined PDF (``None`` without one).

        Batches must then be added in the order they were reserved; a
        worker can prepare a batch's pages for its slot
        (:func:`~cambridge_results.rendering.pdf_split.split_batch`) so that
        :meth:`add` only appends them.
        """
        if self._pdf_target is None:
            return None
        limit = min(self._per_volume or self._per_file, self._per_file)
        if not self._plan_volume or (self._plan_pages and self._plan_pages + letters > limit):
            self._plan_volume += 1
            self._plan_pages = 0
            self._plan_next = FIRST_OBJECT
        room = letters * NUMBERS_PER_PAGE + NUMBERS_PER_BATCH
        slot = PdfSlot(self._plan_volume, self._plan_next, room, not self._plan_pages)
        self._plan_pages += letters
        self._plan_next += room
        return slot

    def _pdf_writer(self, slot: PdfSlot) -> PdfStreamWriter:
        writer = self._pdf
        if writer is not None and self._pdf_count == slot.volume:
            return writer
        if slot.volume != self._pdf_count + 1:
            raise RenderError("batches must be added in the order they were reserved")
        if writer is not None:
            writer.close()
            assert self._pdf_out is not None
            self._finish(self._pdf_index, self._pdf_out)
        assert self._pdf_target is not None
        self._pdf_count += 1
        style = "vol" if self._per_volume is not None else "part"
        out = AtomicFile(
            _volume_name(self._pdf_target, self._pdf_count, style), private=self._private
        )
        self._pdf_index = len(self._outs)
        self._pdf_out = out
        self._outs.append(out)
        self._pdf = PdfStreamWriter(out.file)
        return self._pdf

    def _zip_for(self, name: str, size: int) -> _Zip:
        """The zip volume to take the next letter, ``name`` of ``size`` bytes as written."""
        assert self._zip_target is not None
        current = self._zip
        if (
            current is not None
            and len(current.names) < self._per_file
            and current.archive.fits(name, size)
        ):
            return current
        if current is not None:
            current.close()
            self._finish(self._outs.index(current.out), current.out)
        self._zip_count += 1
        target = _volume_name(self._zip_target, self._zip_count, "part")
        self._zip = _Zip(target, private=self._private, date_time=self._date_time)
        self._outs.append(self._zip.out)
        return self._zip

    def add(
        self,
        pdf: bytes,
        file_names: Sequence[str],
        singles: Sequence[bytes | Deflated] | None = None,
        *,
        slot: PdfSlot | None = None,
        prepared: PreparedPages | None = None,
    ) -> None:
        """Append a rendered batch whose pages are the letters named ``file_names``, in order.

        ``singles`` are the batch's pages as one-page PDFs, if already split
        (:func:`~cambridge_results.rendering.pdf_split.split_pages`), or
        those PDFs deflated for the zip
        (:func:`~cambridge_results.rendering.pdf_split.split_for_zip`).
        ``slot`` is the batch's :meth:`reserve` (reserved here if not given);
        ``prepared`` its pages prepared for that slot, appended as they are if
        they still fit the PDF, else ``pdf`` is read again.
        """
        if singles is not None and len(singles) != len(file_names):
            raise RenderError("a batch needs one single-letter PDF per letter")
        if len(set(file_names)) != len(file_names):
            raise RenderError("a letter appears twice in one batch")
        if slot is None:
            slot = self.reserve(len(file_names))
        if slot is not None:
            writer = self._pdf_writer(slot)
            before = writer.page_count
            if prepared is not None and prepared.first >= writer.next_number:
                writer.add_prepared(prepared)
            else:
                writer.add_pdf(pdf, slot.first)
            if writer.page_count - before != len(file_names):
                raise RenderError("the renderer gave a page count unlike the letters'")
        if self._zip_target is not None:
            self._add_to_zip(pdf, file_names, singles)
        self.count += len(file_names)

    def _add_to_zip(
        self, pdf: bytes, file_names: Sequence[str], singles: Sequence[bytes | Deflated] | None
    ) -> None:
        pages: Iterator[bytes | Deflated]
        if singles is not None:
            pages = iter(singles)
        elif self._deflate:  # the bytes the singles share deflated once
            pages = iter(split_for_zip(pdf)[0])
        else:
            pages = split_pages(pdf)
        for name in file_names:
            page = next(pages, None)
            if page is None:
                raise RenderError("the renderer gave fewer pages than letters")
            letter = entry(page, deflated=self._deflate)
            volume = self._zip_for(name, written_size(letter))
            if name in volume.names:
                raise RenderError(f"letter {name} appears twice in one run")
            volume.archive.add(name, letter)
            volume.names.add(name)
        if next(pages, None) is not None:
            raise RenderError("the renderer gave more pages than letters")

    def sync(self) -> tuple[LetterFile, ...]:
        """Finish every file and ``fsync`` it under its temporary name; return them all."""
        if self.count == 0:
            raise RenderError("there are no letters to write")
        if self._pdf is not None:
            self._pdf.close()
        if self._zip is not None:
            self._zip.close()
        for index, out in enumerate(self._outs):
            if isinstance(out, AtomicFile):
                self._finish(index, out)
        self._pdf = self._zip = self._pdf_out = None
        return self.files

    def publish(self) -> tuple[tuple[Path, ...], tuple[Path, ...]]:
        """Rename every synced file into place and ``fsync`` the directories: (PDFs, zips)."""
        files = self.sync() if any(isinstance(o, AtomicFile) for o in self._outs) else self.files
        self._published = True
        for f in files:
            rename_into_place(f.temp, f.final)
        for directory in {f.final.parent for f in files}:
            fsync_directory(directory)
        return self.pdfs, self.zips

    def commit(self) -> tuple[tuple[Path, ...], tuple[Path, ...]]:
        """:meth:`sync` (which refuses a run of no letters) then :meth:`publish`: every
        file in place, durably."""
        self.sync()
        return self.publish()

    def discard(self) -> None:
        """Delete every file of the run, temporary or already renamed."""
        if self._zip is not None:
            with contextlib.suppress(Exception):
                self._zip.archive.close()
        for out in self._outs:
            if isinstance(out, AtomicFile):
                out.discard()
                continue
            paths = (out.temp, out.final) if self._published else (out.temp,)
            for path in paths:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
