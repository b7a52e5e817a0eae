"""Zip entries deflated in the worker and the writer that appends them (CRW-10, issue 13)."""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cambridge_results.errors import RenderError
from cambridge_results.rendering import LetterData
from cambridge_results.rendering.fpdf_letters import FpdfLetterRenderer
from cambridge_results.rendering.letter_output import LetterFiles
from cambridge_results.rendering.pdf_split import split_batch, split_for_zip, split_pages
from cambridge_results.rendering.zip_entries import (
    MAX_ENTRIES,
    ZIP_LEVEL,
    Deflated,
    HeadDeflater,
    ZipWriter,
    deflate,
)

STAMP = (2026, 3, 23, 9, 30, 12)
# Text that deflates well and bytes that do not, as a letter's dictionaries and streams.
PARTS = st.one_of(
    st.binary(max_size=20_000),
    st.text(alphabet="/<> 0123456789obj", max_size=3000).map(str.encode),
)


@settings(max_examples=60, deadline=None)
@given(head=PARTS, tails=st.lists(PARTS, min_size=1, max_size=4))
def test_a_letter_deflated_as_a_shared_head_and_its_own_tail_reads_back_whole(
    head: bytes, tails: list[bytes]
) -> None:
    """Issue 13: head and tail deflated apart are one deflate stream of the whole file, with
    its CRC and size, for every tail after the same head."""
    packer = HeadDeflater()
    for tail in tails:
        made = packer.deflate(head, tail)
        assert zlib.decompress(made.data, -15) == head + tail
        assert made.crc == zlib.crc32(head + tail)
        assert made.size == len(head) + len(tail)


def test_letters_after_one_head_carry_the_same_deflated_head() -> None:
    """Issue 13: the shared head is deflated once; every letter begins with those bytes."""
    head = b"%PDF-1.7\n" + b"<</Type /Font /Subtype /Type0>>\n" * 200
    sync = zlib.compressobj(ZIP_LEVEL, zlib.DEFLATED, -15)
    deflated_head = sync.compress(head) + sync.flush(zlib.Z_SYNC_FLUSH)
    packer = HeadDeflater()
    first, second = packer.deflate(head, b"1 0 obj tail"), packer.deflate(head, b"2 0 obj")
    assert first.data.startswith(deflated_head)
    assert second.data.startswith(deflated_head)
    assert len(first.data) < len(head) // 10


def test_the_zip_writer_writes_stored_and_deflated_entries_zipfile_reads_back(
    tmp_path: Path,
) -> None:
    """CRW-10: names, bytes, CRCs, methods, date and mode 0644 as written."""
    letter = b"%PDF-1.7\n" + b"<</Length 10>>stream\n0123456789\nendstream\n" * 50
    with (tmp_path / "a.zip").open("wb") as out:
        writer = ZipWriter(out, date_time=STAMP)
        writer.add("a.pdf", deflate(letter))
        writer.add("b.pdf", letter)
        writer.close()
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        assert archive.testzip() is None
        a, b = archive.infolist()
        assert (a.filename, a.compress_type) == ("a.pdf", zipfile.ZIP_DEFLATED)
        assert (b.filename, b.compress_type) == ("b.pdf", zipfile.ZIP_STORED)
        assert a.compress_size < a.file_size == b.file_size == b.compress_size
        assert archive.read("a.pdf") == archive.read("b.pdf") == letter
        assert a.date_time == b.date_time == STAMP
        assert a.external_attr >> 16 == 0o644


def test_a_zip_takes_no_entry_past_what_a_zip_without_zip64_records_holds() -> None:
    """CRW-10: 65,535 entries fill a zip; the next is refused and nothing is written."""
    out = io.BytesIO()
    writer = ZipWriter(out, date_time=STAMP)
    for number in range(MAX_ENTRIES):
        writer.add(f"{number:05d}", b"")
    size = out.tell()
    assert not writer.fits("more", 0)
    with pytest.raises(RenderError, match="does not fit"):
        writer.add("more", b"")
    assert out.tell() == size
    writer.close()
    with zipfile.ZipFile(out) as archive:
        assert len(archive.infolist()) == MAX_ENTRIES


def test_letters_past_a_zips_capacity_go_on_in_the_next_volume(
    tmp_path: Path, created: pendulum.DateTime
) -> None:
    """CRW-10, issue 15: a volume asked for more letters than a zip holds ends at 65,535."""
    files = LetterFiles(
        pdf=None, zip=tmp_path / "l.zip", created=created, letters_per_file=70_000, deflate=False
    )
    names = [f"{n:06d}.pdf" for n in range(MAX_ENTRIES + 2)]
    files.add(b"", names, [b"%PDF"] * len(names))
    files.commit()
    counts = []
    for path in files.zips:
        with zipfile.ZipFile(path) as archive:
            counts.append(len(archive.infolist()))
    assert [p.name for p in files.zips] == ["l.zip", "l_part002.zip"]
    assert counts == [MAX_ENTRIES, 2]


def test_a_workers_zip_entries_are_the_singles_and_its_prepared_pages_unchanged(
    renderer: FpdfLetterRenderer, sample_letters: list[LetterData], created: pendulum.DateTime
) -> None:
    """CRW-10, issue 13: ``split_for_zip`` gives the singles ``split_pages`` gives, deflated,
    and the same prepared pages as ``split_batch``."""
    pdf = renderer.render(sample_letters * 2, created=created)
    singles = list(split_pages(pdf))
    alone, none = split_for_zip(pdf)
    entries, prepared = split_for_zip(pdf, 3, 500)
    _, expected = split_batch(pdf, 3, 500)
    assert none is None
    assert prepared is not None
    assert expected is not None
    assert prepared.data == expected.data
    for made in (alone, entries):
        assert all(isinstance(e, Deflated) for e in made)
        assert [zlib.decompress(e.data, -15) for e in made] == singles
        assert [e.crc for e in made] == [zlib.crc32(s) for s in singles]
