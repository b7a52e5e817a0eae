"""How the library numbers a PDF's objects, and pypdf's errors as the library's own.

Shared by the byte-level path (:mod:`.pdf_split`) and the pypdf path
(:mod:`.pdf_pypdf`), so neither imports the other's internals.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from cambridge_results.errors import RenderError

__all__ = ["CATALOG", "FIRST_FREE", "PAGES", "PdfObject", "reading"]

#: The catalog's and the page tree's object numbers in every PDF the library writes.
CATALOG, PAGES = 1, 2
#: The first object number free for a page's own objects.
FIRST_FREE = 3

#: An object ready to write: its number in the output and its bytes, ``N 0 obj`` to ``endobj``.
PdfObject = tuple[int, bytes]


@contextlib.contextmanager
def reading() -> Iterator[None]:
    """Turn whatever pypdf raises on a broken file into a :class:`RenderError`."""
    try:
        yield
    except RenderError:
        raise
    except Exception as exc:
        raise RenderError(f"the PDF could not be read: {exc}") from exc
