"""The ``cambridge-results`` command: the demo, setting a board up, access settings and letters.

Every command works on an SQLite file (``--db``) or any store URL
(``--store postgresql://...``).  Only ``demo`` and ``init`` create a
database; every other command opens an existing one.  Exit statuses
(docs/cli.md): 0 done; 1 a file or directory could not be read or written
(the message names it); 2 a refusal (bad options, a rule, bad input; the
library's errors); 130 interrupted (Ctrl-C).  No user error ends in a
traceback, and nothing is half-written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import attrs

from cambridge_results import __version__
from cambridge_results.board import Board, open_board
from cambridge_results.board_import import KINDS
from cambridge_results.entries_import import ImportRejected
from cambridge_results.errors import CambridgeResultsError, InvalidValue
from cambridge_results.files import write_atomically
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
from cambridge_results.storage.plugins import scheme_of
from cambridge_results.storage.sqlite import path_from_url
from cambridge_results.values import CentreNumber
from cambridge_results.values.access import AccessMode
from cambridge_results.website import (
    GenerationMode,
    GenerationProgress,
    GenerationReport,
    GenerationRequest,
    Website,
)

__all__ = ["EXIT_FILES", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_REFUSED", "main"]

#: Exit statuses (docs/cli.md).
EXIT_OK = 0
EXIT_FILES = 1
EXIT_REFUSED = 2
EXIT_INTERRUPTED = 130

DEMO_SERIES = "November 2026"
#: The file in a demo directory listing what the demo wrote there (relative paths).
DEMO_MANIFEST = ".cambridge-results-demo"


class CommandError(CambridgeResultsError):
    """A command refused its options (a missing database, a directory not empty)."""


def _principal(text: str) -> Principal:
    kind, _, ident = text.partition(":")
    if kind == "centre":
        return CentreOfficer(centre=ident)
    if kind == "associate":
        return AssociateOfficer(associate=ident)
    if kind == "board":
        return BoardStaff(staff_id=ident)
    raise InvalidValue("--as", f"{text!r} is not centre:GB123, associate:GB200 or board:staff-id")


def _policy(args: argparse.Namespace) -> Policy:
    return load_policy(args.policy) if args.policy else example_2026()


def _store_url(args: argparse.Namespace, *, create: bool = False) -> str:
    """The store's URL; unless ``create``, an SQLite file must already exist."""
    url = str(args.store) if args.store else f"sqlite:///{Path(args.db).resolve()}"
    if scheme_of(url) == "sqlite" and not create:
        path = path_from_url(url).resolve()
        if not path.is_file():
            raise CommandError(
                f"no database at {path}; `cambridge-results init` creates one "
                "(a mistyped --db or --store?)"
            )
    return url


def _open(args: argparse.Namespace, *, create: bool = False) -> Board:
    return open_board(
        _store_url(args, create=create),
        policy=_policy(args),
        hasher_name=getattr(args, "hasher", None),
        workers=getattr(args, "workers", None),
    )


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


def _out_dir(text: str | Path, *, make: bool = False) -> Path:
    """``--out``: a directory, not a file; with ``make``, created ``0700`` if missing.

    Letter runs leave the directory to the letter store, which creates it only
    once the run's checks have passed, so a refused run leaves no empty directory.
    """
    out = Path(text)
    if out.exists() and not out.is_dir():
        raise CommandError(f"--out {out} is a file, not a directory")
    if make:
        out.mkdir(mode=0o700, parents=True, exist_ok=True)
    return out


def _generate(
    website: Website,
    principal: Principal,
    *,
    centres: Sequence[CentreNumber | str],
    mode: str,
    out: str | Path,
    series: str = DEMO_SERIES,
    selected: Sequence[str] | None = None,
) -> GenerationReport:
    request = GenerationRequest(
        centres=centres,
        series=series,
        mode=mode,
        out_dir=Path(out),
        selected=selected or None,
        on_progress=_on_progress(ProgressBar(f"letters {'+'.join(str(c) for c in centres)}")),
    )
    return website.generate_letters(principal, attrs.evolve(request, out_dir=_out_dir(out)))


# -- demo ----------------------------------------------------------------------------


def _demo_root(root: Path, *, force: bool) -> set[str]:
    """Make ``root`` ready for the demo; the files an earlier demo wrote there.

    An existing directory must be empty, unless ``force``: then the files an
    earlier demo listed in its manifest are deleted, and nothing else.
    """
    if root.exists() and not root.is_dir():
        raise CommandError(f"--dir {root} is a file, not a directory")
    root.mkdir(parents=True, exist_ok=True)
    if not any(root.iterdir()):
        return set()
    if not force:
        raise CommandError(
            f"--dir {root} is not empty; the demo writes only into a new or empty directory "
            "(--force replaces what an earlier demo wrote there, and nothing else)"
        )
    manifest = root / DEMO_MANIFEST
    earlier = set(manifest.read_text(encoding="utf-8").split("\n")) if manifest.is_file() else set()
    earlier.discard("")
    for name in sorted(earlier, reverse=True):
        path = root / name
        if path.is_file() and not path.is_symlink():
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    for name in ("results.db", "results.db-wal", "results.db-shm"):
        if (root / name).exists():
            raise CommandError(f"refusing to replace {root / name}: the demo did not create it")
    return earlier


def _record(root: Path, names: set[str]) -> None:
    (root / DEMO_MANIFEST).write_text("\n".join(sorted(names)) + "\n", encoding="utf-8")


def _demo(args: argparse.Namespace) -> int:
    root = Path(args.dir)
    _demo_root(root, force=args.force)
    db = root / "results.db"
    letters = root / "letters"
    written = {DEMO_MANIFEST, "results.db", "results.db-wal", "results.db-shm", "letters"}
    # Recorded before anything is written, so an interrupted demo can be replaced too.
    _record(root, written)
    args.store, args.db = None, str(db)
    policy = _policy(args)
    with _open(args, create=True) as board:
        sample = sample_board(
            series=DEMO_SERIES,
            associate_centres=args.associate_centres,
            candidates_per_centre=args.candidates,
        )
        count = store_sample_board(board.context, sample)
        print(f"Sample board in {db}:")
        print(
            f"  centre GB100, Associate {sample.associate.number} with "
            f"{args.associate_centres} Associate Centres, {count} candidates in {sample.series}"
        )
        give_sample_access(board.website, board.associates, sample)
        print("Access: ALL candidates at every centre; the Associate uses defaults, a 2-day delay")
        print("and itself as the contact for its Associate Centres.")
        reports = []
        for group in letter_groups(sample):
            written.add(f"letters/{group.name}")
            _record(root, written)
            report = _generate(
                board.website,
                group.principal,
                centres=group.centres,
                mode="all",
                out=letters / group.name,
            )
            for path in (*report.combined_pdfs, report.zip_file):
                if path is not None:
                    written.add(path.relative_to(root).as_posix())
            _record(root, written)
            reports.append(report)
    print("Letters written:")
    for report in reports:
        _print_report(report)
    hasher = args.hasher or policy.credentials.hasher
    print(f"Passwords exist only in those letters; the database holds {hasher} hashes.")
    return EXIT_OK


# -- setting a board up ----------------------------------------------------------------


def _init(args: argparse.Namespace) -> int:
    with _open(args, create=True) as board:
        version = board.store.schema_version()
    print(f"board database ready at {board.store.url} (schema version {version})")
    return EXIT_OK


def _import_board(args: argparse.Namespace) -> int:
    with _open(args) as board:
        count = board.data.import_rows_file(_principal(args.as_), args.kind, args.file)
    print(f"imported {count} {args.kind}")
    return EXIT_OK


def _import(args: argparse.Namespace) -> int:
    with _open(args) as board:
        report = board.data.import_entries_file(_principal(args.as_), args.file)
    print(f"imported {report.entries_added} entries ({report.candidates_added} new candidates)")
    return EXIT_OK


# -- access and letters ----------------------------------------------------------------


def _delay(delay: object) -> str:
    text = str(delay)
    return text if text == "no delay" else f"a delay of {text}"


def _set_access(args: argparse.Namespace) -> int:
    with _open(args) as board:
        result = board.website.set_access(
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
    effective = result.effective
    print(
        f"access for {result.access.centre}, {result.access.series}: "
        f"{effective.mode.value.name} (from {effective.mode.source.value}), "
        f"{_delay(effective.delay.value)}"
    )
    if result.revoked:
        print(f"revoked {result.revoked} credentials of candidates who lost access")
    return EXIT_OK


def _letters(args: argparse.Namespace) -> int:
    principal = _principal(args.as_)
    with _open(args) as board:
        report = _generate(
            board.website,
            principal,
            centres=args.centre,
            series=args.series,
            mode=args.mode,
            out=args.out,
            selected=args.candidate,
        )
    if report.run is None:
        print("nothing to generate: no candidate needs a letter in this mode")
    else:
        _print_report(report)
    return EXIT_OK


def _result_pdfs(args: argparse.Namespace) -> int:
    """Result PDFs for a report, in batches of at most the policy's cap (LOG-07, LOG-09)."""
    principal = _principal(args.as_)
    with _open(args) as board:
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
            return EXIT_OK
        out = _out_dir(args.out, make=True)
        for i, batch in enumerate(batches, start=1):
            pdfs = board.reports.result_pdfs(
                principal, ResultPdfRequest(series=report.series, results=batch)
            )
            path = out / f"results_{report.series.code}_{i:03d}_of_{len(batches):03d}.pdf"
            write_atomically(path, pdfs.pdf)
            print(f"  {path}: {pdfs.count} result PDFs")
    return EXIT_OK


# -- the parser and main -----------------------------------------------------------------


def _store_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db", default="results.db", help="an existing SQLite database file (default: results.db)"
    )
    p.add_argument(
        "--store",
        metavar="URL",
        help="a store URL instead of --db: postgresql://..., sqlite:///file.db?mode=ro",
    )
    p.add_argument("--policy", help="a policy JSON file (default: the example 2026 policy)")


def _generation_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--hasher", help="password hasher (default: the policy's, argon2id)")
    p.add_argument(
        "--workers", type=int, help="processes that hash and render (default: every core; 0: none)"
    )


def _as_option(p: argparse.ArgumentParser, who: str) -> None:
    p.add_argument("--as", dest="as_", required=True, metavar="WHO", help=f"who acts: {who}")


def _setup_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    init = sub.add_parser("init", help="create a board database (or bring one up to date)")
    _store_options(init)
    init.set_defaults(run=_init)
    for kind, (required, optional) in KINDS.items():
        p = sub.add_parser(
            f"import-{kind}",
            help=f"set up a board: store {kind} from CSV (board staff only)",
            description=f"Columns: {','.join(required)}; optional: {','.join(optional)}. "
            "See docs/cli.md.",
        )
        _store_options(p)
        _as_option(p, "board:staff-id")
        p.add_argument("file", help=f"a UTF-8 CSV file of {kind} with a header row")
        p.set_defaults(run=_import_board, kind=kind)
    imp = sub.add_parser("import-entries", help="import candidates and entries from CSV")
    _store_options(imp)
    _as_option(imp, "centre:GB123 (its own candidates) or board:staff-id")
    imp.add_argument("file", help="CSV with columns centre,candidate_number,given_name,...")
    imp.set_defaults(run=_import)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cambridge-results",
        description="Results administration: candidate results website letters and entries.",
        epilog="Exit status: 0 done, 1 a file could not be read or written, "
        "2 refused (bad options or input, a rule), 130 interrupted.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}", help="show the version"
    )
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", help="what to do; COMMAND --help for more"
    )

    demo = sub.add_parser("demo", help="create a sample board and generate every letter")
    demo.add_argument(
        "--dir", default="demo", help="a new or empty directory for the database and letters"
    )
    demo.add_argument(
        "--force",
        action="store_true",
        help="use a directory that is not empty, replacing only what an earlier demo wrote",
    )
    demo.add_argument("--candidates", type=int, default=100, help="candidates per centre")
    demo.add_argument(
        "--associate-centres", type=int, default=2, help="Associate Centres of the Associate"
    )
    demo.add_argument("--policy", help="a policy JSON file (default: the example 2026 policy)")
    _generation_options(demo)
    demo.set_defaults(run=_demo)

    _setup_parsers(sub)

    acc = sub.add_parser("set-access", help="set a centre's access for a series (CRW-01..05)")
    _store_options(acc)
    _as_option(acc, "centre:GB123")
    acc.add_argument("--centre", required=True, help="the centre, e.g. GB100")
    acc.add_argument("--series", required=True, help="e.g. 'November 2026' or 2026-11")
    acc.add_argument(
        "--mode", required=True, choices=["none", "all", "selected"], help="who gets access"
    )
    acc.add_argument("--agree", action="store_true", help="agree to manage candidates' queries")
    acc.add_argument("--contact-name", help="the contact candidates are told to ask")
    acc.add_argument("--phone", help="the contact's telephone number")
    acc.add_argument("--email", help="the contact's email address")
    acc.add_argument("--delay", help="results shown this long after release: '2 days' or PT48H")
    acc.set_defaults(run=_set_access)

    gen = sub.add_parser("generate-letters", help="generate credentials and letters")
    _store_options(gen)
    _as_option(gen, "centre:GB123 or associate:GB200")
    gen.add_argument(
        "--centre", required=True, action="append", help="a centre; repeat for several"
    )
    gen.add_argument("--series", required=True, help="e.g. 'November 2026' or 2026-11")
    gen.add_argument(
        "--mode",
        default="new",
        choices=[m.value for m in GenerationMode],
        help="which candidates (default: new, those without a working credential)",
    )
    gen.add_argument(
        "--candidate",
        action="append",
        metavar="NUMBER",
        help="with --mode selected: a candidate number; repeat for several",
    )
    gen.add_argument("--out", required=True, help="directory for the PDFs and the zip")
    _generation_options(gen)
    gen.set_defaults(run=_letters)

    res = sub.add_parser(
        "result-pdfs", help="result PDFs for a report, in batches of at most 300 (LOG-07..10)"
    )
    _store_options(res)
    _as_option(res, "centre:GB123")
    res.add_argument("--series", required=True, help="e.g. 'June 2026' or 2026-06")
    res.add_argument("--from", dest="number_from", help="first candidate number (inclusive)")
    res.add_argument("--to", dest="number_to", help="last candidate number (inclusive)")
    res.add_argument("--first-name", help="full or partial first name, any case")
    res.add_argument("--last-name", help="full or partial last name, any case")
    res.add_argument("--qualification", help="only this qualification's syllabuses, e.g. IGCSE")
    res.add_argument("--out", required=True, help="directory for the PDFs (one per batch)")
    res.set_defaults(run=_result_pdfs)
    return parser


def _error_text(exc: CambridgeResultsError) -> str:
    """The message, with its rule once (a message that already cites it is not prefixed)."""
    if exc.rule and str(getattr(exc, "message", "")).startswith(f"[{exc.rule}"):
        return str(exc.message)
    return str(exc)


def _os_error_text(exc: OSError) -> str:
    names = [str(n) for n in (exc.filename, exc.filename2) if n is not None]
    what = exc.strerror or str(exc)
    return f"{what}: {' -> '.join(names)}" if names else what


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (docs/cli.md)."""
    try:
        args = _parser().parse_args(argv)
        status: int = args.run(args)
    except KeyboardInterrupt:
        print("interrupted; nothing half-written was kept", file=sys.stderr)
        return EXIT_INTERRUPTED
    except ImportRejected as exc:
        # Every problem, however many: the file is fixed in one go.
        print(f"error: {len(exc.problems)} problem(s); nothing was imported:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_REFUSED
    except CambridgeResultsError as exc:
        print(f"error: {_error_text(exc)}", file=sys.stderr)
        return EXIT_REFUSED
    except OSError as exc:
        print(f"error: {_os_error_text(exc)}", file=sys.stderr)
        return EXIT_FILES
    return status


if __name__ == "__main__":
    raise SystemExit(main())
