"""Splitting and combining letter batches: the byte-level path against pypdf, per page.

Usage (from the repository root, after ``bash scripts/test``)::

    .venv/bin/python benchmarks/pdf_split.py                  # 100- and 500-letter batches
    .venv/bin/python benchmarks/pdf_split.py --letters 100 --repeat 7

Each batch is rendered once with the default fpdf2 renderer (one PDF, fonts
subset once), then split into one PDF per letter (``split_pages``, as the
workers do) and appended to a combined PDF (``PdfStreamWriter.add_pdf``, as
the parent does), by the byte-level path and by pypdf in the same run,
alternating.  Figures are the median of ``--repeat`` runs, in milliseconds
of CPU time per page; "ratio" is pypdf's over the byte-level path's.

The byte-level path keeps the shapes of objects it has parsed (see
``rendering/pdf_objects.py``); consecutive batches of a run repeat them, so
"bytes" is the steady state of a run and "cold" the first batch a process
sees, with no shape kept.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable

import pendulum

from cambridge_results.credentials import Secret
from cambridge_results.rendering import LetterData, pdf_objects
from cambridge_results.rendering.fpdf_letters import FpdfLetterRenderer
from cambridge_results.rendering.pdf_split import PdfStreamWriter, fast_path_applies, split_pages
from cambridge_results.values import ContactDetails, Delay

CREATED = pendulum.datetime(2026, 3, 23, 9, 30, tz="UTC")
NAMES = (
    "Zoë Łukasiewicz-Øster",
    "محمد عبد الله",
    "अनुष्का शर्मा",
    "דוד כהן",
    "Αλέξανδρος Παπαδόπουλος",
    "Ann Smith",
)


def batch(letters: int) -> bytes:
    """A batch of ``letters`` letters of one centre, names in every bundled script."""
    contact = ContactDetails(
        name="Ann Lee", phone="+44 1223 553554", email="exams@riverside.example.org"
    )
    data = [
        LetterData(
            centre="GB123",
            series="June 2026",
            candidate_number=f"{i:04d}",
            candidate_name=NAMES[i % len(NAMES)],
            username=f"k7mq{i % 10}-xtw9p",
            password=Secret("abcd2345efgh"),
            contact=contact,
            visible_from=pendulum.datetime(2026, 8, 13, 6, tz="UTC"),
            delay=Delay.parse("2 days"),
            centre_name="Riverside School",
        )
        for i in range(1, letters + 1)
    ]
    return FpdfLetterRenderer().render(data, created=CREATED)


def _split(pdf: bytes, fast: bool) -> None:
    for _ in split_pages(pdf, fast_path=fast):
        pass


def _combine(pdf: bytes, fast: bool) -> None:
    writer = PdfStreamWriter(io.BytesIO(), fast_path=fast)
    writer.add_pdf(pdf)
    writer.close()


def _ms_per_page(step: Callable[[bytes, bool], None], pdf: bytes, fast: bool, pages: int) -> float:
    # CPU time of this process: the machine is shared, and the work is single-threaded.
    start = time.process_time()
    step(pdf, fast)
    return (time.process_time() - start) * 1000 / pages


def main(argv: list[str] | None = None) -> int:
    """Print ms/page for split and combine, byte-level and pypdf, per batch size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--letters", type=int, nargs="+", default=[100, 500])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"{'letters':>7} {'step':<8} {'bytes':>7} {'cold':>7} {'pypdf':>7} {'ratio':>6}")
    for letters in args.letters:
        pdf = batch(letters)
        assert fast_path_applies(pdf), "fpdf2's output should take the byte-level path"
        for name, step in (("split", _split), ("combine", _combine)):
            times: dict[str, list[float]] = {"bytes": [], "cold": [], "pypdf": []}
            for _ in range(args.repeat):
                pdf_objects._SHAPES.clear()
                times["cold"].append(_ms_per_page(step, pdf, True, letters))
                times["bytes"].append(_ms_per_page(step, pdf, True, letters))
                times["pypdf"].append(_ms_per_page(step, pdf, False, letters))
            fast, cold, slow = (statistics.median(times[k]) for k in ("bytes", "cold", "pypdf"))
            print(
                f"{letters:>7} {name:<8} {fast:>7.3f} {cold:>7.3f} {slow:>7.3f} {slow / fast:>6.1f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
