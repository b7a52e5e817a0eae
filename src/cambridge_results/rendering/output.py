"""Letters out: one combined PDF and a zip of one PDF per candidate, streamed (CRW-10).

Letters come from an iterator and are rendered in batches: each batch is one
document (fonts subset once), appended to the combined PDF as it is written,
and split into single-letter PDFs that go into the zip straight away.  At
most one batch is in memory.  Both files are written under temporary names
beside their targets and renamed only when everything succeeded, so an
error (a name no font can draw, a full disk) leaves no output at all.
"""

from __future__ import annotations

import contextlib
import os
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import attrs
import pendulum

from cambridge_results.errors import RenderError
from cambridge_results.files import AtomicFile
from cambridge_results.rendering.pdf_split import PdfStreamWriter, split_pages
from cambridge_results.rendering.protocol import LetterData, LetterRenderer

__all__ = ["DEFAULT_BATCH_SIZE", "LettersWritten", "Progress", "write_letters"]

#: Letters per rendered document: big enough to share fonts, small enough to stay flat.
DEFAULT_BATCH_SIZE = 100


@attrs.frozen(kw_only=True)
class Progress:
    """How far a letter run has got: reported after every batch (CRW-10)."""

    done: int
    #: ``None`` when the caller did not say how many letters to expect.
    total: int | None
    batches: int


@attrs.frozen(kw_only=True)
class LettersWritten:
    """What a finished run wrote, in the order written."""

    count: int
    letter_ids: tuple[str, ...]
    combined_pdf: Path | None
    zip_file: Path | None


def _batches(letters: Iterable[LetterData], size: int) -> Iterator[list[LetterData]]:
    batch: list[LetterData] = []
    for letter in letters:
        if not isinstance(letter, LetterData):
            raise RenderError(f"expected LetterData, got {type(letter).__name__}")
        batch.append(letter)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def write_letters(
    letters: Iterable[LetterData],
    renderer: LetterRenderer,
    *,
    created: pendulum.DateTime,
    combined_pdf: str | os.PathLike[str] | None = None,
    zip_file: str | os.PathLike[str] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    total: int | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> LettersWritten:
    """Render ``letters`` to a combined PDF and/or a zip of one PDF per letter (CRW-10).

    Zip entries are named from internal identifiers (``GB123_2026-06_0713.pdf``),
    never from names people typed, and carry ``created`` as their date so a
    run is reproducible.  ``progress`` is called after each batch.  On any
    error nothing is left at either path and the error is raised.
    """
    if combined_pdf is None and zip_file is None:
        raise RenderError("ask for a combined PDF, a zip file or both")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise RenderError("batch_size must be a positive whole number")
    pending: list[AtomicFile] = []
    try:
        combined = AtomicFile(combined_pdf, private=False) if combined_pdf is not None else None
        if combined is not None:
            pending.append(combined)
        archive_file = AtomicFile(zip_file, private=False) if zip_file is not None else None
        if archive_file is not None:
            pending.append(archive_file)
        ids = _write(
            letters,
            renderer,
            created=created,
            combined=combined,
            archive_file=archive_file,
            batch_size=batch_size,
            total=total,
            progress=progress,
        )
    except BaseException:
        for p in pending:
            p.discard()
        raise
    for p in pending:
        p.commit()
    return LettersWritten(
        count=len(ids),
        letter_ids=ids,
        combined_pdf=Path(combined_pdf) if combined_pdf is not None else None,
        zip_file=Path(zip_file) if zip_file is not None else None,
    )


def _write(
    letters: Iterable[LetterData],
    renderer: LetterRenderer,
    *,
    created: pendulum.DateTime,
    combined: AtomicFile | None,
    archive_file: AtomicFile | None,
    batch_size: int,
    total: int | None,
    progress: Callable[[Progress], None] | None,
) -> tuple[str, ...]:
    writer = PdfStreamWriter(combined.file) if combined is not None else None
    archive = (
        zipfile.ZipFile(archive_file.file, "w", zipfile.ZIP_STORED)
        if archive_file is not None
        else None
    )
    stamp = created.in_timezone("UTC")
    date_time = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    try:
        ids = _batches_out(
            letters, renderer, created, writer, archive, date_time, batch_size, total, progress
        )
    except BaseException:
        if archive is not None:
            # Close the zip so it does not try to finish itself later; the
            # temporary file is deleted by the caller anyway.
            with contextlib.suppress(Exception):
                archive.close()
        raise
    if writer is not None:
        writer.close()
    if archive is not None:
        archive.close()
    return tuple(ids)


def _batches_out(
    letters: Iterable[LetterData],
    renderer: LetterRenderer,
    created: pendulum.DateTime,
    writer: PdfStreamWriter | None,
    archive: zipfile.ZipFile | None,
    date_time: tuple[int, int, int, int, int, int],
    batch_size: int,
    total: int | None,
    progress: Callable[[Progress], None] | None,
) -> tuple[str, ...]:
    ids: list[str] = []
    seen: set[str] = set()
    for batches, batch in enumerate(_batches(letters, batch_size), start=1):
        for letter in batch:
            if letter.letter_id in seen:
                raise RenderError(f"letter {letter.letter_id} appears twice")
            seen.add(letter.letter_id)
        pdf = renderer.render(batch, created=created)
        if writer is not None:
            writer.add_pdf(pdf)
        if archive is not None:
            singles = split_pages(pdf)
            for letter in batch:
                single = next(singles, None)
                if single is None:
                    raise RenderError(f"renderer {renderer.name} gave fewer pages than letters")
                info = zipfile.ZipInfo(letter.file_name, date_time=date_time)
                info.external_attr = 0o644 << 16
                archive.writestr(info, single, compress_type=zipfile.ZIP_STORED)
            if next(singles, None) is not None:
                raise RenderError(f"renderer {renderer.name} gave more pages than letters")
        ids.extend(letter.letter_id for letter in batch)
        if progress is not None:
            progress(Progress(done=len(ids), total=total, batches=batches))
    if not ids:
        raise RenderError("there are no letters to write")
    if writer is not None and writer.page_count != len(ids):
        raise RenderError(f"renderer {renderer.name} gave a page count unlike the letters'")
    return tuple(ids)
