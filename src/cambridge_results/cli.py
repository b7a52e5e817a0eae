"""The ``cambridge-results`` command: the demo, CSV imports, access settings and letters.

Every command works on an SQLite file (the embedded default) or any store URL
(``--store postgresql://...``).  Errors the library raises on purpose are
printed as one clear message with exit status 2; nothing is half-written.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from cambridge_results import __version__
from cambridge_results.associates import Associates
from cambridge_results.board import open_board
from cambridge_results.board.schema import SCHEMA
from cambridge_results.context import Context
from cambridge_results.entries_import import ImportRejected, import_entries_file
from cambridge_results.errors import CambridgeResultsError, InvalidValue
from cambridge_results.policy import Policy, example_2026, load_policy
from cambridge_results.principals import AssociateOfficer, BoardStaff, CentreOfficer, Principal
from cambridge_results.progress import ProgressBar
from cambridge_results.reports import ReportRequest, ResultPdfRequest
from cambridge_results.rules.website.access import AccessRequest
from cambridge_results.sample_board import (
    give_sample_access,
    letter_groups,
    sample_board,
    store_sample_board,
)
from cambridge_results.storage import open_store
from cambridge_results.values import CentreNumber
from cambridge_results.values.access import AccessMode
from cambridge_results.website import (
    GenerationMode,
    GenerationProgress,
    GenerationReport,
    GenerationRequest,
    Website,
)

__all__ = ["main"]

DEMO_SERIES = "November 2026"


def _principal(text: str) -> Principal:
    kind, _, ident = text.partition(":")
    if kind == "centre":
        return CentreOfficer(centre=ident)
    if kind == "associate":
        return AssociateOfficer(associate=ident)
    if kind == "board":
        return BoardStaff(staff_id=ident)
    raise InvalidValue("--as", f"{text!r} is not centre:GB123, associate:GB200 or board:staff-id")


def _store_url(args: argparse.Namespace) -> str:
    if args.store:
        return str(args.store)
    return f"sqlite:///{Path(args.db).resolve()}"


def _policy(args: argparse.Namespace) -> Policy:
    return load_policy(args.policy) if args.policy else example_2026()


def _on_progress(bar: ProgressBar) -> Callable[[GenerationProgress], None]:
    def report(progress: GenerationProgress) -> None:
        bar(progress.done, max(progress.total, progress.done))

    return report


def _print_report(report: GenerationReport) -> None:
    centres = ", ".join(str(c) for c in report.centres)
    print(f"  {report.letters} letters for {centres}, {report.series} ({report.mode.value})")
    for pdf in report.combined_pdfs:
        print(f"  combined PDF: {pdf}")
    if report.zip_file is not None:
        print(f"  zip of single PDFs: {report.zip_file}")
    if report.recovered:
        print(f"  recovered {report.recovered} unprinted credentials of an interrupted run")


def _website(context: Context, args: argparse.Namespace) -> Website:
    return Website(context, hasher_name=args.hasher, workers=args.workers)


def _generate(
    website: Website,
    principal: Principal,
    *,
    centres: Sequence[CentreNumber | str],
    series: str,
    mode: str,
    out_dir: Path,
) -> GenerationReport:
    bar = ProgressBar(f"letters {'+'.join(str(c) for c in centres)}")
    return website.generate_letters(
        principal,
        GenerationRequest(
            centres=centres,
            series=series,
            mode=mode,
            out_dir=out_dir,
            on_progress=_on_progress(bar),
        ),
    )


def _demo(args: argparse.Namespace) -> int:
    root = Path(args.dir)
    db = root / "results.db"
    letters = root / "letters"
    root.mkdir(parents=True, exist_ok=True)
    # The demo always starts afresh in its own directory, so it can be run again.
    for leftover in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(letters, ignore_errors=True)

    store = open_store(f"sqlite:///{db.resolve()}", migrations=SCHEMA)
    context = Context(store=store, policy=_policy(args))
    board = sample_board(
        series=DEMO_SERIES,
        associate_centres=args.associate_centres,
        candidates_per_centre=args.candidates,
    )
    count = store_sample_board(context, board)
    print(f"Sample board in {db}:")
    print(
        f"  centre GB100, Associate {board.associate.number} with "
        f"{args.associate_centres} Associate Centres, {count} candidates in {board.series}"
    )

    website = _website(context, args)
    give_sample_access(website, Associates(context), board)
    print("Access: ALL candidates at every centre; the Associate uses defaults, a 2-day delay")
    print("and itself as the contact for its Associate Centres.")

    reports = [
        _generate(
            website,
            group.principal,
            centres=group.centres,
            series=DEMO_SERIES,
            mode="all",
            out_dir=letters / group.name,
        )
        for group in letter_groups(board)
    ]
    store.close()
    print("Letters written:")
    for report in reports:
        _print_report(report)
    print("Passwords exist only in those letters; the database holds argon2id hashes.")
    return 0


def _import(args: argparse.Namespace) -> int:
    store = open_store(_store_url(args), migrations=SCHEMA)
    try:
        report = import_entries_file(
            Context(store=store, policy=_policy(args)), args.file, principal=_principal(args.as_)
        )
    except ImportRejected as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()
    print(f"imported {report.entries_added} entries ({report.candidates_added} new candidates)")
    return 0


def _set_access(args: argparse.Namespace) -> int:
    store = open_store(_store_url(args), migrations=SCHEMA)
    try:
        website = Website(Context(store=store, policy=_policy(args)), workers=0)
        result = website.set_access(
            _principal(args.as_),
            args.centre,
            args.series,
            AccessRequest(
                mode=AccessMode[args.mode.upper()],
                agreed_to_manage_queries=args.agree,
                contact_name=args.contact_name,
                phone=args.phone,
                email=args.email,
                delay=args.delay,
            ),
        )
    finally:
        store.close()
    effective = result.effective
    print(
        f"access for {result.access.centre}, {result.access.series}: "
        f"{effective.mode.value.name} (from {effective.mode.source.value}), "
        f"delay {effective.delay.value}"
    )
    if result.revoked:
        print(f"revoked {result.revoked} credentials of candidates who lost access")
    return 0


def _letters(args: argparse.Namespace) -> int:
    store = open_store(_store_url(args), migrations=SCHEMA)
    try:
        report = _generate(
            _website(Context(store=store, policy=_policy(args)), args),
            _principal(args.as_),
            centres=args.centre,
            series=args.series,
            mode=args.mode,
            out_dir=Path(args.out),
        )
    finally:
        store.close()
    if report.run is None:
        print("nothing to generate: no candidate needs a letter in this mode")
    else:
        _print_report(report)
    return 0


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` readable by its owner only (0600), replacing it whole."""
    temp = path.with_name(f".{path.name}.part")
    handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(handle, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temp, path)


def _result_pdfs(args: argparse.Namespace) -> int:
    """Result PDFs for a report, in batches of at most the policy's cap (LOG-07, LOG-09)."""
    principal = _principal(args.as_)
    board = open_board(_store_url(args), policy=_policy(args))
    try:
        report = board.reports.report(
            principal,
            ReportRequest(
                series=args.series,
                number_from=args.number_from,
                number_to=args.number_to,
                first_name=args.first_name,
                last_name=args.last_name,
                qualification=args.qualification,
            ),
        )
        for code in report.withheld:
            print(f"  left out {code}: not on the results website [LOG-08]")
        batches = board.reports.pdf_batches(principal, report.keys)
        if not batches:
            print("nothing to generate: no result meets the report's criteria")
            return 0
        out = Path(args.out)
        out.mkdir(mode=0o700, parents=True, exist_ok=True)
        for i, batch in enumerate(batches, start=1):
            pdfs = board.reports.result_pdfs(
                principal, ResultPdfRequest(series=report.series, results=batch)
            )
            path = out / f"results_{report.series.code}_{i:03d}_of_{len(batches):03d}.pdf"
            _write_private(path, pdfs.pdf)
            print(f"  {path}: {pdfs.count} result PDFs")
    finally:
        board.close()
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cambridge-results",
        description="Results administration: candidate results website letters and entries.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}", help="show the version"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def store_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", default="results.db", help="SQLite file (default: results.db)")
        p.add_argument("--store", help="a store URL instead of --db, e.g. postgresql://...")
        p.add_argument("--policy", help="a policy JSON file (default: the example 2026 policy)")

    def generation_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--hasher", help="password hasher (default: the policy's, argon2id)")
        p.add_argument("--workers", type=int, help="processes for hashing and rendering")

    demo = sub.add_parser("demo", help="create a sample board and generate every letter")
    demo.add_argument("--dir", default="demo", help="where the database and letters go")
    demo.add_argument("--candidates", type=int, default=100, help="candidates per centre")
    demo.add_argument("--associate-centres", type=int, default=2)
    demo.add_argument("--policy", help="a policy JSON file (default: the example 2026 policy)")
    generation_options(demo)
    demo.set_defaults(run=_demo)

    imp = sub.add_parser("import-entries", help="import candidates and entries from CSV")
    store_options(imp)
    imp.add_argument("--as", dest="as_", required=True, help="centre:GB123 or board:staff-id")
    imp.add_argument("file", help="CSV with columns centre,candidate_number,given_name,...")
    imp.set_defaults(run=_import)

    acc = sub.add_parser("set-access", help="set a centre's access for a series (CRW-01..05)")
    store_options(acc)
    acc.add_argument("--as", dest="as_", required=True, help="centre:GB123")
    acc.add_argument("--centre", required=True)
    acc.add_argument("--series", required=True, help="e.g. 'November 2026' or 2026-11")
    acc.add_argument("--mode", required=True, choices=["none", "all", "selected"])
    acc.add_argument("--agree", action="store_true", help="agree to manage candidates' queries")
    acc.add_argument("--contact-name")
    acc.add_argument("--phone")
    acc.add_argument("--email")
    acc.add_argument("--delay", help="e.g. '2 days' or PT48H")
    acc.set_defaults(run=_set_access)

    gen = sub.add_parser("generate-letters", help="generate credentials and letters")
    store_options(gen)
    gen.add_argument("--as", dest="as_", required=True, help="centre:GB123 or associate:GB200")
    gen.add_argument("--centre", required=True, action="append", help="repeat for several")
    gen.add_argument("--series", required=True)
    gen.add_argument("--mode", default="new", choices=[m.value for m in GenerationMode])
    gen.add_argument("--out", required=True, help="directory for the PDFs and the zip")
    generation_options(gen)
    gen.set_defaults(run=_letters)

    res = sub.add_parser(
        "result-pdfs", help="result PDFs for a report, in batches of at most 300 (LOG-07..10)"
    )
    store_options(res)
    res.add_argument("--as", dest="as_", required=True, help="centre:GB123")
    res.add_argument("--series", required=True)
    res.add_argument("--from", dest="number_from", help="first candidate number (inclusive)")
    res.add_argument("--to", dest="number_to", help="last candidate number (inclusive)")
    res.add_argument("--first-name", help="full or partial first name, any case")
    res.add_argument("--last-name", help="full or partial last name, any case")
    res.add_argument("--qualification", help="only this qualification's syllabuses, e.g. IGCSE")
    res.add_argument("--out", required=True, help="directory for the PDFs (one per batch)")
    res.set_defaults(run=_result_pdfs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        status: int = args.run(args)
    except CambridgeResultsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return status


if __name__ == "__main__":
    raise SystemExit(main())
