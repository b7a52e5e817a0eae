"""Where letter files live: the :class:`LetterStore` protocol and a directory store (CRW-10).

The application chooses where letters go by giving the website a letter
store (``open_board(..., letter_store=DirectoryLetterStore(path))``).
Generation builds a run's files in the store's :meth:`~LetterStore.staging`
directory (a private local directory, under temporary names, made durable
there; :class:`~cambridge_results.rendering.letter_output.LetterFiles`) and hands each
finished file to :meth:`~LetterStore.put`; the letters use cases open them
with :meth:`~LetterStore.open`.  What runs exist, and which files each made,
comes from the store's event log, not from listing the store.

:class:`DirectoryLetterStore` keeps the files in one directory: staging is
that directory itself, so ``put`` only checks the file and its mode.  An
object-storage store would stage in a private temporary directory and
upload in ``put``.  Letter files carry passwords: every file is readable by
its owner only (``0600``), and directories the store creates are ``0700``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

from cambridge_results.errors import InvalidValue, NotFound
from cambridge_results.files import fsync_directory

__all__ = ["DIRECTORY_MODE", "FILE_MODE", "DirectoryLetterStore", "LetterStore", "check_file_name"]

#: Letter files are readable and writable by their owner only.
FILE_MODE = 0o600
#: Directories made for letters are usable by their owner only.
DIRECTORY_MODE = 0o700

# Letter file names are made of internal identifiers (SPEC section 5): no path, no name.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,199}", re.ASCII)


def check_file_name(name: object) -> str:
    """``name`` if it is a letter file's name (no directory part), else :class:`InvalidValue`."""
    if not isinstance(name, str) or _NAME.fullmatch(name) is None or ".." in name:
        raise InvalidValue("name", "must be a letter file's name, e.g. 2026-06_run000001.pdf")
    return name


@runtime_checkable
class LetterStore(Protocol):
    """Where a website's letter files are kept (CRW-10): staged locally, then put."""

    def staging(self) -> Path:
        """A private local directory (``0700``) where a run builds its files."""
        ...

    def put(self, name: str, built: Path) -> None:
        """Keep the finished file ``built`` (in :meth:`staging`) as the letter file ``name``,
        durably and readable by its owner only."""
        ...

    def open(self, name: str) -> BinaryIO:
        """The letter file ``name``, open for reading; :class:`NotFound` if there is none."""
        ...

    def list(self) -> tuple[str, ...]:
        """The names of the letter files kept, sorted."""
        ...


def _make_private_directory(path: Path) -> None:
    """Create ``path`` and any missing parents as ``0700``; leave existing ones as they are."""
    missing = []
    for parent in (path, *path.parents):
        if parent.exists():
            break
        missing.append(parent)
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=DIRECTORY_MODE)
        except FileExistsError:
            continue
        os.chmod(directory, DIRECTORY_MODE)  # whatever the umask
    if not path.is_dir():
        raise InvalidValue("letters directory", f"{path} is not a directory")


class DirectoryLetterStore:
    """Letter files in one directory on this machine (created ``0700`` if missing)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        if not isinstance(root, str | os.PathLike):
            raise InvalidValue("root", f"must be a path, not {type(root).__name__}")
        self.root = Path(root)

    def staging(self) -> Path:
        """The directory itself: files are built beside their final names."""
        _make_private_directory(self.root)
        return self.root

    def put(self, name: str, built: Path) -> None:
        """Move ``built`` to ``name`` in the directory (if elsewhere), ``0600``, durably."""
        target = self.root / check_file_name(name)
        if Path(built).resolve() != target.resolve():
            os.replace(built, target)
        os.chmod(target, FILE_MODE)
        fsync_directory(self.root)

    def open(self, name: str) -> BinaryIO:
        """The file ``name`` opened for reading; :class:`NotFound` if it is not there."""
        path = self.root / check_file_name(name)
        try:
            return path.open("rb")
        except (FileNotFoundError, IsADirectoryError):
            raise NotFound(f"letter file {name} is not in the letters directory") from None

    def list(self) -> tuple[str, ...]:
        """The letter files (PDFs and zips; not the hidden files of a run in progress)."""
        if not self.root.is_dir():
            return ()
        return tuple(
            sorted(
                p.name
                for p in self.root.iterdir()
                if p.is_file() and not p.name.startswith(".") and p.suffix in (".pdf", ".zip")
            )
        )

    def __repr__(self) -> str:
        return f"DirectoryLetterStore({str(self.root)!r})"
