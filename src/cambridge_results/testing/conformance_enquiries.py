"""Conformance tests for the enquiry repositories, for every backend (EAR-06..EAR-23).

A backend turns them on with one class, as for the storage suite::

    from cambridge_results.testing.conformance_enquiries import EnquiryStoreConformance

    class TestSQLiteEnquiries(EnquiryStoreConformance):
        make_store = staticmethod(
            lambda path, migrations: SQLiteStore(path / "store.db", migrations=migrations)
        )

The tests use only the repositories of
:mod:`cambridge_results.enquiries.repositories`, which use only the unit of
work's primitives, so they check that a backend keeps what the enquiry rules
rely on: the EAR-06 partial unique index (also between processes), unique
enquiry numbers, compare-and-set versions, arrival order, exact bytes of
documents, and the records around an enquiry.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import pendulum

from cambridge_results.testing import _missing_extra

try:
    import pytest
except ModuleNotFoundError as exc:
    raise _missing_extra(exc) from exc

from cambridge_results.enquiries.documents import (
    DocumentInfo,
    DocumentSource,
    StoredDocument,
    digest,
)
from cambridge_results.enquiries.errors import DuplicateEnquiry
from cambridge_results.enquiries.records import StatementDue
from cambridge_results.enquiries.repositories import (
    EnquiryRecords,
    EnquiryRepository,
    StoredEnquiry,
)
from cambridge_results.enquiries.tables import CANDIDATES, DOCUMENTS
from cambridge_results.errors import (
    CambridgeResultsError,
    ConcurrencyError,
    DuplicateError,
    InvalidValue,
    NotFound,
    StorageError,
)
from cambridge_results.policy import international_2023
from cambridge_results.rules.enquiries.associates import DocumentRelease
from cambridge_results.rules.enquiries.eligibility import holds_review
from cambridge_results.rules.enquiries.extensions import Extension
from cambridge_results.storage import open_store
from cambridge_results.storage.migrations import Migration
from cambridge_results.storage.port import MULTI_PROCESS, Store
from cambridge_results.testing.conformance_base import _Base, conformance_migrations
from cambridge_results.testing.conformance_processes import _drain, _run_workers
from cambridge_results.values import (
    AssessedBy,
    Candidate,
    Centre,
    Component,
    Entry,
    Mark,
    MarkSource,
    Qualification,
    Syllabus,
)
from cambridge_results.values.appeal import Appeal, AppealStage
from cambridge_results.values.enquiry import DocumentKind, Enquiry, EnquiryStatus
from cambridge_results.values.enquiry_facts import CandidateResults, ModerationSample
from cambridge_results.values.outcome import CandidateOutcome, ComponentResult, Outcome

__all__ = ["EnquiryStoreConformance"]

POLICY = international_2023()
ACTOR = "test:conformance-enquiries"
T0 = pendulum.datetime(2023, 9, 1, 9, 0, tz="UTC")
SERIES = "June 2023"
MATHS = Syllabus(
    code="0580",
    name="Mathematics",
    qualification="IGCSE",
    components=(
        Component(code="12", name="Paper 1", assessed_by=AssessedBy.BOARD, tolerance=2),
        Component(code="32", name="Paper 3", assessed_by=AssessedBy.BOARD, tolerance=2),
    ),
)
CANDIDATE_NUMBERS = ("0001", "0002", "0713")
#: A tiny but real PDF (one empty page), written by hand so the suite needs no renderer.
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _add(repo: EnquiryRepository, enquiry: Enquiry) -> StoredEnquiry:
    """Store a new enquiry with the EAR-06 flag the rules decide."""
    return repo.add(enquiry, holds_review=holds_review(POLICY, enquiry))


def _save(repo: EnquiryRepository, enquiry: Enquiry, *, version: int) -> StoredEnquiry:
    """Save an enquiry over ``version`` with the EAR-06 flag the rules decide."""
    return repo.save(enquiry, version=version, holds_review=holds_review(POLICY, enquiry))


def _enquiry(
    enquiry_id: str,
    *,
    service: str = "1",
    candidate: str = "0001",
    status: EnquiryStatus = EnquiryStatus.SUBMITTED,
    arrived: pendulum.DateTime | None = T0,
    centre: str = "GB123",
    number: str | None = None,
    **extra: Any,
) -> Enquiry:
    """An enquiry value in any status, as the workflow would have left it."""
    at_board = status.at_board or status in (EnquiryStatus.COMPLETED, EnquiryStatus.CANCELLED)
    return Enquiry(
        id=enquiry_id,
        centre=centre,
        series=SERIES,
        service=service,
        syllabus="0580",
        components=("12",),
        candidates=(candidate,),
        status=status,
        created_at=T0,
        submitted_at=arrived if status is not EnquiryStatus.SAVED else None,
        arrived_at=arrived if at_board else None,
        queued_at=arrived if at_board else None,
        completed_at=T0 if status is EnquiryStatus.COMPLETED else None,
        number=number,
        **extra,
    )


def _seed(store: Store) -> None:
    with store.unit_of_work(actor=ACTOR) as uow:
        records = EnquiryRecords(uow)
        uow.centres.add(Centre(number="GB123", name="Riverside School"))
        uow.syllabuses.add(MATHS)
        records.results.add_qualification(Qualification(code="IGCSE", name="Cambridge IGCSE"))
        for number in CANDIDATE_NUMBERS:
            uow.candidates.add(
                Candidate(centre="GB123", number=number, given_name="Ali", family_name="Khan")
            )
            records.results.put(
                CandidateResults(
                    entry=Entry(
                        centre="GB123",
                        series=SERIES,
                        candidate=number,
                        syllabus="0580",
                        components=("12", "32"),
                    ),
                    marks=(
                        Mark(component="12", source=MarkSource.EXAM, value=50),
                        Mark(component="32", source=MarkSource.EXAM, value=61),
                    ),
                    grade="C",
                )
            )


def _document(enquiry_id: str, kind: DocumentKind, content: bytes) -> StoredDocument:
    return StoredDocument(
        info=DocumentInfo(
            enquiry_id=enquiry_id,
            kind=kind,
            sha256=digest(content),
            size=len(content),
            pages=1,
            source=DocumentSource.UPLOADED,
            uploaded_at=T0,
            uploaded_by="board:j.smith",
        ),
        content=content,
    )


def _worker_claim(
    url: str, migrations: Sequence[Migration], enquiry_id: str, barrier: Any, out: Any
) -> None:
    store = open_store(url, migrations=migrations, migrate=False)
    try:
        barrier.wait()
        try:
            with store.unit_of_work(actor="test:worker") as uow:
                _add(EnquiryRecords(uow).enquiries, _enquiry(enquiry_id))
            out.put("won")
        except DuplicateEnquiry:
            out.put("duplicate")
        except CambridgeResultsError as exc:
            out.put(f"other: {type(exc).__name__}")
    finally:
        store.close()


class EnquiryStoreConformance(_Base):
    """The enquiry repositories on one backend (set ``make_store`` as for the storage suite)."""

    @pytest.fixture
    def board(self, store: Store) -> Store:
        """A store with a centre, a syllabus, its qualification and three candidates' results."""
        _seed(store)
        return store

    def test_an_enquiry_reads_back_equal_with_its_version(self, board: Store) -> None:
        """Every field of an enquiry survives the store; each save moves the version on."""
        outcome = Outcome(
            recorded_at=T0,
            candidates=(
                CandidateOutcome(
                    candidate="0001",
                    components=(
                        ComponentResult(
                            component="12",
                            mark_before=50,
                            mark_reviewed=57,
                            mark_after=57,
                            tolerance=2,
                        ),
                    ),
                    grade_before="C",
                    grade_after="B",
                ),
            ),
        )
        done = _enquiry(
            "e-1",
            status=EnquiryStatus.COMPLETED,
            number="E23-000001",
            outcome=outcome,
            note="Maths re-mark ✓",
        )
        with board.unit_of_work(actor=ACTOR) as uow:
            repo = EnquiryRecords(uow).enquiries
            first = _add(repo, _enquiry("e-1", status=EnquiryStatus.SAVED))
            second = _save(repo, done, version=first.version)
        with board.unit_of_work(actor=ACTOR, read_only=True) as uow:
            stored = EnquiryRecords(uow).enquiries.get("e-1")
        assert (first.version, second.version, stored.version) == (1, 2, 2)
        assert stored.enquiry == done

    def test_the_ear06_flag_is_stored_as_the_rules_decided_it_and_must_be_a_bool(
        self, board: Store
    ) -> None:
        """Repositories store, rules decide: the flag given is the claim; a non-bool is refused."""
        with board.unit_of_work(actor=ACTOR) as uow:
            repo = EnquiryRecords(uow).enquiries
            with pytest.raises(InvalidValue):
                repo.add(_enquiry("e-1"), holds_review="yes")  # type: ignore[arg-type]
            repo.add(_enquiry("e-2"), holds_review=False)
            _add(repo, _enquiry("e-3"))
            claims = repo.active_reviews("GB123", SERIES, "0580", "0001")
            assert (repo.find("e-1"), claims) == (None, ["e-3"])

    def test_a_save_over_a_version_someone_else_changed_raises_concurrency_error(
        self, board: Store
    ) -> None:
        """Compare-and-set: the stale writer fails and the stored enquiry keeps the winner's."""
        with board.unit_of_work(actor=ACTOR) as uow:
            _add(EnquiryRecords(uow).enquiries, _enquiry("e-1", status=EnquiryStatus.SAVED))
        winner = _enquiry("e-1", status=EnquiryStatus.SAVED, note="winner")
        with board.unit_of_work(actor=ACTOR) as uow:
            _save(EnquiryRecords(uow).enquiries, winner, version=1)
        with pytest.raises(ConcurrencyError), board.unit_of_work(actor=ACTOR) as uow:
            _save(
                EnquiryRecords(uow).enquiries,
                _enquiry("e-1", status=EnquiryStatus.SAVED, note="stale"),
                version=1,
            )
        with board.unit_of_work(actor=ACTOR) as uow:
            repo = EnquiryRecords(uow).enquiries
            assert repo.get("e-1").enquiry.note == "winner"
            with pytest.raises(NotFound):
                _save(repo, _enquiry("e-2"), version=1)

    def test_one_active_review_per_candidate_syllabus_and_series_is_enforced_by_the_store(
        self, board: Store
    ) -> None:
        """EAR-06: a second active re-check or review is a DuplicateEnquiry from the index."""
        with board.unit_of_work(actor=ACTOR) as uow:
            repo = EnquiryRecords(uow).enquiries
            _add(repo, _enquiry("e-1", service="2"))
            with pytest.raises(DuplicateEnquiry) as refused:
                _add(repo, _enquiry("e-2", service="1S"))
            assert isinstance(refused.value, DuplicateError)
            assert refused.value.codes == ("EAR-06.already-submitted",)
            # The unit of work is still usable after the caught duplicate.
            _add(repo, _enquiry("e-3", service="1", candidate="0002"))
            assert repo.active_reviews("GB123", SERIES, "0580", "1") == ["e-1"]
        with board.unit_of_work(actor=ACTOR, read_only=True) as uow:
            repo = EnquiryRecords(uow).enquiries
            assert repo.find("e-2") is None
            assert repo.active_reviews("GB123", SERIES, "0580", "0002") == ["e-3"]

    def test_drafts_cancelled_rejected_and_group_enquiries_hold_no_claim(
        self, board: Store
    ) -> None:
        """EAR-06 decision: only submitted re-checks and reviews count; cancelling frees it."""
        with board.unit_of_work(actor=ACTOR) as uow:
            repo = EnquiryRecords(uow).enquiries
            for i in range(2):
                _add(repo, _enquiry(f"d-{i}", status=EnquiryStatus.SAVED, arrived=None))
            _add(repo, _enquiry("r-1", status=EnquiryStatus.REJECTED, arrived=None))
            live = _add(repo, _enquiry("e-1"))
            group = _enquiry("g-1", service="9")
            _add(repo, attrs.evolve(group, candidates=("0001", "0002", "0713", "0003", "0004")))
            _save(
                repo,
                _enquiry("e-1", status=EnquiryStatus.CANCELLED, cancelled_at=T0),
                version=live.version,
            )
            _add(repo, _enquiry("e-2", service="2"))
            assert repo.active_reviews("GB123", SERIES, "0580", "0001") == ["e-2"]
            with pytest.raises(DuplicateEnquiry):
                _add(repo, _enquiry("e-3", status=EnquiryStatus.COMPLETED))

    def test_a_refused_add_or_save_leaves_nothing_half_written(self, board: Store) -> None:
        """A caught DuplicateError or DuplicateEnquiry changes neither rows nor claims."""
        with board.unit_of_work(actor=ACTOR) as uow:
            repo = EnquiryRecords(uow).enquiries
            _add(repo, _enquiry("e-1", status=EnquiryStatus.RECEIVED, number="E23-000001"))
            draft = _add(repo, _enquiry("e-2", status=EnquiryStatus.SAVED, arrived=None))
            with pytest.raises(DuplicateEnquiry):
                _save(repo, _enquiry("e-2"), version=draft.version)
            with pytest.raises(DuplicateError):
                _add(repo, _enquiry("e-3", candidate="0713", number="E23-000001"))
            assert repo.get("e-2") == draft
            assert repo.find("e-3") is None
            assert repo.active_reviews("GB123", SERIES, "0580", "0713") == []
            assert repo.active_reviews("GB123", SERIES, "0580", "0001") == ["e-1"]

    def test_a_refused_claim_of_a_save_leaves_the_enquiry_as_read(self, board: Store) -> None:
        """EAR-06: a one-row claim goes with its compare-and-set; a refused claim sets nothing."""
        with board.unit_of_work(actor=ACTOR) as uow:
            repo = EnquiryRecords(uow).enquiries
            _add(repo, _enquiry("e-1", service="2", status=EnquiryStatus.RECEIVED))
            draft = _add(
                repo, _enquiry("e-2", service="2", status=EnquiryStatus.SAVED, arrived=None)
            )
            sent = _enquiry("e-2", service="2", status=EnquiryStatus.SUBMITTED)
            # What the submission reads first: the rows naming its candidate.
            repo.sharing("GB123", SERIES, "0580", ["0001"], excluding="e-2")
            with pytest.raises(DuplicateEnquiry):
                repo.save(sent, version=draft.version, holds_review=True, previous=draft.enquiry)
            assert repo.get("e-2") == draft
            assert repo.active_reviews("GB123", SERIES, "0580", "0001") == ["e-1"]
            assert (
                repo.save(
                    sent, version=draft.version, holds_review=False, previous=draft.enquiry
                ).version
                == draft.version + 1
            )

    def test_a_claim_whose_compare_and_set_is_lost_is_put_back(self, board: Store) -> None:
        """EAR-06: the claim went with a stale save: ConcurrencyError, and no claim is left."""
        with board.unit_of_work(actor=ACTOR) as uow:
            repo = EnquiryRecords(uow).enquiries
            draft = _add(
                repo, _enquiry("e-2", service="2", status=EnquiryStatus.SAVED, arrived=None)
            )
            _save(repo, attrs.evolve(draft.enquiry, note="winner"), version=draft.version)
        sent = _enquiry("e-2", service="2", status=EnquiryStatus.SUBMITTED)
        for clash in (False, True):
            with board.unit_of_work(actor=ACTOR) as uow:
                repo = EnquiryRecords(uow).enquiries
                if clash:  # the index refuses the claim too: still the lost compare-and-set
                    _add(repo, _enquiry("e-1", service="2", status=EnquiryStatus.RECEIVED))
                repo.sharing("GB123", SERIES, "0580", ["0001"], excluding="e-2")
                with pytest.raises(ConcurrencyError):
                    repo.save(sent, version=1, holds_review=True, previous=draft.enquiry)
                assert repo.get("e-2").enquiry.note == "winner"
                assert repo.active_reviews("GB123", SERIES, "0580", "0001") == (
                    ["e-1"] if clash else []
                )

    def test_enquiry_numbers_are_unique_in_the_store(self, board: Store) -> None:
        """EAR-09: two enquiries can never carry the same number; drafts carry none."""
        with board.unit_of_work(actor=ACTOR) as uow:
            repo = EnquiryRecords(uow).enquiries
            _add(repo, _enquiry("e-1", status=EnquiryStatus.RECEIVED, number="E23-000001"))
            _add(repo, _enquiry("d-1", status=EnquiryStatus.SAVED, arrived=None))
            _add(repo, _enquiry("d-2", status=EnquiryStatus.SAVED, arrived=None))
            with pytest.raises(DuplicateError):
                _add(
                    repo,
                    _enquiry(
                        "e-2", candidate="0002", status=EnquiryStatus.RECEIVED, number="E23-000001"
                    ),
                )
            found = repo.by_number("e23-000001")
            assert found is not None
            assert found.id == "e-1"

    def test_the_queue_is_in_the_order_received_then_by_id(self, board: Store) -> None:
        """EAR-08: arrival order, ties by id; drafts and finished enquiries are not queued."""
        arrivals = {"e-c": T0.add(hours=1), "e-a": T0.add(hours=2), "e-b": T0.add(hours=1)}
        with board.unit_of_work(actor=ACTOR) as uow:
            repo = EnquiryRecords(uow).enquiries
            for (i, at), candidate in zip(sorted(arrivals.items()), CANDIDATE_NUMBERS, strict=True):
                _add(repo, _enquiry(i, candidate=candidate, arrived=at))
            _add(repo, _enquiry("d-1", status=EnquiryStatus.SAVED, arrived=None))
            _add(repo, _enquiry("x-1", status=EnquiryStatus.COMPLETED, service="9", arrived=T0))
        with board.unit_of_work(actor=ACTOR, read_only=True) as uow:
            queue = EnquiryRecords(uow).enquiries.at_board()
        assert [e.id for e in queue] == ["e-b", "e-c", "e-a"]

    def test_the_candidate_filter_finds_0713_from_713(self, board: Store) -> None:
        """EAR-12: the leading zero may be left out; deleted drafts are not found."""
        with board.unit_of_work(actor=ACTOR) as uow:
            repo = EnquiryRecords(uow).enquiries
            _add(repo, _enquiry("e-1", candidate="0713"))
            _add(
                repo, _enquiry("d-1", candidate="0713", status=EnquiryStatus.DELETED, arrived=None)
            )
            _add(repo, _enquiry("e-2", candidate="0001"))
            assert [e.id for e in repo.by_candidate("GB123", "713")] == ["e-1"]
            assert repo.by_candidate("GB999", "713") == []

    def test_documents_read_back_byte_for_byte_one_per_kind(self, board: Store) -> None:
        """EAR-10: PDFs come back exactly; a second document of a kind is a DuplicateError."""
        body = MINIMAL_PDF + bytes(range(256))
        with board.unit_of_work(actor=ACTOR) as uow:
            records = EnquiryRecords(uow)
            _add(records.enquiries, _enquiry("e-1"))
            records.documents.add(_document("e-1", DocumentKind.COPY_OF_SCRIPT, body))
            records.documents.add(_document("e-1", DocumentKind.ACKNOWLEDGEMENT, MINIMAL_PDF))
            with pytest.raises(DuplicateError):
                records.documents.add(_document("e-1", DocumentKind.ACKNOWLEDGEMENT, body))
        with board.unit_of_work(actor=ACTOR, read_only=True) as uow:
            records = EnquiryRecords(uow)
            listed = records.documents.list("e-1")
            found = records.documents.find("e-1", DocumentKind.COPY_OF_SCRIPT)
        assert [d.kind for d in listed] == [
            DocumentKind.ACKNOWLEDGEMENT,
            DocumentKind.COPY_OF_SCRIPT,
        ]
        assert found is not None
        assert found.content == body
        assert found.info.sha256 == digest(body)

    def test_a_document_whose_bytes_no_longer_match_the_digest_is_refused(
        self, board: Store
    ) -> None:
        """A document changed behind the library's back is a StorageError, never served."""
        with board.unit_of_work(actor=ACTOR) as uow:
            records = EnquiryRecords(uow)
            _add(records.enquiries, _enquiry("e-1"))
            records.documents.add(_document("e-1", DocumentKind.REPORT, MINIMAL_PDF))
            uow.update(DOCUMENTS, ("e-1", "Rpt"), {"content": MINIMAL_PDF + b" "})
        with (
            board.unit_of_work(actor=ACTOR, read_only=True) as uow,
            pytest.raises(StorageError, match="digest"),
        ):
            EnquiryRecords(uow).documents.find("e-1", DocumentKind.REPORT)

    def test_releases_extensions_appeals_and_statements_round_trip(self, board: Store) -> None:
        """EAR-15..17, EAR-20: the records around an enquiry read back as written, in order."""
        release = DocumentRelease(
            enquiry_id="e-1", kind=DocumentKind.OUTCOME, released_at=T0, by="associate:NG900"
        )
        extension = Extension(
            enquiry_id="e-1",
            candidates=("0002", "0713"),
            reason="similar marking",
            extended_at=T0,
            by="board:j.smith",
        )
        stage_one = Appeal(
            id="a-1",
            enquiry_id="e-1",
            centre="GB123",
            stage=AppealStage.ONE,
            lodged_at=T0,
            lodged_by="centre:GB123",
            decision_due=T0.add(days=28),
        )
        statement = StatementDue(
            enquiry_id="e-1",
            centre="GB123",
            series=SERIES,
            candidate="0001",
            syllabus="0580",
            grade_before="C",
            grade_after="B",
            flagged_at=T0,
        )
        with board.unit_of_work(actor=ACTOR) as uow:
            records = EnquiryRecords(uow)
            records.releases.add(release)
            with pytest.raises(DuplicateError):
                records.releases.add(release)
            assert records.extensions.add(extension) < records.extensions.add(extension)
            records.appeals.add(stage_one)
            with pytest.raises(DuplicateError):
                records.appeals.add(attrs.evolve(stage_one, id="a-2"))
            records.statements.flag(statement)
        issued = attrs.evolve(stage_one, letter_issued_at=T0.add(days=20))
        with board.unit_of_work(actor=ACTOR) as uow:
            records = EnquiryRecords(uow)
            records.appeals.issue_letter(issued)
            with pytest.raises(ConcurrencyError):
                records.appeals.issue_letter(issued)
            records.statements.mark_issued("e-1", "1", T0.add(days=2))
            with pytest.raises(NotFound):
                records.statements.mark_issued("e-1", "0001", T0.add(days=3))
        with board.unit_of_work(actor=ACTOR, read_only=True) as uow:
            records = EnquiryRecords(uow)
            assert records.releases.for_enquiry("e-1") == [release]
            assert records.extensions.for_enquiry("e-1") == [extension, extension]
            assert records.appeals.for_enquiry("e-1") == [issued]
            assert records.statements.due() == []
            assert records.statements.for_enquiry("e-1") == [
                attrs.evolve(statement, issued_at=T0.add(days=2))
            ]

    def test_results_and_samples_make_the_facts_the_rules_read(self, board: Store) -> None:
        """EAR-01..05: entries, marks, grades and samples come back as SyllabusFacts."""
        sample = ModerationSample(component="32", candidates=("0002", "0713"))
        with board.unit_of_work(actor=ACTOR) as uow:
            results = EnquiryRecords(uow).results
            results.put_sample("GB123", SERIES, "0580", sample)
            every = results.facts("GB123", SERIES, "0580")
            some = results.facts("GB123", SERIES, "0580", candidates=("1",))
        assert [str(r.candidate) for r in every.results] == ["0001", "0002", "0713"]
        assert [str(r.candidate) for r in some.results] == ["0001", "0002", "0713"]
        assert every.syllabus == MATHS
        assert every.qualification.code == "IGCSE"
        assert every.moderation_samples == (sample,)
        first = every.results[0]
        assert (str(first.grade), [m.value for m in first.marks]) == ("C", [50, 61])

    def test_an_outcome_becomes_the_stored_marks_and_grade(self, board: Store) -> None:
        """EAR-23: the mark after and the grade after replace the board's results."""
        result = ComponentResult(
            component="12", mark_before=50, mark_reviewed=57, mark_after=57, tolerance=2
        )
        outcome = Outcome(
            recorded_at=T0,
            candidates=(
                CandidateOutcome(
                    candidate="0001", components=(result,), grade_before="C", grade_after="B"
                ),
            ),
        )
        with board.unit_of_work(actor=ACTOR) as uow:
            results = EnquiryRecords(uow).results
            results.apply_outcome(_enquiry("e-1"), outcome)
            after = results.find("GB123", SERIES, "0001", "0580")
        assert after is not None
        assert (str(after.grade), [m.value for m in after.marks]) == ("B", [57, 61])

    def test_two_processes_claiming_one_review_one_wins(self, tmp_path: Path) -> None:
        """EAR-06 across processes: exactly one claim commits, the other is a DuplicateEnquiry."""
        store = self.open(tmp_path)
        try:
            self.needs(store, MULTI_PROCESS)
            _seed(store)
            ctx = multiprocessing.get_context("spawn")
            barrier = ctx.Barrier(2)
            out = ctx.Queue()
            migrations = conformance_migrations()
            _run_workers(
                _worker_claim,
                [(store.url, migrations, f"e-{i}", barrier, out) for i in range(2)],
            )
            assert sorted(_drain(out, 2)) == ["duplicate", "won"]
            assert len(self.rows(store, CANDIDATES)) == 1
        finally:
            store.close()
