"""Letters out: one combined PDF and a zip of one PDF per candidate, streamed (CRW-10).

Letters come from an iterator and are rendered in batches: each batch is one
document (fonts subset once), appended to the combined PDF as it is written,
and split into single-letter PDFs that go into the zip straight away.  At
most one batch is in memory.  The files are written by
:class:`~cambridge_results.rendering.letter_output.LetterFiles` (the one
letters writer, shared with bulk generation) under temporary names beside
their targets and renamed only when everything succeeded, so an error (a
name no font can draw, a full disk) leaves no output at all.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import attrs
import pendulum

from cambridge_results.errors import RenderError
from cambridge_results.rendering.letter_output import LetterFiles
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
    #: The first (usually the only) combined PDF and zip.
    combined_pdf: Path | None
    zip_file: Path | None
    #: Every PDF and zip written: more than one of each past 10,000 letters.
    combined_pdfs: tuple[Path, ...] = ()
    zip_files: tuple[Path, ...] = ()


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
    run is reproducible.  More than
    :data:`~cambridge_results.rendering.letter_output.LETTERS_PER_FILE`
    letters continue in ``NAME_part002.pdf`` / ``.zip``, ...
    (:class:`~cambridge_results.rendering.letter_output.LetterFiles`).
    ``progress`` is called after each batch.  On any error nothing is left
    at either path and the error is raised.
    """
    if combined_pdf is None and zip_file is None:
        raise RenderError("ask for a combined PDF, a zip file or both")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise RenderError("batch_size must be a positive whole number")
    files = LetterFiles(
        pdf=Path(combined_pdf) if combined_pdf is not None else None,
        zip=Path(zip_file) if zip_file is not None else None,
        created=created,
        private=False,
    )
    ids: list[str] = []
    try:
        for batches, batch in enumerate(_batches(letters, batch_size), start=1):
            pdf = renderer.render(batch, created=created)
            files.add(pdf, [letter.file_name for letter in batch])
            ids.extend(letter.letter_id for letter in batch)
            if progress is not None:
                progress(Progress(done=len(ids), total=total, batches=batches))
        pdfs, zips = files.commit()
    except BaseException:
        files.discard()
        raise
    return LettersWritten(
        count=len(ids),
        letter_ids=tuple(ids),
        combined_pdf=pdfs[0] if pdfs else None,
        zip_file=zips[0] if zips else None,
        combined_pdfs=pdfs,
        zip_files=zips,
    )
