"""The one letters writer: stored or deflated zips, prepared pages, volumes (CRW-10, CRW-13)."""

from __future__ import annotations

import gc
import io
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import pendulum
import pytest
from pypdf import PdfReader

from cambridge_results.errors import RenderError
from cambridge_results.rendering import LetterData, write_letters
from cambridge_results.rendering.fpdf_letters import FpdfLetterRenderer
from cambridge_results.rendering.letter_output import LetterFiles
from cambridge_results.rendering.pdf_split import (
    FIRST_OBJECT,
    PdfStreamWriter,
    prepare_pages,
    split_batch,
    split_pages,
)

LetterFactory = Callable[..., LetterData]


def _letters(factory: LetterFactory, count: int) -> list[LetterData]:
    return [factory(f"{n:04d}", f"Candidate {n}") for n in range(1, count + 1)]


def _batch(
    renderer: FpdfLetterRenderer, letters: list[LetterData], created: pendulum.DateTime
) -> tuple[bytes, list[bytes]]:
    """A rendered batch of ``letters`` and its single-letter PDFs."""
    pdf = renderer.render(letters, created=created)
    return pdf, list(split_pages(pdf))


def test_the_zips_single_letters_are_deflated_one_page_pdfs(
    renderer: FpdfLetterRenderer,
    letter_factory: LetterFactory,
    created: pendulum.DateTime,
    tmp_path: Path,
) -> None:
    """CRW-10, issue 13: by default every letter in the zip is deflated (it saves space), a
    one-page PDF."""
    write_letters(
        _letters(letter_factory, 4), renderer, created=created, zip_file=tmp_path / "a.zip"
    )
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        infos = archive.infolist()
        assert len(infos) == 4
        for info in infos:
            assert info.compress_type == zipfile.ZIP_DEFLATED
            assert info.compress_size < info.file_size
            assert len(PdfReader(io.BytesIO(archive.read(info))).pages) == 1


def test_stored_asked_stores_every_letter_and_the_same_bytes_come_back(
    renderer: FpdfLetterRenderer,
    letter_factory: LetterFactory,
    created: pendulum.DateTime,
    tmp_path: Path,
) -> None:
    """CRW-10: ``deflate=False`` stores each letter as it is, bytes unchanged."""
    letters = _letters(letter_factory, 3)
    pdf, singles = _batch(renderer, letters, created)
    files = LetterFiles(pdf=None, zip=tmp_path / "d.zip", created=created, deflate=False)
    files.add(pdf, [x.file_name for x in letters], singles)
    files.commit()
    with zipfile.ZipFile(tmp_path / "d.zip") as archive:
        infos = archive.infolist()
        assert [i.compress_type for i in infos] == [zipfile.ZIP_STORED] * 3
        assert all(i.compress_size == i.file_size for i in infos)
        assert [archive.read(i) for i in infos] == singles


def test_a_long_run_is_cut_into_volumes_named_part002_and_no_letter_is_lost(
    renderer: FpdfLetterRenderer,
    letter_factory: LetterFactory,
    created: pendulum.DateTime,
    tmp_path: Path,
) -> None:
    """CRW-10, issue 15: at most ``letters_per_file`` letters a file; the first keeps its name."""
    letters = _letters(letter_factory, 7)
    pdf = renderer.render(letters, created=created)
    files = LetterFiles(
        pdf=tmp_path / "run.pdf", zip=tmp_path / "run.zip", created=created, letters_per_file=3
    )
    for start in range(0, 7, 2):  # batches of two (the last of one)
        batch = letters[start : start + 2]
        files.add(renderer.render(batch, created=created), [x.file_name for x in batch])
    pdfs, zips = files.commit()
    assert [p.name for p in zips] == ["run.zip", "run_part002.zip", "run_part003.zip"]
    # PDF volumes end at a whole batch: 2, 2, then 2 + 1 pages.
    assert [p.name for p in pdfs] == ["run.pdf", "run_part002.pdf", "run_part003.pdf"]
    assert [len(PdfReader(p).pages) for p in pdfs] == [2, 2, 3]
    names = []
    for path in zips:
        with zipfile.ZipFile(path) as archive:
            names.append(archive.namelist())
    assert [len(n) for n in names] == [3, 3, 1]
    assert [n for volume in names for n in volume] == [x.file_name for x in letters]
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 7
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in pdfs + zips)


def test_synced_files_stay_hidden_until_published_and_discard_removes_them(
    renderer: FpdfLetterRenderer,
    letter_factory: LetterFactory,
    created: pendulum.DateTime,
    tmp_path: Path,
) -> None:
    """CRW-13: after sync only ``.part`` files exist; publish renames exactly those."""
    letters = _letters(letter_factory, 2)
    files = LetterFiles(pdf=tmp_path / "r.pdf", zip=tmp_path / "r.zip", created=created)
    files.add(renderer.render(letters, created=created), [x.file_name for x in letters])
    synced = files.sync()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f.temp.name for f in synced)
    assert all(f.temp.name.endswith(".part") for f in synced)
    files.publish()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.pdf", "r.zip"]
    files.discard()
    assert list(tmp_path.iterdir()) == []


def test_a_letter_twice_in_one_zip_volume_is_an_error(
    renderer: FpdfLetterRenderer,
    letter_factory: LetterFactory,
    created: pendulum.DateTime,
    tmp_path: Path,
) -> None:
    """CRW-10: one letter per candidate; across batches the writer still refuses a duplicate."""
    files = LetterFiles(pdf=None, zip=tmp_path / "r.zip", created=created)
    (letter,) = _letters(letter_factory, 1)
    single = renderer.render([letter], created=created)
    files.add(single, [letter.file_name])
    with pytest.raises(RenderError, match="appears twice"):
        files.add(single, [letter.file_name])
    files.discard()
    assert list(tmp_path.iterdir()) == []


def test_the_writers_memory_does_not_grow_with_the_number_of_letters(
    renderer: FpdfLetterRenderer,
    letter_factory: LetterFactory,
    created: pendulum.DateTime,
    tmp_path: Path,
) -> None:
    """Issue 15, CRW-10: 2,000 more letters (four more volumes of 500) hold nothing per letter."""
    pdf, singles = _batch(renderer, _letters(letter_factory, 2), created)

    def held(batches: int, name: str) -> int:
        files = LetterFiles(
            pdf=tmp_path / f"{name}.pdf",
            zip=tmp_path / f"{name}.zip",
            created=created,
            letters_per_file=500,
        )
        tracemalloc.start()
        try:
            for i in range(batches):
                files.add(pdf, [f"a{i:05d}.pdf", f"b{i:05d}.pdf"], singles)
            gc.collect()  # finished volumes' zip and PDF writers are cyclic garbage
            current, _ = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        files.discard()
        return current

    # Both end with 200 letters in their last volumes.
    small, large = held(100, "small"), held(1_100, "large")
    # A name kept per letter would alone cost about 60 bytes each: 120,000 bytes.
    assert large - small < 10 * 2_000, (small, large)


def _written(
    tmp_path: Path,
    name: str,
    batches: list[tuple[bytes, list[str]]],
    created: pendulum.DateTime,
    *,
    prepare: bool,
    room: int | None = None,
) -> list[bytes]:
    """The combined PDF volumes of ``batches`` (3 letters a volume), pages prepared as a
    worker prepares them (``room`` numbers a batch, if given) or read by the writer."""
    files = LetterFiles(pdf=tmp_path / f"{name}.pdf", zip=None, created=created, letters_per_file=3)
    for pdf, names in batches:
        slot = files.reserve(len(names))
        assert slot is not None
        prepared = None
        if prepare:
            _, prepared = split_batch(pdf, slot.first, room or slot.room, with_info=slot.with_info)
            assert (prepared is None) == (room is not None)
        files.add(pdf, names, slot=slot, prepared=prepared)
    pdfs, _ = files.commit()
    return [p.read_bytes() for p in pdfs]


def test_pages_prepared_by_a_worker_make_the_same_combined_pdf_as_the_writer_reading_them(
    renderer: FpdfLetterRenderer,
    letter_factory: LetterFactory,
    created: pendulum.DateTime,
    tmp_path: Path,
) -> None:
    """CRW-10, CRW-13: appending prepared pages gives the PDF byte for byte (two volumes),
    and a batch whose pages did not fit its numbers is read instead, the pages the same."""
    letters = _letters(letter_factory, 5)
    batches = [
        (
            renderer.render(letters[i : i + 2], created=created),
            [x.file_name for x in letters[i : i + 2]],
        )
        for i in range(0, 5, 2)
    ]
    read = _written(tmp_path, "read", batches, created, prepare=False)
    prepared = _written(tmp_path, "prepared", batches, created, prepare=True)
    assert prepared == read
    # Volumes end at a whole batch: 2, then 2 + 1 letters.
    assert [len(PdfReader(io.BytesIO(v)).pages) for v in read] == [2, 3]
    too_small = _written(tmp_path, "small", batches, created, prepare=True, room=3)
    for ours, theirs in zip(too_small, read, strict=True):
        a, b = PdfReader(io.BytesIO(ours)), PdfReader(io.BytesIO(theirs))
        assert [p.extract_text() for p in a.pages] == [p.extract_text() for p in b.pages]
    texts = [p.extract_text() for v in read for p in PdfReader(io.BytesIO(v)).pages]
    assert [t.count("Candidate name") for t in texts] == [1] * 5
    assert [f"Candidate {n}" in t for n, t in enumerate(texts, start=1)] == [True] * 5
    assert (
        PdfReader(io.BytesIO(read[0])).metadata.title
        == "Confidential examination results information"
    )  # type: ignore[union-attr]


def test_prepared_pages_numbered_below_what_the_pdf_holds_are_refused(
    renderer: FpdfLetterRenderer,
    letter_factory: LetterFactory,
    created: pendulum.DateTime,
) -> None:
    """CRW-10: the writer never lets two objects share a number; nothing is written."""
    pdf = renderer.render(_letters(letter_factory, 1), created=created)
    out = io.BytesIO()
    writer = PdfStreamWriter(out)
    writer.add_pdf(pdf)
    before = out.getvalue()
    with pytest.raises(RenderError, match="numbered after"):
        writer.add_prepared(prepare_pages(pdf, FIRST_OBJECT))
    assert out.getvalue() == before
    with pytest.raises(RenderError, match="numbered from"):
        prepare_pages(pdf, 1)
