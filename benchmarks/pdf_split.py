"""Splitting and combining letter batches: the library's plumbing against bare pypdf, per page.

Usage (from the repository root, after ``bash scripts/test``)::

    .venv/bin/python benchmarks/pdf_split.py                  # 100- and 500-letter batches
    .venv/bin/python benchmarks/pdf_split.py --letters 100 --repeat 7

Each batch is rendered once with the default fpdf2 renderer (one PDF, fonts
subset once), then split into one PDF per letter (``split_pages``, as the
workers do) and appended to a combined PDF (``PdfStreamWriter.add_pdf``, as
the parent does).  In the same run, alternating, bare pypdf does the same
the way its documentation shows: a ``PdfWriter`` per page for the split, one
``PdfWriter`` holding every page for the combine.  Figures are the median
of ``--repeat`` runs, in milliseconds of CPU time per page; "ratio" is the
library's over bare pypdf's.  "render" is fpdf2 drawing the batch, for
scale.  The library's split includes making the batch's fonts smaller
(``rendering/pdf_fonts.py``), once per batch.

"single" and "alone" are the median bytes of a letter split from the batch
and of the same letter rendered on its own (issue 13's size target: single
<= alone).
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable

import pendulum
from pypdf import PdfReader, PdfWriter

from cambridge_results.credentials import Secret
from cambridge_results.rendering import LetterData
from cambridge_results.rendering.fpdf_letters import FpdfLetterRenderer
from cambridge_results.rendering.pdf_split import PdfStreamWriter, split_pages
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
RENDERER = FpdfLetterRenderer()


def letters(count: int) -> list[LetterData]:
    """``count`` letters of one centre, names in every bundled script."""
    contact = ContactDetails(
        name="Ann Lee", phone="+44 1223 553554", email="exams@riverside.example.org"
    )
    return [
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
        for i in range(1, count + 1)
    ]


def _split(pdf: bytes) -> None:
    for _ in split_pages(pdf):
        pass


def _combine(pdf: bytes) -> None:
    writer = PdfStreamWriter(io.BytesIO())
    writer.add_pdf(pdf)
    writer.close()


def _bare_split(pdf: bytes) -> None:
    for page in PdfReader(io.BytesIO(pdf)).pages:
        writer = PdfWriter()
        writer.add_page(page)
        writer.write(io.BytesIO())


def _bare_combine(pdf: bytes) -> None:
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(pdf)))
    writer.write(io.BytesIO())


def _ms_per_page(step: Callable[[bytes], None], pdf: bytes, pages: int) -> float:
    # CPU time of this process: the machine is shared, and the work is single-threaded.
    start = time.process_time()
    step(pdf)
    return (time.process_time() - start) * 1000 / pages


def main(argv: list[str] | None = None) -> int:
    """Print ms/page for split and combine, the library's and bare pypdf's, per batch size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--letters", type=int, nargs="+", default=[100, 500])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"{'letters':>7} {'step':<8} {'ours':>7} {'pypdf':>7} {'ratio':>6} {'render':>7}")
    for count in args.letters:
        batch = letters(count)
        start = time.process_time()
        pdf = RENDERER.render(batch, created=CREATED)
        render = (time.process_time() - start) * 1000 / count
        for name, ours, bare in (
            ("split", _split, _bare_split),
            ("combine", _combine, _bare_combine),
        ):
            times: dict[str, list[float]] = {"ours": [], "bare": []}
            for _ in range(args.repeat):
                times["ours"].append(_ms_per_page(ours, pdf, count))
                times["bare"].append(_ms_per_page(bare, pdf, count))
            mine, theirs = (statistics.median(times[k]) for k in ("ours", "bare"))
            print(
                f"{count:>7} {name:<8} {mine:>7.3f} {theirs:>7.3f} {mine / theirs:>6.2f}"
                f" {render:>7.3f}"
            )
        singles = [len(s) for s in split_pages(pdf)]
        sample = range(0, count, max(1, count // 12))
        alone = [len(RENDERER.render([batch[i]], created=CREATED)) for i in sample]
        single = statistics.median(singles[i] for i in sample)
        print(f"{count:>7} bytes    single {single:.0f}, alone {statistics.median(alone):.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
