"""Conformance tests of the candidate results website's repositories, for any backend.

Like :mod:`cambridge_results.testing.conformance`, a backend turns them on
with one class (``make_store(path, migrations)`` as there)::

    from cambridge_results.testing.conformance_website import WebsiteRepositoryConformance

    class TestSQLiteWebsite(WebsiteRepositoryConformance):
        make_store = staticmethod(
            lambda path, migrations: SQLiteStore(path / "store.db", migrations=migrations)
        )

The tests use only the repositories and the unit of work's primitives, so
they run unchanged on every backend; the multi-process one needs the
``multi-process`` capability and skips, saying so, without it.
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module
from collections.abc import Callable, Iterator
from typing import Any

import pendulum

from cambridge_results.testing import _missing_extra

try:
    import pytest
except ModuleNotFoundError as exc:
    raise _missing_extra(exc) from exc

from cambridge_results.errors import DuplicateError
from cambridge_results.storage import open_store
from cambridge_results.storage.port import MULTI_PROCESS, Store
from cambridge_results.testing.conformance_base import _Base, conformance_migrations
from cambridge_results.values import (
    AssessedBy,
    Candidate,
    CandidateNumber,
    Centre,
    Component,
    ContactDetails,
    Delay,
    Entry,
    EntryStatus,
    Syllabus,
)
from cambridge_results.values.access import (
    AccessMode,
    AssociateCentreControls,
    AssociateSettings,
    CentreAccess,
    ContactChoice,
)
from cambridge_results.website.credential_repository import USERNAME_ATTEMPTS, CredentialState
from cambridge_results.website.repositories import WebsiteRepositories

__all__ = ["WebsiteRepositoryConformance", "fixed_usernames"]

ACTOR = "test:conformance-website"
T0 = pendulum.datetime(2026, 4, 1, 9, tz="UTC")
SERIES = "2026-06"


def fixed_usernames(*names: str) -> Callable[[], str]:
    """A username source that hands out ``names`` in order (to force clashes in tests)."""
    it: Iterator[str] = iter(names)
    return lambda: next(it)


class _Sequence:
    """A picklable username source: ``prefix`` then 2, 3, 4, ... in the last five places."""

    def __init__(self, start: int = 2) -> None:
        self.n = start

    def __call__(self) -> str:
        digits = f"{self.n:05d}".replace("0", "z").replace("1", "y")
        self.n += 1
        return f"22222-{digits}"


def _syllabus() -> Syllabus:
    return Syllabus(
        code="0580",
        name="Mathematics",
        qualification="IGCSE",
        components=(Component(code="12", name="Paper 1", assessed_by=AssessedBy.BOARD),),
    )


def _worker_reserve(url: str, candidate: str, out: Any) -> None:
    store = open_store(url, migrations=conformance_migrations())
    try:
        with store.unit_of_work(actor=ACTOR) as uow:
            record = WebsiteRepositories(uow).credentials.reserve(
                "GB123", SERIES, candidate, run=None, at=T0, usernames=_Sequence()
            )
        out.put(record.username)
    finally:
        store.close()


class WebsiteRepositoryConformance(_Base):
    """The website repositories over any backend's primitives (CRW-01..13, ASC-02..06)."""

    processes = 3

    @pytest.fixture
    def entered(self, store: Store) -> Store:
        """A centre with candidates 0001..0012 entered for June 2026; 0005 withdrawn."""
        with store.unit_of_work(actor=ACTOR) as uow:
            uow.centres.add(Centre(number="GB123", name="Centre"))
            uow.syllabuses.add(_syllabus())
            for i in range(1, 13):
                number = f"{i:04d}"
                uow.candidates.add(
                    Candidate(centre="GB123", number=number, given_name="A", family_name=f"B{i}")
                )
                uow.entries.add(
                    Entry(
                        centre="GB123",
                        series=SERIES,
                        candidate=number,
                        syllabus="0580",
                        components=("12",),
                        status=EntryStatus.WITHDRAWN if i == 5 else EntryStatus.VALID,
                    )
                )
        return store

    def test_centre_access_round_trips_and_is_replaced(self, store: Store) -> None:
        """CRW-01/04/05: a centre's settings read back equal; saving again replaces them."""
        contact = ContactDetails(name="Ann Lee", phone="+44 1223 553554")
        first = CentreAccess(
            centre="GB123",
            series=SERIES,
            mode=AccessMode.ALL,
            agreed_to_manage_queries=True,
            contact=contact,
            delay=Delay.parse("2 days"),
        )
        with store.unit_of_work(actor=ACTOR) as uow:
            repos = WebsiteRepositories(uow)
            assert repos.access.find("GB123", SERIES) is None
            repos.access.save(first, at=T0)
        with store.unit_of_work(actor=ACTOR) as uow:
            repos = WebsiteRepositories(uow)
            assert repos.access.find("GB123", SERIES) == first
            repos.access.save(CentreAccess(centre="GB123", series=SERIES), at=T0)
        with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
            assert WebsiteRepositories(uow).access.find("GB123", SERIES) == CentreAccess(
                centre="GB123", series=SERIES
            )
            assert uow.count("website_access") == 1

    def test_selections_tick_untick_and_page_in_candidate_order(self, store: Store) -> None:
        """CRW-07/08: ticks are kept once, unticks remove them, pages ascend by number."""
        with store.unit_of_work(actor=ACTOR) as uow:
            sel = WebsiteRepositories(uow).selections
            added = sel.tick("GB123", SERIES, ["0713", "0002", "0100"], at=T0)
            assert [n.value for n in added] == ["0002", "0100", "0713"]
            assert sel.tick("GB123", SERIES, ["2", "0999"], at=T0) == (CandidateNumber("0999"),)
            assert [n.value for n in sel.untick("GB123", SERIES, ["0100", "0101"])] == ["0100"]
        with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
            sel = WebsiteRepositories(uow).selections
            assert [n.value for n in sel.page("GB123", SERIES, limit=2)] == ["0002", "0713"]
            assert [n.value for n in sel.page("GB123", SERIES, after=CandidateNumber("0713"))] == [
                "0999"
            ]
            assert sel.ticked_among("GB123", SERIES, ["0002", "0100", "0999"]) == {
                CandidateNumber("0002"),
                CandidateNumber("0999"),
            }
            assert sel.count("GB123", SERIES) == 3
            assert sel.count("GB124", SERIES) == 0

    def test_eligibility_pages_skip_withdrawn_entries_and_never_repeat(
        self, entered: Store
    ) -> None:
        """CRW-03/07: candidates with a valid entry, ascending, in pages that do not overlap."""
        with entered.unit_of_work(actor=ACTOR, read_only=True) as uow:
            elig = WebsiteRepositories(uow).eligibility
            seen: list[str] = []
            after = None
            while page := elig.page("GB123", SERIES, after=after, limit=5):
                seen.extend(n.value for n in page)
                after = page[-1]
            assert seen == [f"{i:04d}" for i in range(1, 13) if i != 5]
            assert elig.valid_among("GB123", SERIES, ["0004", "0005", "0099"]) == {
                CandidateNumber("0004")
            }
            assert elig.existing_among("GB123", ["0005", "0099"]) == {CandidateNumber("0005")}
            assert elig.page("GB123", "2026-11") == []

    def test_associate_settings_round_trip_and_rows_are_replaced(self, store: Store) -> None:
        """ASC-02/04/05: an Associate's controls read back equal; dropped rows go."""
        settings = AssociateSettings(
            associate="AS001",
            series=SERIES,
            use_defaults=False,
            default_delay=Delay.parse("1 day"),
            default_contact_choice=ContactChoice.CENTRE_DEFINED,
            centres=(
                AssociateCentreControls(centre="GB456", give_access=True, delay="PT5H"),
                AssociateCentreControls(
                    centre="GB457", give_access=False, contact=ContactChoice.CENTRE_DEFINED
                ),
            ),
        )
        with store.unit_of_work(actor=ACTOR) as uow:
            repo = WebsiteRepositories(uow).associate_settings
            assert repo.find("AS001", SERIES) is None
            assert repo.get("AS001", SERIES) == AssociateSettings(associate="AS001", series=SERIES)
            repo.save(settings, at=T0)
        with store.unit_of_work(actor=ACTOR) as uow:
            repo = WebsiteRepositories(uow).associate_settings
            assert repo.find("AS001", SERIES) == settings
            fewer = AssociateSettings(
                associate="AS001",
                series=SERIES,
                use_defaults=True,
                centres=(AssociateCentreControls(centre="GB457", give_access=True),),
            )
            repo.save(fewer, at=T0)
        with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
            assert WebsiteRepositories(uow).associate_settings.find("AS001", SERIES) == fewer
            assert uow.count("associate_centre_controls") == 1

    def test_a_reserved_credential_reads_back_by_key_and_by_username(self, store: Store) -> None:
        """CRW-12: a new credential is unprinted, with its username and no hash yet."""
        with store.unit_of_work(actor=ACTOR) as uow:
            creds = WebsiteRepositories(uow).credentials
            record = creds.reserve(
                "GB123", SERIES, "0713", run=7, at=T0, usernames=fixed_usernames("k7mq4-xtw9p")
            )
        assert record.username == "k7mq4-xtw9p"
        assert record.state is CredentialState.UNPRINTED
        assert (record.password_hash, record.pending_hash, record.run) == (None, None, 7)
        with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
            creds = WebsiteRepositories(uow).credentials
            assert creds.find("GB123", SERIES, "713") == record
            assert creds.by_username("K7MQ4XTW9P") == record
            assert creds.by_username("22222-22222") is None
            assert creds.among("GB123", SERIES, ["0713", "0001"]) == {record.candidate: record}
            assert creds.count("GB123", SERIES) == 1
            assert creds.count("GB123", SERIES, CredentialState.PRINTED) == 0

    def test_the_store_refuses_a_second_row_with_a_taken_username(self, store: Store) -> None:
        """CRW-12: the unique index itself refuses a duplicate username, whatever writes it."""
        with store.unit_of_work(actor=ACTOR) as uow:
            WebsiteRepositories(uow).credentials.reserve(
                "GB123", SERIES, "0001", run=None, at=T0, usernames=fixed_usernames("aaaaa-bbbbb")
            )
        row = {
            "centre": "GB999",
            "series": SERIES,
            "candidate": "0002",
            "username": "aaaaa-bbbbb",
            "state": "printed",
        }
        with pytest.raises(DuplicateError), store.unit_of_work(actor=ACTOR) as uow:
            uow.insert("website_credentials", row)
        assert len(self.rows(store, "website_credentials")) == 1

    def test_a_username_clash_is_retried_with_a_fresh_username(self, store: Store) -> None:
        """CRW-12: reserve draws again when the store says the username is taken."""
        with store.unit_of_work(actor=ACTOR) as uow:
            creds = WebsiteRepositories(uow).credentials
            first = creds.reserve(
                "GB123", SERIES, "0001", run=None, at=T0, usernames=fixed_usernames("aaaaa-bbbbb")
            )
            second = creds.reserve(
                "GB123",
                SERIES,
                "0002",
                run=None,
                at=T0,
                usernames=fixed_usernames("aaaaa-bbbbb", "AAAAA-BBBBB", "ccccc-ddddd"),
            )
        assert (first.username, second.username) == ("aaaaa-bbbbb", "ccccc-ddddd")

    def test_a_source_that_only_clashes_gives_up_citing_crw_12(self, store: Store) -> None:
        """CRW-12: after USERNAME_ATTEMPTS clashes, DuplicateError; nothing half-written."""
        with store.unit_of_work(actor=ACTOR) as uow:
            WebsiteRepositories(uow).credentials.reserve(
                "GB123", SERIES, "0001", run=None, at=T0, usernames=fixed_usernames("aaaaa-bbbbb")
            )
        clashing = fixed_usernames(*["aaaaa-bbbbb"] * USERNAME_ATTEMPTS)
        with pytest.raises(DuplicateError) as caught, store.unit_of_work(actor=ACTOR) as uow:
            WebsiteRepositories(uow).credentials.reserve(
                "GB123", SERIES, "0002", run=None, at=T0, usernames=clashing
            )
        assert caught.value.rule == "CRW-12"
        assert len(self.rows(store, "website_credentials")) == 1

    def test_a_candidate_has_one_credential_per_series(self, store: Store) -> None:
        """CRW-12: reserving twice for one candidate and series is a DuplicateError."""
        with store.unit_of_work(actor=ACTOR) as uow:
            creds = WebsiteRepositories(uow).credentials
            creds.reserve("GB123", SERIES, "0001", run=None, at=T0)
            with pytest.raises(DuplicateError):
                creds.reserve("GB123", SERIES, "0001", run=None, at=T0)
            creds.reserve("GB123", "2026-11", "0001", run=None, at=T0)
        assert len(self.rows(store, "website_credentials")) == 2

    def test_issue_print_and_revoke_move_the_hashes_as_crw_13_says(self, store: Store) -> None:
        """CRW-13: pending until printed, then current; the old hash stays until then."""
        with store.unit_of_work(actor=ACTOR) as uow:
            creds = WebsiteRepositories(uow).credentials
            creds.reserve("GB123", SERIES, "0001", run=1, at=T0)
            assert creds.issue(
                "GB123", SERIES, "0001", run=1, pending_hash="h1", fingerprint="f1", at=T0
            )
            assert creds.print_run(1, centre="GB123", at=T0) == 1
            printed = creds.find("GB123", SERIES, "0001")
            assert printed is not None
            assert (printed.password_hash, printed.fingerprint) == ("h1", "f1")
            assert (printed.pending_hash, printed.pending_fingerprint) == (None, None)
            assert printed.state is CredentialState.PRINTED
            assert creds.print_run(1, centre="GB123", at=T0) == 0
            assert creds.claim("GB123", SERIES, "0001", run=2)
            assert creds.issue(
                "GB123", SERIES, "0001", run=2, pending_hash="h2", fingerprint="f2", at=T0
            )
            during = creds.find("GB123", SERIES, "0001")
            assert during is not None
            assert during.state is CredentialState.UNPRINTED
            assert (during.password_hash, during.pending_hash) == ("h1", "h2")
            assert during.live
            # A run that lost the row (another run claimed it) can neither issue nor print it.
            assert creds.claim("GB123", SERIES, "0001", run=3)
            assert not creds.issue(
                "GB123", SERIES, "0001", run=2, pending_hash="hx", fingerprint="fx", at=T0
            )
            assert creds.print_run(2, centre="GB123", at=T0) == 0
            assert creds.print_run(3, centre="GB999", at=T0) == 0
            assert creds.print_run(3, centre="GB123", at=T0) == 1
            flipped = creds.find("GB123", SERIES, "0001")
            assert flipped is not None
            assert (flipped.password_hash, flipped.fingerprint) == ("h2", "f2")
            assert creds.revoke("GB123", SERIES, "0001", at=T0)
            assert not creds.revoke("GB123", SERIES, "0001", at=T0)
            assert not creds.revoke("GB123", SERIES, "0002", at=T0)
        (row,) = self.rows(store, "website_credentials")
        assert row["state"] == "revoked"
        assert (row["password_hash"], row["pending_hash"], row["run"]) == (None, None, None)

    def test_an_abandoned_run_gives_back_the_printed_letters(self, store: Store) -> None:
        """CRW-13: after a failed run the old letter is current again; a new one stays unprinted."""
        with store.unit_of_work(actor=ACTOR) as uow:
            creds = WebsiteRepositories(uow).credentials
            creds.reserve("GB123", SERIES, "0001", run=1, at=T0)
            creds.issue("GB123", SERIES, "0001", run=1, pending_hash="h1", fingerprint="f1", at=T0)
            creds.print_run(1, centre="GB123", at=T0)
            creds.claim("GB123", SERIES, "0001", run=2)
            creds.issue("GB123", SERIES, "0001", run=2, pending_hash="h2", fingerprint="f2", at=T0)
            creds.reserve("GB123", SERIES, "0002", run=2, at=T0)
            creds.issue("GB123", SERIES, "0002", run=2, pending_hash="h3", fingerprint="f2", at=T0)
            assert creds.abandon_run(2) == 2
            assert creds.abandon_run(2) == 0
        old, new = self.rows(store, "website_credentials")
        assert (old["state"], old["password_hash"], old["pending_hash"]) == ("printed", "h1", None)
        assert (old["fingerprint"], old["run"]) == ("f1", None)
        assert (new["state"], new["password_hash"], new["pending_hash"]) == (
            "unprinted",
            None,
            None,
        )

    def test_credential_pages_ascend_and_filter_by_state(self, store: Store) -> None:
        """CRW-07: credentials page by candidate number; states filter."""
        with store.unit_of_work(actor=ACTOR) as uow:
            creds = WebsiteRepositories(uow).credentials
            for n in ("0003", "0001", "0002", "0004"):
                creds.reserve("GB123", SERIES, n, run=1, at=T0)
            creds.revoke("GB123", SERIES, "0002", at=T0)
        with store.unit_of_work(actor=ACTOR, read_only=True) as uow:
            creds = WebsiteRepositories(uow).credentials
            first = creds.page("GB123", SERIES, limit=2)
            assert [r.candidate.value for r in first] == ["0001", "0002"]
            rest = creds.page("GB123", SERIES, after=first[-1].candidate)
            assert [r.candidate.value for r in rest] == ["0003", "0004"]
            live = creds.page("GB123", SERIES, states=(CredentialState.UNPRINTED,))
            assert [r.candidate.value for r in live] == ["0001", "0003", "0004"]

    def test_no_hash_shows_in_a_credential_repr(self, store: Store) -> None:
        """CRW-13: a record's repr holds neither the current nor the pending hash."""
        with store.unit_of_work(actor=ACTOR) as uow:
            creds = WebsiteRepositories(uow).credentials
            creds.reserve("GB123", SERIES, "0001", run=1, at=T0)
            creds.issue(
                "GB123", SERIES, "0001", run=1, pending_hash="$secret-hash$", fingerprint="f", at=T0
            )
            record = creds.find("GB123", SERIES, "0001")
        assert "$secret-hash$" not in repr(record)

    def test_processes_reserving_from_one_username_sequence_all_get_distinct_names(
        self, store: Store
    ) -> None:
        """CRW-12: concurrent processes drawing the same names: the index makes them retry."""
        self.needs(store, MULTI_PROCESS)
        ctx = multiprocessing.get_context("spawn")
        out = ctx.Queue()
        workers = [
            ctx.Process(target=_worker_reserve, args=(store.url, f"{i:04d}", out))
            for i in range(1, self.processes + 1)
        ]
        for w in workers:
            w.start()
        for w in workers:
            w.join(timeout=120)
        names = []
        for _ in workers:
            try:
                names.append(out.get(timeout=5))
            except queue_module.Empty:  # pragma: no cover - only when a worker died
                break
        assert len(names) == self.processes
        assert len(set(names)) == self.processes
        rows = self.rows(store, "website_credentials")
        assert sorted(r["username"] for r in rows) == sorted(names)
