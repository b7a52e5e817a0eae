"""The one durable writer (cambridge_results.files): whole files or none, private by default."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cambridge_results.files import AtomicFile, rename_into_place, write_atomically


def part_files(directory: Path, target_name: str) -> list[Path]:
    """The temporary files AtomicFile left in ``directory`` for ``target_name``."""
    return sorted(directory.glob(f".{target_name}.*.part"))


@given(data=st.binary(max_size=4096))
def test_write_atomically_leaves_exactly_the_bytes_and_no_part_file(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    """The target holds the bytes written and no temporary file is left beside it."""
    directory = tmp_path_factory.mktemp("out")
    target = write_atomically(directory / "letters.pdf", data)
    assert target.read_bytes() == data
    assert part_files(directory, "letters.pdf") == []


def test_a_private_file_is_readable_by_its_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    """Letters carry passwords (CRW-13): 0600 even under a permissive umask."""
    old = os.umask(0)
    try:
        target = write_atomically(tmp_path / "letters.zip", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_an_error_while_writing_leaves_no_target_and_no_part_file(tmp_path: Path) -> None:
    """A failure inside the block deletes the temporary file; nothing appears at the target."""

    def write_half() -> None:
        with AtomicFile(tmp_path / "a.pdf") as out:
            out.file.write(b"half")
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_half()
    assert not (tmp_path / "a.pdf").exists()
    assert list(tmp_path.iterdir()) == []


def test_a_synced_file_is_invisible_until_published_and_then_replaces_the_old_one(
    tmp_path: Path,
) -> None:
    """Between sync and publish the old target stays; publish swaps it in one step."""
    (tmp_path / "a.pdf").write_bytes(b"old")
    out = AtomicFile(tmp_path / "a.pdf")
    out.file.write(b"new")
    out.sync()
    assert (tmp_path / "a.pdf").read_bytes() == b"old"
    assert part_files(tmp_path, "a.pdf") == [out.temp]
    out.publish()
    assert (tmp_path / "a.pdf").read_bytes() == b"new"
    assert part_files(tmp_path, "a.pdf") == []


def test_renaming_a_synced_file_twice_is_a_no_op_but_a_lost_one_is_an_error(
    tmp_path: Path,
) -> None:
    """CRW-13's recovery may rename what the run itself already renamed; never a lost file."""
    out = AtomicFile(tmp_path / "a.pdf")
    out.file.write(b"letters")
    out.sync()
    assert rename_into_place(out.temp, out.target) is True
    assert rename_into_place(out.temp, out.target) is False
    assert out.target.read_bytes() == b"letters"
    with pytest.raises(FileNotFoundError):
        rename_into_place(tmp_path / ".b.pdf.0.part", tmp_path / "b.pdf")
