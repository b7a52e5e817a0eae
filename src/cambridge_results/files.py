"""The one way the library writes a file that must not lie: temporary name, ``fsync``, rename.

Every file the library writes (letter PDFs and zips, result PDFs, enquiry
documents exported to disk) goes through :class:`AtomicFile`: it is written
under a hidden temporary name beside its target (``.NAME.<random>.part``),
flushed and ``fsync``\\ ed, renamed over the target in one step, and the
directory is ``fsync``\\ ed so the rename itself survives a power cut.  A
reader therefore sees either no file or the whole file, never half of one.

The steps are separate methods because bulk generation must put a step of
its own between them (CRW-13): the files are made durable (:meth:`sync`)
before the run's credentials are marked printed, and renamed
(:meth:`publish`) after.  :func:`write_atomically` does all of it for bytes
already in memory.

Files carrying passwords are created ``0600`` whatever the umask; others
``0666`` less the umask, like any file the application writes.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from typing import IO

__all__ = [
    "PART_SUFFIX",
    "PRIVATE_FILE_MODE",
    "AtomicFile",
    "fsync_directory",
    "rename_into_place",
    "write_atomically",
]

#: Files readable and writable by their owner only (letters carry passwords).
PRIVATE_FILE_MODE = 0o600
#: What every temporary file's name ends with.
PART_SUFFIX = ".part"


def fsync_directory(path: Path) -> None:
    """``fsync`` the directory ``path``, so renames and new files in it survive a crash."""
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def rename_into_place(temp: Path, final: Path) -> bool:
    """Rename the synced ``temp`` over ``final``; whether it was there to rename.

    For a file whose :meth:`AtomicFile.sync` ran earlier, perhaps in a process
    that has since died (bulk generation's recovery, CRW-13).  A ``temp``
    already gone is not an error when ``final`` exists: whoever renamed it
    first did the same thing.  The caller ``fsync``\\ s the directory.
    """
    try:
        os.replace(temp, final)
    except FileNotFoundError:
        if not final.exists():
            raise
        return False
    return True


class AtomicFile:
    """A file written under a temporary name, then made durable and renamed to ``target``.

    Use :attr:`file` to write; then :meth:`sync` and :meth:`publish` (or
    :meth:`commit` for both); :meth:`discard` deletes the temporary file
    (safe to call at any point, and again).
    """

    def __init__(self, target: str | os.PathLike[str], *, private: bool = True) -> None:
        self.target = Path(target)
        self.temp = self.target.with_name(
            f".{self.target.name}.{secrets.token_hex(8)}{PART_SUFFIX}"
        )
        mode = PRIVATE_FILE_MODE if private else 0o666
        handle = os.open(self.temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        if private:
            os.fchmod(handle, PRIVATE_FILE_MODE)  # whatever the umask
        self.file: IO[bytes] = os.fdopen(handle, "wb")
        self.published = False

    def sync(self) -> None:
        """Flush, ``fsync`` and close the temporary file: its bytes survive a crash."""
        if not self.file.closed:
            self.file.flush()
            os.fsync(self.file.fileno())
            self.file.close()

    def publish(self) -> Path:
        """Rename the (synced) temporary file over the target and ``fsync`` the directory."""
        self.sync()
        os.replace(self.temp, self.target)
        self.published = True
        fsync_directory(self.target.parent)
        return self.target

    def commit(self) -> Path:
        """:meth:`sync` then :meth:`publish`: the whole file is in place, durably."""
        return self.publish()

    def discard(self) -> None:
        """Delete the temporary file (the target, if already published, is left alone)."""
        with contextlib.suppress(OSError):
            self.file.close()
        with contextlib.suppress(FileNotFoundError):
            self.temp.unlink()

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()


def write_atomically(target: str | os.PathLike[str], data: bytes, *, private: bool = True) -> Path:
    """Write ``data`` to ``target`` whole or not at all, durably (see the module)."""
    with AtomicFile(target, private=private) as out:
        out.file.write(data)
    return out.target
