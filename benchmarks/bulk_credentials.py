"""Bulk credential generation, end to end on SQLite, against bare baselines in the same run.

Usage (from the repository root, after ``bash scripts/test`` or ``pip install -e .``)::

    .venv/bin/python benchmarks/bulk_credentials.py                  # 10,000, argon2id
    .venv/bin/python benchmarks/bulk_credentials.py -n 2000 --hasher test-cheap
    .venv/bin/python benchmarks/bulk_credentials.py --scaling 1000   # time(10 N) / time(N)
    .venv/bin/python benchmarks/bulk_credentials.py --speedup 1000   # 1 vs 2 workers, 3 times

Every measurement runs in a fresh child process, so its peak memory (ru_maxrss of
that child and its workers) is its own.  Printed: candidates per second, peak
memory, and the ratios of issue 3's targets:

(a) production hasher: library throughput / bare hashing rate in the same process pool
    (target >= 0.9);
(b) cheap hasher: library time / (bare fpdf2 loop drawing the same page with its fixed
    parts drawn once + a pypdf split into single-page PDFs) (target <= 2);
(c) time(10 N) / time(N) (target <= 10.5);
(d) time with 1 worker / time with 2 workers (target >= 1.8 on 2 cores), next to the same
    ratio for bare hashing, the ceiling on a machine where hashing itself does not scale;
(e) peak memory (target: under 1 GiB at 100,000 candidates).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import attrs
import pendulum

from cambridge_results.board.schema import SCHEMA

CHEAP = "test-cheap"


def _policy(hasher: str) -> Any:
    from cambridge_results.policy import example_2026

    policy = example_2026()
    if hasher == CHEAP:
        # Benchmarks only: the shipped policy refuses the cheap hasher (CRW-12).
        credentials = attrs.evolve(policy.credentials, allowed_test_hashers=(CHEAP,))
        policy = attrs.evolve(policy, credentials=credentials)
    return policy


def _peak_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def _split(n: int) -> tuple[int, int]:
    """Centres and candidates per centre for N (candidate numbers have four digits)."""
    centres = -(-n // 9999)
    while n % centres:
        centres += 1
    return centres, n // centres


def run_library(n: int, hasher: str, workers: int) -> dict[str, float]:
    """Seed N candidates on SQLite (GB100, then Associate Centres of GB200 when N > 9999),
    give them access, then time Website.generate_letters (mode ALL) for every one of them."""
    from cambridge_results.associates import Associates
    from cambridge_results.clock import FixedClock
    from cambridge_results.context import Context
    from cambridge_results.sample_board import (
        give_sample_access,
        letter_groups,
        sample_board,
        store_sample_board,
    )
    from cambridge_results.storage import open_store
    from cambridge_results.website import GenerationRequest, Website

    policy = _policy(hasher)
    clock = FixedClock(pendulum.datetime(2026, 10, 5, 9, tz="UTC"))
    centres, per_centre = _split(n)
    with tempfile.TemporaryDirectory(prefix="cr-bench-") as tmp:
        store = open_store(f"sqlite:///{Path(tmp) / 'bench.db'}", migrations=SCHEMA)
        board = sample_board(
            series="November 2026",
            associate_centres=centres - 1,
            candidates_per_centre=per_centre,
        )
        context = Context(store=store, policy=policy, clock=clock)
        store_sample_board(context, board, batch_size=2000)
        website = Website(context, hasher_name=hasher, workers=workers)
        give_sample_access(website, Associates(context), board)
        letters = 0
        started = time.perf_counter()
        for group in letter_groups(board):
            report = website.generate_letters(
                group.principal,
                GenerationRequest(
                    centres=group.centres,
                    series=board.series,
                    mode="all",
                    out_dir=Path(tmp) / group.name,
                ),
            )
            letters += report.letters
        seconds = time.perf_counter() - started
        store.close()
    if letters != n:
        raise SystemExit(f"expected {n} letters, got {letters}")
    return {"seconds": seconds, "peak_mib": _peak_mib()}


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
    return {"seconds": seconds, "peak_mib": _peak_mib()}


def run_bare_render(n: int) -> dict[str, float]:
    """A bare fpdf2 loop: fixed text placed with text() per page, one font subset, then
    a pypdf split into single-page PDFs written to a zip: the floor for rendering."""
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
    started = time.perf_counter()
    batch = 500
    with tempfile.TemporaryDirectory(prefix="cr-bare-") as tmp:
        combined = Path(tmp) / "combined.pdf"
        with zipfile.ZipFile(Path(tmp) / "letters.zip", "w") as archive:
            writer_all = PdfWriter()
            for start in range(0, n, batch):
                pdf = FPDF(unit="mm", format="A4")
                pdf.add_font(face.family, style="", fname=str(face.path))
                pdf.set_font(face.family, size=11)
                for i in range(start, min(n, start + batch)):
                    pdf.add_page()
                    for line_no, line in enumerate(fixed):
                        pdf.text(20, 30 + 8 * line_no, line)
                    pdf.text(20, 80, f"Candidate {i:05d} Name Surname")
                    pdf.text(20, 88, f"Username k7mq4-{i:05d}  Password abcd2345efgh")
                data = bytes(pdf.output())
                reader = PdfReader(io.BytesIO(data))
                for index, page in enumerate(reader.pages):
                    single = PdfWriter()
                    single.add_page(page)
                    out = io.BytesIO()
                    single.write(out)
                    archive.writestr(f"{start + index:06d}.pdf", out.getvalue())
                    writer_all.add_page(page)
            with combined.open("wb") as handle:
                writer_all.write(handle)
    return {"seconds": time.perf_counter() - started, "peak_mib": _peak_mib()}


def _child(kind: str, n: int, hasher: str, workers: int) -> dict[str, float]:
    command = [sys.executable, __file__, "_child", kind, str(n), hasher, str(workers)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{result.stderr[-3000:]}")
    measured: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return measured


def _line(label: str, n: int, m: dict[str, float]) -> None:
    rate = n / m["seconds"]
    print(f"{label:<44} {m['seconds']:8.2f} s  {rate:9.1f} /s  peak {m['peak_mib']:7.1f} MiB")


def _one_vs_two(kind: str, label: str, n: int, hasher: str, repeat: int) -> float:
    """Time ``kind`` with 1 and then 2 worker processes, ``repeat`` times in turn; return
    the speedup of the best times.

    This machine's cores are shared with other tenants, so single runs vary by 10% and
    more; alternating the two and keeping each one's best (as ``timeit`` does) compares
    the least disturbed runs.  The median of the pairs is printed next to it.
    """
    ones: list[float] = []
    twos: list[float] = []
    if kind == "library":
        labels = (f"{label} {hasher}, 1 worker", f"{label} {hasher}, 2 workers")
    else:
        labels = (f"{label} 1 process", f"{label} 2 processes")
    for _ in range(repeat):
        one = _child(kind, n, hasher, 1)
        two = _child(kind, n, hasher, 2)
        _line(labels[0], n, one)
        _line(labels[1], n, two)
        ones.append(one["seconds"])
        twos.append(two["seconds"])
    pairs = sorted(a / b for a, b in zip(ones, twos, strict=True))
    best = min(ones) / min(twos)
    if repeat > 1:
        median = pairs[len(pairs) // 2]
        print(f"    best {min(ones):.2f} s / {min(twos):.2f} s; median of pairs {median:.2f}")
    return best


def main(argv: list[str] | None = None) -> int:
    """Run the measurements chosen on the command line and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--candidates", type=int, default=10_000)
    parser.add_argument("--hasher", default="argon2id", help="argon2id, scrypt or test-cheap")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--scaling", type=int, metavar="N", help="also time N and 10 N (cheap)")
    parser.add_argument("--speedup", type=int, metavar="N", help="also time 1 vs 2 workers")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each for --speedup (best times count)"
    )
    args = parser.parse_args(argv)
    n, workers = args.candidates, args.workers
    print(f"{n} candidates, hasher {args.hasher}, {workers} workers, {os.cpu_count()} cores")

    library = _child("library", n, args.hasher, workers)
    _line(f"library, {args.hasher}", n, library)
    if args.hasher == CHEAP:
        bare = _child("render", n, CHEAP, workers)
        _line("bare fpdf2 loop + pypdf split (1 process)", n, bare)
        print(f"(b) library / bare render = {library['seconds'] / bare['seconds']:.2f}  (<= 2)")
    else:
        bare = _child("hashing", n, args.hasher, workers)
        _line(f"bare {args.hasher} hashing, same pool", n, bare)
        ratio = (n / library["seconds"]) / (n / bare["seconds"])
        print(f"(a) library rate / bare hashing rate = {ratio:.3f}  (>= 0.9)")
    print(f"(e) peak memory {library['peak_mib']:.0f} MiB at {n} candidates")

    if args.scaling:
        small = _child("library", args.scaling, CHEAP, workers)
        large = _child("library", 10 * args.scaling, CHEAP, workers)
        _line(f"library, {CHEAP}, N={args.scaling}", args.scaling, small)
        _line(f"library, {CHEAP}, 10 N={10 * args.scaling}", 10 * args.scaling, large)
        print(f"(c) time(10 N) / time(N) = {large['seconds'] / small['seconds']:.2f}  (<= 10.5)")
    if args.speedup:
        speedup = _one_vs_two("library", "library,", args.speedup, args.hasher, args.repeat)
        print(f"(d) 2-worker speedup = {speedup:.2f}  (>= 1.8)")
        if args.hasher != CHEAP:
            # The ceiling: how much the unavoidable work itself gains from a second core
            # (argon2id is memory-bound; two hashes at once share caches and memory bandwidth).
            ceiling = _one_vs_two(
                "hashing", f"bare {args.hasher} hashing,", args.speedup, args.hasher, args.repeat
            )
            print(
                f"    bare hashing speedup = {ceiling:.2f}; library / bare {speedup / ceiling:.2f}"
            )
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_child":
        kind, n_text, hasher_name, workers_text = sys.argv[2:6]
        runners = {
            "library": lambda: run_library(int(n_text), hasher_name, int(workers_text)),
            "hashing": lambda: run_bare_hashing(int(n_text), hasher_name, int(workers_text)),
            "render": lambda: run_bare_render(int(n_text)),
        }
        print(json.dumps(runners[kind]()))
        raise SystemExit(0)
    raise SystemExit(main())
