"""Bulk credential generation, end to end on SQLite, against bare baselines in the same run.

Usage (from the repository root, after ``bash scripts/test`` or ``pip install -e '.[test]'``);
each target is measured only when named, so no command prints a figure it did not mean to::

    .venv/bin/python benchmarks/bulk_credentials.py a              # 10,000, argon2id, 3 pairs
    .venv/bin/python benchmarks/bulk_credentials.py b -n 3000      # cheap hasher, 3 pairs
    .venv/bin/python benchmarks/bulk_credentials.py c -n 1000      # N and 10 N, cheap hasher
    .venv/bin/python benchmarks/bulk_credentials.py d -n 2000      # 1 vs 2 workers, 3 pairs
    .venv/bin/python benchmarks/bulk_credentials.py e -n 10000 100000   # memory, cheap hasher
    .venv/bin/python benchmarks/bulk_credentials.py dask -n 2000   # Dask, 1 vs 2 workers

The candidates are written to a SQLite file by a child process of their own
(``sample_board``), once per N; every measurement then runs in a fresh child
process on a copy of that file, so neither seeding nor an earlier measurement
weighs on it.  While a measurement runs, this process samples the memory of
the child and every process below it (its workers, a Dask cluster's nannies
and workers) from /proc (``process_tree.py``): "peak, all processes" is the
largest sum of their resident sets.  Printed: letters per second, that peak,
the output's size per letter, and the ratios of the targets (issues 3, 13, 15).
(a), (b), (d) and (dask) time ``--repeat`` pairs of runs (3 by default), one side
then the other, and give the median of the pairs' ratios: this machine's speed
drifts by 10 % and more within minutes (bare argon2id hashing of 10,000
candidates took 109 s and 122 s half an hour apart), so one pair proves little.


(a) argon2id: library rate / bare hashing rate in a process pool of the same size (>= 0.95);
(b) cheap hasher: library time / a bare fpdf2 + pypdf loop in the same number of processes
    (workers render a batch per task, fixed parts drawn once, and split it into one-page
    PDFs with pypdf; the parent writes the zip and the combined PDF) (<= 1.5);
(c) time(10 N) / time(N), cheap hasher (<= 10.5);
(d) time with 1 worker / time with 2 workers, next to bare hashing's own gain, the
    ceiling on a machine where hashing itself does not scale (>= 0.95 of it);
(e) peak of all processes together at each N, cheap hasher; the last N's over the first's
    (<= 1.1 from 10,000 to 100,000);
(dask) a Dask LocalCluster of 2 worker processes / of 1, argon2id (>= 1.7), set up as
    docs/scaling.md advises (``--dask-defaults``: Dask's own settings but the malloc one).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import attrs
import pendulum
from process_tree import TreeSampler

CHEAP = "test-cheap"
ARGON2 = "argon2id"
SERIES = "November 2026"
CLOCK = pendulum.datetime(2026, 10, 5, 9, tz="UTC")
BATCH = 500  # the bare render's letters per task, as auto_batch_size's largest batch


def _policy(hasher: str) -> Any:
    from cambridge_results.policy import example_2026

    policy = example_2026()
    if hasher == CHEAP:
        # Benchmarks only: the shipped policy refuses the cheap hasher (CRW-12).
        credentials = attrs.evolve(policy.credentials, allowed_test_hashers=(CHEAP,))
        policy = attrs.evolve(policy, credentials=credentials)
    return policy


def _board(n: int) -> Any:
    """The sample board for N: GB100, then Associate Centres of GB200 when N > 9999
    (candidate numbers have four digits), every centre the same size."""
    from cambridge_results.sample_board import sample_board

    centres = -(-n // 9999)
    while n % centres:
        centres += 1
    return sample_board(
        series=SERIES, associate_centres=centres - 1, candidates_per_centre=n // centres
    )


def seed(n: int, database: Path) -> dict[str, float]:
    """Write the sample board for N to a SQLite file and give every candidate access."""
    from cambridge_results.board import open_board
    from cambridge_results.clock import FixedClock
    from cambridge_results.sample_board import give_sample_access, store_sample_board

    board = _board(n)
    started = time.perf_counter()
    with open_board(
        f"sqlite:///{database}", policy=_policy(CHEAP), clock=FixedClock(CLOCK), workers=0
    ) as results:
        store_sample_board(results.context, board, batch_size=2000)
        give_sample_access(results.website, results.associates, board)
    return {"seconds": time.perf_counter() - started}


def run_library(
    database: Path, n: int, hasher: str, workers: int, dask: bool, dask_tuned: bool = True
) -> dict[str, float]:
    """Time ``generate_letters`` (mode ALL) for every candidate of a copy of ``database``,
    with a process pool of ``workers`` or, with ``dask``, a LocalCluster of that many
    worker processes (started, and its workers up, before the clock starts), set up as
    docs/scaling.md advises unless not ``dask_tuned``."""
    from contextlib import ExitStack

    from cambridge_results.board import open_board
    from cambridge_results.clock import FixedClock
    from cambridge_results.sample_board import letter_groups
    from cambridge_results.website import GenerationRequest

    with tempfile.TemporaryDirectory(prefix="cr-bench-") as tmp, ExitStack() as stack:
        copy = Path(tmp) / "bench.db"
        shutil.copyfile(database, copy)
        executor = None
        if dask:
            import dask as dask_config
            from distributed import Client, LocalCluster

            stack.enter_context(dask_config.config.set(_dask_settings(dask_tuned)))
            cluster = stack.enter_context(
                LocalCluster(  # type: ignore[no-untyped-call]
                    n_workers=workers,
                    processes=True,
                    threads_per_worker=1,
                    dashboard_address=None,
                    silence_logs=40,
                )
            )
            client = stack.enter_context(Client(cluster))  # type: ignore[no-untyped-call]
            client.wait_for_workers(workers)
            executor = client.get_executor(pure=False)
        results = stack.enter_context(
            open_board(
                f"sqlite:///{copy}",
                policy=_policy(hasher),
                clock=FixedClock(CLOCK),
                hasher_name=hasher,
                workers=workers,
                executor=executor,
            )
        )
        board = _board(n)
        letters = pdf_bytes = zip_bytes = 0
        cpu = _cpu()
        started = time.perf_counter()
        for group in letter_groups(board):
            report = results.website.generate_letters(
                group.principal,
                GenerationRequest(
                    centres=group.centres,
                    series=board.series,
                    mode="all",
                    out_dir=Path(tmp) / group.name,
                ),
            )
            letters += report.letters
            pdf_bytes += sum(p.stat().st_size for p in report.combined_pdfs)
            zip_bytes += sum(p.stat().st_size for p in report.zip_files)
        # The board's workers end with it: closing it is part of the run, as the bare
        # baselines' pools are shut down inside their timing (and only then does
        # RUSAGE_CHILDREN count the workers' CPU).
        results.close()
        seconds = time.perf_counter() - started
        parent_cpu, workers_cpu = (
            after - before for after, before in zip(_cpu(), cpu, strict=True)
        )
    if letters != n:
        raise SystemExit(f"expected {n} letters, got {letters}")
    measured = {
        "seconds": seconds,
        "pdf_per_letter": pdf_bytes / n,
        "zip_per_letter": zip_bytes / n,
        "parent_ms": parent_cpu / n * 1000,
        "workers_ms": workers_cpu / n * 1000,
    }
    if not dask:  # a Dask cluster's workers are counted only once it is closed, after this
        # The time the workers stood idle (or waited for a core), summed over them.
        measured["idle_ms"] = (workers * seconds - workers_cpu) / n * 1000
    return measured


def _dask_settings(tuned: bool) -> dict[str, Any]:
    """The cluster's Dask settings: always as docs/scaling.md advises for argon2id (Dask's
    default MALLOC_TRIM_THRESHOLD_ in the workers' environment makes every hash fault its
    memory in afresh); ``tuned`` also as it advises for a generation cluster (no worker
    profiler sampling every 10 ms, event loops checked every second rather than every
    20 ms, results gathered from the workers rather than through the scheduler)."""
    settings: dict[str, Any] = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
    if tuned:
        settings["distributed.worker.profile.enabled"] = False
        settings["distributed.admin.tick.interval"] = "1s"
        settings["distributed.client.direct-to-workers"] = True
    return settings


def _cpu() -> tuple[float, float]:
    """CPU seconds so far of this process and of its ended children (the board's workers,
    counted once it is closed)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time(), children.ru_utime + children.ru_stime


def _hash_chunk(args: tuple[str, int]) -> int:
    from cambridge_results.hashing import hasher_for

    hasher_name, count = args
    hasher = hasher_for(_policy(hasher_name).credentials, hasher_name)
    for _ in range(count):
        hasher.hash(secrets.token_urlsafe(9))
    return count


def run_bare_hashing(n: int, hasher: str, workers: int) -> dict[str, float]:
    """Hash N fresh passwords in a process pool of the same size: the unavoidable work."""
    chunk = 64
    jobs = [(hasher, min(chunk, n - i)) for i in range(0, n, chunk)]
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        done = sum(pool.map(_hash_chunk, jobs))
    seconds = time.perf_counter() - started
    if done != n:
        raise SystemExit("bare hashing lost work")
    return {"seconds": seconds}


def _render_and_split(span: tuple[int, int]) -> tuple[bytes, list[bytes]]:
    """A bare fpdf2 document of letters ``start..stop`` (fixed text placed with text() on
    every page, one font subset) and its pages as one-page PDFs split by pypdf."""
    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter

    from cambridge_results.rendering.fonts import FontSet

    face = FontSet().regular
    fixed = [
        "Confidential examination results information",
        "Log in to the candidate results website with these details.",
        "The results shown are provisional and for information only.",
        "Do not send screenshots of your results to universities.",
    ]
    pdf = FPDF(unit="mm", format="A4")
    pdf.add_font(face.family, style="", fname=str(face.path))
    pdf.set_font(face.family, size=11)
    for i in range(*span):
        pdf.add_page()
        for line_no, line in enumerate(fixed):
            pdf.text(20, 30 + 8 * line_no, line)
        pdf.text(20, 80, f"Candidate {i:05d} Name Surname")
        pdf.text(20, 88, f"Username k7mq4-{i:05d}  Password abcd2345efgh")
    data = bytes(pdf.output())
    singles = []
    for page in PdfReader(io.BytesIO(data)).pages:
        single = PdfWriter()
        single.add_page(page)
        out = io.BytesIO()
        single.write(out)
        singles.append(out.getvalue())
    return data, singles


def run_bare_render(n: int, workers: int) -> dict[str, float]:
    """The floor for rendering, in as many processes as the library: ``workers`` processes
    render and split batches of 500; this one writes the zip and, with pypdf, the
    combined PDF."""
    from pypdf import PdfReader, PdfWriter

    spans = [(start, min(n, start + BATCH)) for start in range(0, n, BATCH)]
    started = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="cr-bare-") as tmp,
        ProcessPoolExecutor(max_workers=workers) as pool,
        zipfile.ZipFile(Path(tmp) / "letters.zip", "w") as archive,
    ):
        combined = PdfWriter()
        for (start, _), (data, singles) in zip(
            spans, pool.map(_render_and_split, spans), strict=True
        ):
            for index, single in enumerate(singles):
                archive.writestr(f"{start + index:06d}.pdf", single)
            for page in PdfReader(io.BytesIO(data)).pages:
                combined.add_page(page)
        with (Path(tmp) / "combined.pdf").open("wb") as handle:
            combined.write(handle)
    return {"seconds": time.perf_counter() - started}


# -- the measurements, each in a child process sampled from here ------------------------------


def _child(kind: str, *args: object) -> dict[str, float]:
    """Run ``kind`` in a fresh child process; its figures and its tree's memory peak."""
    command = [sys.executable, __file__, "_child", kind, *map(str, args)]
    with tempfile.TemporaryFile("w+") as stderr:
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True)
        sampler = TreeSampler(child.pid).start()
        stdout, _ = child.communicate()
        peak = sampler.stop()
        if child.returncode != 0:
            stderr.seek(0)
            raise SystemExit(f"{kind} failed:\n{stderr.read()[-3000:]}")
    measured: dict[str, float] = json.loads(stdout.strip().splitlines()[-1])
    measured["peak_mib"] = peak.total_mib
    measured["largest_mib"] = peak.largest_mib
    return measured


def _line(label: str, n: int, m: dict[str, float]) -> None:
    rate = n / m["seconds"]
    print(
        f"{label:<46} {m['seconds']:8.2f} s {rate:8.1f} /s  peak, all processes "
        f"{m['peak_mib']:6.0f} MiB (largest {m['largest_mib']:.0f})"
    )
    if "parent_ms" in m:  # CPU moves much less than wall time on a busy machine
        print(
            f"{'':<46} CPU a letter: parent {m['parent_ms']:.3f} ms, workers "
            f"{m['workers_ms']:.3f} ms, all {m['parent_ms'] + m['workers_ms']:.3f} ms"
            + (f"; workers idle {m['idle_ms']:.3f} ms" if "idle_ms" in m else "")
        )


class Seeds:
    """One seeded SQLite file per N, made on first use."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.files: dict[int, Path] = {}

    def __call__(self, n: int) -> Path:
        if n not in self.files:
            path = self.directory / f"seed-{n}.db"
            took = _child("seed", n, path)["seconds"]
            print(f"(seeded {n} candidates in {took:.0f} s)")
            self.files[n] = path
        return self.files[n]


def _library(
    seeds: Seeds, n: int, hasher: str, workers: int, dask: bool = False, dask_tuned: bool = True
) -> Any:
    return _child("library", seeds(n), n, hasher, workers, int(dask), int(dask_tuned))


def _pairs(
    one: Callable[[], dict[str, float]],
    two: Callable[[], dict[str, float]],
    repeat: int,
    labels: tuple[str, str],
    n: int,
) -> float:
    """Time ``one`` then ``two``, ``repeat`` times in turn; print each and the median of the
    pairs' ratios (this shared machine varies by 10 % and more from run to run); return it."""
    ratios = []
    for _ in range(repeat):
        first, second = one(), two()
        _line(labels[0], n, first)
        _line(labels[1], n, second)
        ratios.append(first["seconds"] / second["seconds"])
    ratios.sort()
    median = ratios[len(ratios) // 2]
    print(f"    pairs {', '.join(f'{r:.2f}' for r in ratios)}; median {median:.2f}")
    return median


def _target_a(seeds: Seeds, n: int, hasher: str, workers: int, repeat: int) -> None:
    ratio = _pairs(
        lambda: _child("hashing", n, hasher, workers),
        lambda: _library(seeds, n, hasher, workers),
        repeat,
        (f"bare {hasher} hashing, {workers} processes", f"library, {hasher}, N={n}"),
        n,
    )
    print(f"(a) library rate / bare hashing rate = {ratio:.3f}  (>= 0.95)")


def _target_b(seeds: Seeds, n: int, workers: int, repeat: int) -> None:
    library: dict[str, float] = {}

    def run_library() -> dict[str, float]:
        library.update(_library(seeds, n, CHEAP, workers))
        return library

    ratio = _pairs(
        run_library,
        lambda: _child("render", n, workers),
        repeat,
        (f"library, {CHEAP}, N={n}", f"bare fpdf2 + pypdf split, {workers} processes"),
        n,
    )
    print(f"(b) library / bare render = {ratio:.2f}  (<= 1.5)")
    _sizes(library)


def _sizes(library: dict[str, float]) -> None:
    pdf, zipped = library["pdf_per_letter"] / 1024, library["zip_per_letter"] / 1024
    print(f"    output per letter: combined PDF {pdf:.1f} KiB, zip {zipped:.1f} KiB")


def _target_c(seeds: Seeds, n: int, workers: int) -> None:
    small = _library(seeds, n, CHEAP, workers)
    large = _library(seeds, 10 * n, CHEAP, workers)
    _line(f"library, {CHEAP}, N={n}", n, small)
    _line(f"library, {CHEAP}, 10 N={10 * n}", 10 * n, large)
    print(f"(c) time(10 N) / time(N) = {large['seconds'] / small['seconds']:.2f}  (<= 10.5)")


def _bare_hashing_gain(n: int, hasher: str, repeat: int) -> float:
    """Bare hashing's own 1 -> 2 process gain: the most any implementation gets here."""
    return _pairs(
        lambda: _child("hashing", n, hasher, 1),
        lambda: _child("hashing", n, hasher, 2),
        repeat,
        (f"bare {hasher} hashing, 1 process", f"bare {hasher} hashing, 2 processes"),
        n,
    )


def _target_d(seeds: Seeds, n: int, hasher: str, repeat: int) -> None:
    speedup = _pairs(
        lambda: _library(seeds, n, hasher, 1),
        lambda: _library(seeds, n, hasher, 2),
        repeat,
        (f"library, {hasher}, 1 worker", f"library, {hasher}, 2 workers"),
        n,
    )
    ceiling = _bare_hashing_gain(n, hasher, repeat)
    print(
        f"(d) 2-worker speedup {speedup:.2f}; bare hashing's {ceiling:.2f}; "
        f"library / bare {speedup / ceiling:.2f}  (>= 0.95)"
    )


def _target_e(seeds: Seeds, sizes: list[int], workers: int) -> None:
    peaks = []
    for n in sizes:
        library = _library(seeds, n, CHEAP, workers)
        _line(f"library, {CHEAP}, N={n}", n, library)
        _sizes(library)
        peaks.append(library["peak_mib"])
    shown = ", ".join(f"{p:.0f} MiB at {n}" for p, n in zip(peaks, sizes, strict=True))
    print(f"(e) peak, all processes: {shown}; last / first {peaks[-1] / peaks[0]:.2f}  (<= 1.1)")


def _target_dask(seeds: Seeds, n: int, repeat: int, tuned: bool) -> None:
    speedup = _pairs(
        lambda: _library(seeds, n, ARGON2, 1, dask=True, dask_tuned=tuned),
        lambda: _library(seeds, n, ARGON2, 2, dask=True, dask_tuned=tuned),
        repeat,
        (f"Dask, {ARGON2}, 1 worker process", f"Dask, {ARGON2}, 2 worker processes"),
        n,
    )
    ceiling = _bare_hashing_gain(n, ARGON2, repeat)
    print(
        f"(dask) 2 worker processes / 1 = {speedup:.2f}  (>= 1.7); bare hashing's own "
        f"gain here {ceiling:.2f}, the most this machine allows"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the measurements named on the command line and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "targets", nargs="*", default=["a"], choices=["a", "b", "c", "d", "e", "dask"]
    )
    parser.add_argument("-n", "--candidates", type=int, nargs="+", help="N (e: several)")
    parser.add_argument("--hasher", default=ARGON2, help="a and d: argon2id, scrypt, test-cheap")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--repeat", type=int, default=3, help="pairs for a, b, d and dask")
    parser.add_argument(
        "--dask-defaults",
        action="store_true",
        help="dask: keep Dask's profiler, tick and gathering through the scheduler "
        "(MALLOC_TRIM_THRESHOLD_ is unset either way)",
    )
    args = parser.parse_args(argv)
    workers, repeat = args.workers, args.repeat
    print(f"{workers} workers, {os.cpu_count()} cores; provisional figures on a shared machine")

    def size(default: int) -> int:
        return int(args.candidates[0]) if args.candidates else default

    with tempfile.TemporaryDirectory(prefix="cr-seeds-") as tmp:
        seeds = Seeds(Path(tmp))
        for target in args.targets:
            if target == "a":
                _target_a(seeds, size(10_000), args.hasher, workers, repeat)
            elif target == "b":
                _target_b(seeds, size(3_000), workers, repeat)
            elif target == "c":
                _target_c(seeds, size(1_000), workers)
            elif target == "d":
                _target_d(seeds, size(2_000), args.hasher, repeat)
            elif target == "e":
                _target_e(seeds, args.candidates or [10_000, 100_000], workers)
            else:
                _target_dask(seeds, size(2_000), repeat, not args.dask_defaults)
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_child":
        kind, *rest = sys.argv[2:]
        runners: dict[str, Callable[[], dict[str, float]]] = {
            "seed": lambda: seed(int(rest[0]), Path(rest[1])),
            "library": lambda: run_library(
                Path(rest[0]), int(rest[1]), rest[2], int(rest[3]), rest[4] == "1", rest[5] == "1"
            ),
            "hashing": lambda: run_bare_hashing(int(rest[0]), rest[1], int(rest[2])),
            "render": lambda: run_bare_render(int(rest[0]), int(rest[1])),
        }
        print(json.dumps(runners[kind]()))
        raise SystemExit(0)
    raise SystemExit(main())
