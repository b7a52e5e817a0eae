"""Bulk generation on the store: modes, letters that log in, no plaintext anywhere (CRW-07..13).

Runs on ``memory://`` and a real SQLite file; letters are real PDFs read
back with pypdf.  The crash tests are in ``test_generation_crash.py``.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import attrs
import pytest
from pypdf import PdfReader
from website_store_support import (
    HASHER,
    MAIN,
    POLICY,
    SERIES,
    all_request,
    assert_letters_log_in,
    build_board,
    clock,
    credentials,
    generate,
    login_details,
    open_test_store,
    snapshot,
    web,
    zip_letters,
)

from cambridge_results import example_2026
from cambridge_results.hashing import hasher_for
from cambridge_results.storage.port import Store
from cambridge_results.values.access import AccessMode
from cambridge_results.website import (
    CandidateSelection,
    CredentialState,
    GenerationMode,
    GenerationProgress,
    GenerationReport,
    WebsiteRepositories,
)


def _ready(store: Store, mode: AccessMode = AccessMode.ALL) -> Store:
    web(store, clock=clock(), policy=POLICY).set_access(
        MAIN, "GB100", SERIES, all_request(mode=mode)
    )
    return store


@pytest.fixture
def ready(board: Store) -> Store:
    """The board with GB100 giving ALL its six candidates access."""
    return _ready(board)


def run(
    store: Store, out: Path, mode: GenerationMode | str = "all", **extra: Any
) -> GenerationReport:
    """Generate for GB100 with the cheap hasher, in this process unless told otherwise."""
    fields: dict[str, Any] = {
        "principal": MAIN,
        "centres": "GB100",
        "series": SERIES,
        "mode": mode,
        "out_dir": out,
        "policy": POLICY,
        "clock": clock(),
        "hasher_name": "test-cheap",
        "workers": 0,
        "batch_size": 4,
    }
    fields.update(extra)
    return generate(store, **fields)


def numbers(report: GenerationReport) -> list[str]:
    """The candidate numbers of a run's letters, in zip order."""
    assert report.zip_file is not None
    with zipfile.ZipFile(report.zip_file) as archive:
        return [re.sub(r".*_(\d{4})\.pdf", r"\1", n) for n in archive.namelist()]


def test_letters_read_back_from_the_pdfs_log_in(ready: Store, tmp_path: Path) -> None:
    """CRW-12, CRW-13: username and password read from each PDF verify against the store."""
    report = run(ready, tmp_path)
    assert (report.letters, report.printed, report.superseded) == (6, 6, 0)
    assert (report.new_usernames, report.recovered, report.batches) == (6, 0, 2)
    letters = assert_letters_log_in(ready, report)
    (combined,) = report.combined_pdfs
    pages = list(login_details(combined.read_bytes()))
    assert pages == list(letters.values())
    assert numbers(report) == [f"{100 + i:04d}" for i in range(1, 7)]
    assert {r.state for r in credentials(ready).values()} == {CredentialState.PRINTED}


def test_a_worker_pool_gives_the_same_letters_in_candidate_order(tmp_path: Path) -> None:
    """CRW-10: two worker processes hash and render; the output keeps candidate order."""
    store = open_test_store("sqlite", tmp_path)
    try:
        build_board(store, extra=8)
        _ready(store)
        seen: list[GenerationProgress] = []
        report = run(store, tmp_path / "out", workers=2, batch_size=3, on_progress=seen.append)
        assert report.letters == 14
        assert numbers(report) == [f"{100 + i:04d}" for i in range(1, 15)]
        assert_letters_log_in(store, report)
        assert [p.done for p in seen] == [3, 6, 9, 12, 14]
        assert {p.total for p in seen} == {14}
    finally:
        store.close()


def test_one_real_argon2id_run_stores_self_describing_hashes(board: Store, tmp_path: Path) -> None:
    """CRW-12: the default hasher is argon2id at m=19 MiB, t=2, p=1, and the letter verifies."""
    web(board, clock=clock(), policy=POLICY).set_access(
        MAIN, "GB100", SERIES, all_request(mode=AccessMode.SELECTED)
    )
    web(board, clock=clock(), policy=POLICY).tick_candidates(
        MAIN, CandidateSelection(centre="GB100", series=SERIES, candidates=["0101"])
    )
    report = run(board, tmp_path, "new", policy=example_2026(), hasher_name=None)
    assert report.zip_file is not None
    with zipfile.ZipFile(report.zip_file) as archive:
        ((username, password),) = login_details(archive.read("GB100_2026-06_0101.pdf"))
    record = credentials(board)["0101"]
    assert record.username == username
    assert record.password_hash is not None
    assert record.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert hasher_for(example_2026().credentials).verify(record.password_hash, password)
    assert not HASHER.verify(record.password_hash, password + " ")


def test_no_plaintext_password_is_stored_logged_or_named_anywhere(tmp_path: Path) -> None:
    """CRW-13, SPEC 5: not in rows, events, the database file, file names, metadata or repr."""
    store = open_test_store("sqlite", tmp_path)
    try:
        build_board(store)
        _ready(store)
        out = tmp_path / "out"
        reports = [run(store, out), run(store, out)]
        passwords = set()
        for report in reports:
            assert report.zip_file is not None
            with zipfile.ZipFile(report.zip_file) as archive:
                names = archive.namelist()
                pdfs = [archive.read(n) for n in names]
            pdfs.extend(p.read_bytes() for p in report.combined_pdfs)
            for pdf in pdfs:
                passwords.update(p for _, p in login_details(pdf))
                metadata = PdfReader(io.BytesIO(pdf)).metadata
                assert metadata is not None
                assert not any(p in str(v) for v in metadata.values() for p in passwords)
            assert not any(p in repr(report) for p in passwords)
        assert len(passwords) == 12
        text = repr(snapshot(store))
        with store.unit_of_work(actor="test", read_only=True) as uow:
            records = WebsiteRepositories(uow).credentials.page("GB100", SERIES)
        text += repr(records) + repr(web(store).read_history(MAIN, "GB100"))
        store.close()
        raw = b"".join(p.read_bytes() for p in tmp_path.glob("website.db*"))
        names_on_disk = " ".join(str(p) for p in tmp_path.rglob("*"))
        for password in passwords:
            assert password not in text
            assert password.encode() not in raw
            assert password not in names_on_disk
    finally:
        store.close()


def test_new_generates_only_for_candidates_without_a_working_credential(
    ready: Store, tmp_path: Path
) -> None:
    """CRW-08: NEW covers those never issued and those revoked; the rest keep their letters."""
    first = run(ready, tmp_path, "new")
    assert first.letters == 6
    assert run(ready, tmp_path, "new").letters == 0
    web(ready, clock=clock()).revoke_credentials(
        MAIN, CandidateSelection(centre="GB100", series=SERIES, candidates=["0102", "0105"])
    )
    before = credentials(ready)
    again = run(ready, tmp_path, "new")
    assert numbers(again) == ["0102", "0105"]
    after = credentials(ready)
    assert after["0101"].password_hash == before["0101"].password_hash
    assert_letters_log_in(ready, again)


def test_all_replaces_every_password_and_old_letters_stop_working(
    ready: Store, tmp_path: Path
) -> None:
    """CRW-07, CRW-12: ALL regenerates everyone; a new password replaces the old one."""
    first = run(ready, tmp_path / "a")
    old_letters = assert_letters_log_in(ready, first)
    second = run(ready, tmp_path / "b")
    assert second.new_usernames == 0
    new_letters = assert_letters_log_in(ready, second)
    stored = credentials(ready)
    for name, (username, password) in old_letters.items():
        assert new_letters[name][0] == username
        record = stored[name[-8:-4]]
        assert record.password_hash is not None
        assert not HASHER.verify(record.password_hash, password)


def test_selected_generates_exactly_the_named_candidates(ready: Store, tmp_path: Path) -> None:
    """CRW-07: SELECTED prints letters for the named candidates only."""
    report = run(ready, tmp_path, "selected", selected=["105", "0102"])
    assert numbers(report) == ["0102", "0105"]
    assert sorted(credentials(ready)) == ["0102", "0105"]


def test_every_mode_also_regenerates_unprinted_credentials(ready: Store, tmp_path: Path) -> None:
    """CRW-13: a credential left unprinted (an interrupted run) is regenerated by any run."""
    run(ready, tmp_path / "a")
    with ready.unit_of_work(actor="test:interrupted-run") as uow:
        creds = WebsiteRepositories(uow).credentials
        creds.claim("GB100", SERIES, "0104", run=99)
        creds.issue(
            "GB100", SERIES, "0104", run=99, pending_hash="lost", fingerprint="x", at=clock().now()
        )
    for mode, extra in (("stale", {}), ("selected", {"selected": ["0101"]}), ("new", {})):
        with ready.unit_of_work(actor="test:interrupted-run") as uow:
            creds = WebsiteRepositories(uow).credentials
            creds.claim("GB100", SERIES, "0104", run=99)
            creds.issue(
                "GB100",
                SERIES,
                "0104",
                run=99,
                pending_hash="lost",
                fingerprint="x",
                at=clock().now(),
            )
        report = run(ready, tmp_path / mode, mode, **extra)
        expected = ["0101", "0104"] if mode == "selected" else ["0104"]
        assert numbers(report) == expected
        assert report.recovered == 1
        assert credentials(ready)["0104"].state is CredentialState.PRINTED
        assert_letters_log_in(ready, report)


def test_progress_is_reported_after_every_batch(ready: Store, tmp_path: Path) -> None:
    """CRW-10: the callback sees each batch, with the total known from the start."""
    seen: list[GenerationProgress] = []
    report = run(ready, tmp_path, batch_size=4, on_progress=seen.append)
    assert [(p.done, p.total, p.batches) for p in seen] == [(4, 6, 1), (6, 6, 2)]
    assert {p.run for p in seen} == {report.run}


def test_volumes_split_the_combined_pdf_at_batch_boundaries(ready: Store, tmp_path: Path) -> None:
    """CRW-10: with letters_per_volume, the combined PDF comes in volumes of whole batches."""
    report = run(ready, tmp_path, batch_size=2, letters_per_volume=4)
    assert [p.name for p in report.combined_pdfs] == [
        f"GB100_2026-06_run{report.run:06d}_vol001.pdf",
        f"GB100_2026-06_run{report.run:06d}_vol002.pdf",
    ]
    pages = [len(PdfReader(p).pages) for p in report.combined_pdfs]
    assert pages == [4, 2]
    details = [d for p in report.combined_pdfs for d in login_details(p.read_bytes())]
    assert details == list(assert_letters_log_in(ready, report).values())


def test_a_run_with_nothing_to_do_writes_nothing(ready: Store, tmp_path: Path) -> None:
    """CRW-08: NEW when everyone has a letter: no run number, no files, storage unchanged."""
    run(ready, tmp_path / "a", "new")
    before = snapshot(ready)
    report = run(ready, tmp_path / "b", "new")
    assert (report.run, report.letters, report.combined_pdfs, report.zip_file) == (
        None,
        0,
        (),
        None,
    )
    assert not (tmp_path / "b").exists()
    assert snapshot(ready) == before


def test_a_run_that_fails_midway_deletes_its_files_and_keeps_the_old_letters(
    ready: Store, tmp_path: Path
) -> None:
    """CRW-13: all or nothing: a failed run leaves no files and the old letters still work."""
    first = run(ready, tmp_path)
    old_letters = assert_letters_log_in(ready, first)
    files_before = sorted(tmp_path.iterdir())

    class Stop(Exception):
        pass

    def stop(progress: GenerationProgress) -> None:
        raise Stop

    with pytest.raises(Stop):
        run(ready, tmp_path, batch_size=2, on_progress=stop)
    assert sorted(tmp_path.iterdir()) == files_before
    assert assert_letters_log_in(ready, first) == old_letters
    stored = credentials(ready)
    assert {r.state for r in stored.values()} == {CredentialState.PRINTED}
    assert all(r.pending_hash is None for r in stored.values())
    kinds = [e.kind for e in web(ready).read_history(MAIN, "GB100")]
    assert kinds[-1] == "website.generation-abandoned"


def test_a_candidate_revoked_during_a_run_is_not_printed(ready: Store, tmp_path: Path) -> None:
    """CRW-08, CRW-13: a revocation while the run goes wins; that letter never works."""

    def revoke_first(progress: GenerationProgress) -> None:
        if progress.batches == 1:
            web(ready, clock=clock()).revoke_credentials(
                MAIN, CandidateSelection(centre="GB100", series=SERIES, candidates=["0101"])
            )

    report = run(ready, tmp_path, batch_size=2, on_progress=revoke_first)
    assert (report.letters, report.printed, report.superseded) == (6, 5, 1)
    stored = credentials(ready)
    assert stored["0101"].state is CredentialState.REVOKED
    assert report.zip_file is not None
    letters = zip_letters(report.zip_file)
    for name, (username, password) in letters.items():
        record = stored[name[-8:-4]]
        assert record.username == username
        works = record.password_hash is not None and HASHER.verify(record.password_hash, password)
        assert works is (name != "GB100_2026-06_0101.pdf")


def test_a_username_clash_is_retried_during_generation(ready: Store, tmp_path: Path) -> None:
    """CRW-12: a username source that repeats itself still gives every candidate its own."""
    names = iter(
        ["aaaaa-aaaaa", "aaaaa-aaaaa", "bbbbb-bbbbb"] + [f"ccccc-{c * 5}" for c in "defghj"]
    )
    report = run(ready, tmp_path, usernames=lambda: next(names))
    usernames = sorted(r.username for r in credentials(ready).values())
    assert usernames[:2] == ["aaaaa-aaaaa", "bbbbb-bbbbb"]
    assert len(set(usernames)) == 6
    assert_letters_log_in(ready, report)


def test_the_letters_show_the_effective_delay_and_contact(board: Store, tmp_path: Path) -> None:
    """CRW-05, CRW-09: release time plus delay, and the contact, on every letter."""
    web(board, clock=clock(), policy=POLICY).set_access(
        MAIN, "GB100", SERIES, all_request(delay="PT48H")
    )
    report = run(board, tmp_path, "selected", selected=["0101"])
    (pdf,) = report.combined_pdfs
    text = PdfReader(pdf).pages[0].extract_text()
    # Release 11 August 2026 06:00 UTC (07:00 London) plus 48 hours.
    assert "From Thursday 13 August 2026 at 07:00, UK time" in text
    assert "This includes a delay of 2 days" in text
    assert "Ann Lee" in text
    assert "Zoë Smith" in text


def test_report_and_progress_values_are_frozen(ready: Store, tmp_path: Path) -> None:
    """The report is a frozen value an app can keep."""
    report = run(ready, tmp_path)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        report.letters = 0  # type: ignore[misc]
