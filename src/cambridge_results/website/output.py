"""Where a generation run's letters go: combined PDF volume(s) and a zip, made durable (CRW-10).

Rendered batches are appended as they arrive: pages to the combined PDF
(:class:`~cambridge_results.rendering.pdf_split.PdfStreamWriter` keeps only
byte offsets) and one PDF per letter to the zip (split from the batch with
:func:`~cambridge_results.rendering.pdf_split.split_pages`, so fonts are not
subset again).  Only the current batch is ever in memory.

Everything is written under hidden temporary names (``.NAME.<random>.part``)
beside the targets.  :meth:`LetterFiles.commit` flushes and ``fsync``\\ s each
file, renames it into place and ``fsync``\\ s the directory, so once it
returns the letters survive a crash or power cut; only then may the run mark
their credentials printed (CRW-13).  :meth:`LetterFiles.discard` deletes the
temporary files.  A run killed outright leaves its ``.part`` files behind:
the passwords in them never became valid (their credentials stayed
unprinted), so they are safe to delete.
"""

from __future__ import annotations

import contextlib
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pendulum

from cambridge_results.errors import RenderError
from cambridge_results.files import AtomicFile, fsync_directory
from cambridge_results.rendering.pdf_split import PdfStreamWriter, split_pages

__all__ = ["LetterFiles"]


class LetterFiles:
    """The combined PDF (in volumes of whole batches, if asked) and the zip of one run.

    ``stem`` names the files: ``STEM.pdf`` (or ``STEM_vol001.pdf``, ...) and
    ``STEM.zip``.  ``letters_per_volume`` ``None`` writes one combined PDF;
    otherwise a volume holds whole batches and at most that many letters
    (or a single batch, if one batch is larger).
    """

    def __init__(
        self,
        out_dir: Path,
        stem: str,
        *,
        created: pendulum.DateTime,
        letters_per_volume: int | None = None,
    ) -> None:
        self.out_dir = out_dir
        self.stem = stem
        self.letters_per_volume = letters_per_volume
        stamp = created.in_timezone("UTC")
        self._date_time = (
            stamp.year,
            stamp.month,
            stamp.day,
            stamp.hour,
            stamp.minute,
            stamp.second,
        )
        self._volumes: list[tuple[AtomicFile, PdfStreamWriter]] = []
        self._zip_temp = AtomicFile(out_dir / f"{stem}.zip")
        self._zip = zipfile.ZipFile(self._zip_temp.file, "w", zipfile.ZIP_STORED)
        self._names: set[str] = set()
        self._committed: list[Path] = []
        self.count = 0

    def _volume(self, adding: int) -> PdfStreamWriter:
        if self._volumes:
            writer = self._volumes[-1][1]
            limit = self.letters_per_volume
            if limit is None or writer.page_count == 0 or writer.page_count + adding <= limit:
                return writer
            writer.close()
        if self.letters_per_volume is None:
            name = f"{self.stem}.pdf"
        else:
            name = f"{self.stem}_vol{len(self._volumes) + 1:03d}.pdf"
        temp = AtomicFile(self.out_dir / name)
        writer = PdfStreamWriter(temp.file)
        self._volumes.append((temp, writer))
        return writer

    def add(
        self, pdf: bytes, file_names: Sequence[str], singles: Sequence[bytes] | None = None
    ) -> None:
        """Append a rendered batch whose pages are the letters named ``file_names``, in order.

        ``singles`` are the batch's pages as one-page PDFs, if already split
        (:func:`~cambridge_results.rendering.pdf_split.split_pages`).
        """
        if singles is not None and len(singles) != len(file_names):
            raise RenderError("a batch needs one single-letter PDF per letter")
        for name in file_names:
            if name in self._names:
                raise RenderError(f"letter {name} appears twice in one run")
        writer = self._volume(len(file_names))
        before = writer.page_count
        writer.add_pdf(pdf)
        if writer.page_count - before != len(file_names):
            raise RenderError("the renderer gave a page count unlike the letters'")
        pages = iter(singles) if singles is not None else split_pages(pdf)
        for name in file_names:
            info = zipfile.ZipInfo(name, date_time=self._date_time)
            info.external_attr = 0o644 << 16
            self._zip.writestr(info, next(pages), compress_type=zipfile.ZIP_STORED)
            self._names.add(name)
        self.count += len(file_names)

    def commit(self) -> tuple[tuple[Path, ...], Path]:
        """Finish, ``fsync`` and rename every file into place; return the PDF volumes and zip."""
        if self.count == 0:
            raise RenderError("there are no letters to write")
        for _, writer in self._volumes:
            writer.close()
        self._zip.close()
        temps = [t for t, _ in self._volumes] + [self._zip_temp]
        for temp in temps:
            temp.sync()
        for temp in temps:
            temp.publish()
            self._committed.append(temp.target)
        fsync_directory(self.out_dir)
        return tuple(t.target for t, _ in self._volumes), self._zip_temp.target

    def discard(self) -> None:
        """Delete every file of the run, temporary or already renamed."""
        with contextlib.suppress(Exception):
            self._zip.close()
        for temp in [t for t, _ in self._volumes] + [self._zip_temp]:
            temp.discard()
        for path in self._committed:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
