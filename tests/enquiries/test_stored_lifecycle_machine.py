"""The whole enquiry lifecycle on the store, against a simple model, on every backend.

Hypothesis drives the stored use cases (:class:`Enquiries`): drafts,
submissions, the board's steps, amendments, cancellations, outcomes,
uploads, steps out of turn and the clock (across the end of British Summer
Time on 29 October 2023), and after every step checks what the *store* holds:

* at most one active re-check or review per candidate and syllabus (EAR-06),
  in the model and in the store's own claim rows;
* amend and cancel are free exactly while now < acknowledgement + 24 hours (EAR-14);
* the fee is waived exactly when the syllabus grade changed (EAR-15);
* completed enquiries never change (EAR-09);
* every status is the model's, including Pending enquiries moving on by
  themselves when what they waited for finishes (EAR-13);
* every successful step writes events and a refused one writes nothing.

The machine is built per store factory: memory and a SQLite file here,
PostgreSQL, through the test harness's ``store_backend``.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import pendulum
import pytest
from ear_board import BOARD, JUNE_2023, MATHS, OFFICER, POLICY, with_deadline
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from stored_board import RENDERER, StoreFactory, make_pdf, seed

from cambridge_results.board.schema import SCHEMA
from cambridge_results.clock import FixedClock
from cambridge_results.context import Context
from cambridge_results.enquiries import (
    CandidateOutcome,
    DocumentKind,
    Enquiries,
    Enquiry,
    EnquiryAmendment,
    EnquiryStatus,
    NewEnquiry,
    Outcome,
    OutcomeRequest,
    ResultsKey,
    UploadRequest,
)
from cambridge_results.enquiries.errors import DuplicateEnquiry
from cambridge_results.enquiries.repositories import EnquiryRecords
from cambridge_results.errors import EnquiryRefused
from cambridge_results.rules.enquiries.fees import LineKind, charges_for
from cambridge_results.rules.enquiries.outcomes import review_component
from cambridge_results.storage import open_store
from cambridge_results.storage.port import Store
from cambridge_results.testing.conformance_base import StoreURL

S = EnquiryStatus
POLICY_31_OCTOBER = with_deadline(POLICY, JUNE_2023, "2023-10-31")
DEADLINE = pendulum.datetime(2023, 11, 1, 0, 0, tz="UTC")
START = pendulum.datetime(2023, 10, 27, 9, 0, tz="UTC")
CANDIDATES = tuple(f"{n:04d}" for n in range(1, 7))
REVIEWS = ("1", "1S", "2", "2S")
SERVICES = st.sampled_from((*REVIEWS, "9"))
COMPONENTS = st.sampled_from([("12",), ("32",), ("12", "32")])
FREE = pendulum.duration(hours=24)
COUNTS = {S.AWAITING_APPROVAL, S.PENDING, S.SUBMITTED, S.RECEIVED, S.ACKNOWLEDGED, S.COMPLETED}
AT_BOARD = {S.PENDING, S.SUBMITTED, S.RECEIVED, S.ACKNOWLEDGED}
LEGAL = {
    S.SAVED: {"submit", "delete"},
    S.PENDING: {"cancel"},
    S.SUBMITTED: {"receive", "cancel"},
    S.RECEIVED: {"acknowledge", "cancel"},
    S.ACKNOWLEDGED: {"cancel"},
    S.COMPLETED: set(),
    S.CANCELLED: set(),
    S.DELETED: set(),
}
#: An uploaded letter: the machine skips rendering to stay quick (letters have their own tests).
LETTER = make_pdf("Letter")
SCAN = make_pdf("Scan")


def lifecycle_machine(factory: StoreFactory) -> type[RuleBasedStateMachine]:
    """A state machine over stores made by ``factory``."""

    class StoredLifecycle(RuleBasedStateMachine):
        """Drive the stored use cases and compare the store with a model after every step."""

        def __init__(self) -> None:
            super().__init__()
            self.dir = Path(tempfile.mkdtemp(prefix="ear-machine-"))
            self.store: Store = factory(self.dir)
            seed(self.store, numbers=CANDIDATES, syllabuses=(MATHS,))
            self.clock = FixedClock(START)
            self.enquiries = Enquiries(
                Context(store=self.store, policy=POLICY_31_OCTOBER, clock=self.clock),
                letter_renderer=RENDERER,
            )
            self.status: dict[str, EnquiryStatus] = {}
            self.service: dict[str, str] = {}
            self.candidates: dict[str, tuple[str, ...]] = {}
            self.arrived: dict[str, pendulum.DateTime] = {}
            self.acked_at: dict[str, pendulum.DateTime] = {}
            self.has_outcome: set[str] = set()
            self.frozen: dict[str, Enquiry] = {}

        # --- helpers -------------------------------------------------------------

        @property
        def now(self) -> pendulum.DateTime:
            return self.clock.now()

        def ids(self, *statuses: EnquiryStatus) -> list[str]:
            return sorted(i for i, s in self.status.items() if s in statuses)

        def events(self) -> int:
            with self.store.unit_of_work(actor="test:machine", read_only=True) as uow:
                return len(uow.events.history("centre:GB123/"))

        def stored(self, enquiry_id: str) -> Enquiry:
            return self.enquiries.get(BOARD, enquiry_id)

        def succeeds(self, step: Any) -> Any:
            """Run a step that must succeed and must write at least one event."""
            before = self.events()
            result = step()
            assert self.events() > before, "every successful step writes events"
            return result

        def refused(self, step: Any, error: type[Exception] = EnquiryRefused) -> Any:
            """Run a step that must be refused and must write nothing."""
            before = (self.events(), self.all_stored())
            with pytest.raises(error) as caught:
                step()
            assert (self.events(), self.all_stored()) == before, "a refusal writes nothing"
            return caught.value

        def all_stored(self) -> dict[str, Enquiry]:
            return {e.id: e for e in self.enquiries.list_enquiries(BOARD)} | {
                i: self.stored(i) for i in self.ids(S.DELETED)
            }

        def blocked(self, enquiry_id: str) -> bool:
            """The model's EAR-13: an earlier open enquiry at the board shares a candidate."""
            mine = (self.arrived[enquiry_id], enquiry_id)
            return any(
                self.status[o] in AT_BOARD
                and (self.arrived[o], o) < mine
                and set(self.candidates[o]) & set(self.candidates[enquiry_id])
                and "9" in (self.service[o], self.service[enquiry_id])
                for o in self.status
                if o != enquiry_id
            )

        def settle(self) -> None:
            """The model's side of "moving on by itself": Pending ones with nothing to wait for."""
            for i in self.ids(S.PENDING):
                if not self.blocked(i):
                    self.status[i] = S.SUBMITTED
                    event("pending ended by itself")

        def free(self, enquiry_id: str) -> bool:
            acked = self.acked_at.get(enquiry_id)
            return acked is None or self.now < acked + FREE

        def changeable(self) -> list[str]:
            return [
                i
                for i in self.ids(S.PENDING, S.SUBMITTED, S.RECEIVED, S.ACKNOWLEDGED)
                if i not in self.has_outcome
            ]

        # --- the centre ------------------------------------------------------------

        def create(self, service: str, candidate: str, components: tuple[str, ...]) -> None:
            group = tuple(c for c in CANDIDATES if c != candidate)
            named = group if service == "9" else (candidate,)
            made = self.succeeds(
                lambda: self.enquiries.create(
                    OFFICER,
                    NewEnquiry(
                        series=JUNE_2023,
                        service=service,
                        syllabus=MATHS.code,
                        components=components,
                        candidates=named,
                    ),
                )
            )
            self.status[made.id] = S.SAVED
            self.service[made.id] = service
            self.candidates[made.id] = named

        @initialize(
            drafts=st.lists(
                st.tuples(SERVICES, st.sampled_from(CANDIDATES), COMPONENTS),
                min_size=2,
                max_size=4,
            )
        )
        def some_drafts(self, drafts: list[tuple[str, str, tuple[str, ...]]]) -> None:
            """The centre starts with a few drafts."""
            for service, candidate, components in drafts:
                self.create(service, candidate, components)

        @rule(service=SERVICES, candidate=st.sampled_from(CANDIDATES), components=COMPONENTS)
        def create_draft(self, service: str, candidate: str, components: tuple[str, ...]) -> None:
            """A draft: a re-check or review for one candidate, or service 9 for five others."""
            self.create(service, candidate, components)

        @precondition(lambda self: self.ids(S.SAVED))
        @rule(data=st.data())
        def submit(self, data: st.DataObject) -> None:
            """EAR-06 duplicates and the deadline are refused; else Submitted or Pending."""
            enquiry_id = data.draw(st.sampled_from(self.ids(S.SAVED)))
            mine = set(self.candidates[enquiry_id])
            clash = self.service[enquiry_id] in REVIEWS and any(
                self.service[o] in REVIEWS
                and self.status[o] in COUNTS
                and mine & set(self.candidates[o])
                for o in self.status
                if o != enquiry_id
            )
            late = self.now >= DEADLINE
            event(f"submit: clash={clash} late={late}")
            attempt = lambda: self.enquiries.submit(  # noqa: E731
                OFFICER, enquiry_id, declarations=(True, True)
            )
            if clash:
                refused = self.refused(attempt, DuplicateEnquiry)
                assert ("EAR-07.deadline-passed" in refused.codes) is late
                return
            if late:
                refused = self.refused(attempt)
                assert "EAR-07.deadline-passed" in refused.codes
                return
            sent = self.succeeds(attempt).enquiry
            self.arrived[enquiry_id] = sent.arrived_at
            self.status[enquiry_id] = S.PENDING if self.blocked(enquiry_id) else S.SUBMITTED
            assert sent.status is self.status[enquiry_id]

        @precondition(lambda self: self.ids(S.SAVED))
        @rule(data=st.data())
        def delete(self, data: st.DataObject) -> None:
            """A draft is thrown away: kept as Deleted, listed no more."""
            enquiry_id = data.draw(st.sampled_from(self.ids(S.SAVED)))
            self.succeeds(lambda: self.enquiries.delete_draft(OFFICER, enquiry_id))
            self.status[enquiry_id] = S.DELETED

        @precondition(lambda self: self.changeable())
        @rule(data=st.data())
        def cancel(self, data: st.DataObject) -> None:
            """EAR-14: free exactly while now < acknowledgement + 24 hours; EAR-13 may follow."""
            enquiry_id = data.draw(st.sampled_from(self.changeable()))
            done = self.succeeds(lambda: self.enquiries.cancel(OFFICER, enquiry_id)).enquiry
            event(f"cancel: acknowledged={enquiry_id in self.acked_at}")
            assert (done.cancellation_fee is None) is self.free(enquiry_id)
            self.status[enquiry_id] = S.CANCELLED
            self.settle()

        @precondition(lambda self: [i for i in self.changeable() if self.service[i] in REVIEWS])
        @rule(data=st.data(), service=st.sampled_from(REVIEWS))
        def amend(self, data: st.DataObject, service: str) -> None:
            """EAR-14: an amendment is free exactly while now < acknowledgement + 24 hours."""
            enquiry_id = data.draw(
                st.sampled_from([i for i in self.changeable() if self.service[i] in REVIEWS])
            )
            change = EnquiryAmendment(enquiry_id=enquiry_id, service=service)
            attempt = lambda: self.enquiries.amend(OFFICER, change)  # noqa: E731
            if service == self.service[enquiry_id]:
                assert self.refused(attempt).codes == ("EAR-14.nothing-to-amend",)
                return
            amended = self.succeeds(attempt).enquiry
            self.service[enquiry_id] = service
            assert amended.amendments[-1].charged is not self.free(enquiry_id)
            assert amended.status is self.status[enquiry_id]

        # --- the board -----------------------------------------------------------------

        def do_receive(self, enquiry_id: str) -> None:
            self.succeeds(lambda: self.enquiries.receive(BOARD, enquiry_id))
            self.status[enquiry_id] = S.RECEIVED

        def do_acknowledge(self, enquiry_id: str) -> None:
            self.succeeds(lambda: self.enquiries.acknowledge(BOARD, enquiry_id, letter=LETTER))
            self.status[enquiry_id] = S.ACKNOWLEDGED
            self.acked_at[enquiry_id] = self.now

        @precondition(lambda self: self.ids(S.SUBMITTED))
        @rule(data=st.data())
        def receive(self, data: st.DataObject) -> None:
            """The board numbers a submitted enquiry (the store picks the number)."""
            self.do_receive(data.draw(st.sampled_from(self.ids(S.SUBMITTED))))

        @precondition(lambda self: self.ids(S.RECEIVED))
        @rule(data=st.data())
        def acknowledge(self, data: st.DataObject) -> None:
            """The board uploads the acknowledgement letter."""
            self.do_acknowledge(data.draw(st.sampled_from(self.ids(S.RECEIVED))))

        def in_progress(self) -> list[str]:
            return [*self.ids(S.SUBMITTED, S.RECEIVED), *self.without_outcome()]

        @precondition(lambda self: self.in_progress())
        @rule(data=st.data(), grade_changes=st.booleans())
        def board_works_on(self, data: st.DataObject, grade_changes: bool) -> None:
            """The board takes the next step of an enquiry in its queue (EAR-08)."""
            enquiry_id = data.draw(st.sampled_from(self.in_progress()))
            status = self.status[enquiry_id]
            if status is S.SUBMITTED:
                self.do_receive(enquiry_id)
            elif status is S.RECEIVED:
                self.do_acknowledge(enquiry_id)
            else:
                self.do_outcome(enquiry_id, grade_changes)

        def without_outcome(self) -> list[str]:
            return [i for i in self.ids(S.ACKNOWLEDGED) if i not in self.has_outcome]

        def outcome(self, enquiry_id: str, grade_changes: bool) -> Outcome:
            enquiry = self.stored(enquiry_id)
            if enquiry.service == "9":
                return Outcome(recorded_at=self.now)  # a report reviews no marking
            (candidate,) = enquiry.candidates
            stored = self.enquiries.results(
                BOARD,
                ResultsKey(centre="GB123", series=JUNE_2023, candidate=candidate, syllabus="0580"),
            )
            assert stored is not None
            assert stored.grade is not None
            code = enquiry.components[0]
            mark = stored.mark(code)
            assert mark is not None
            assert mark.value is not None
            reviewed = mark.value + (9 if grade_changes else 1)  # 1 is within the tolerance
            return Outcome(
                recorded_at=self.now,
                candidates=(
                    CandidateOutcome(
                        candidate=candidate,
                        components=(
                            review_component(
                                MATHS.component(code), before=mark.value, reviewed=reviewed
                            ),
                        ),
                        grade_before=stored.grade,
                        grade_after="A*" if grade_changes else stored.grade,
                    ),
                ),
            )

        def needs(self, enquiry_id: str) -> DocumentKind | None:
            wanted = {"1S": DocumentKind.COPY_OF_SCRIPT, "2S": DocumentKind.COPY_OF_SCRIPT}
            wanted["9"] = DocumentKind.REPORT
            return wanted.get(self.service[enquiry_id])

        @precondition(lambda self: self.without_outcome())
        @rule(data=st.data(), grade_changes=st.booleans())
        def record_outcome(self, data: st.DataObject, grade_changes: bool) -> None:
            """EAR-23, EAR-10: Completed unless a copy of script or report is still missing."""
            self.do_outcome(data.draw(st.sampled_from(self.without_outcome())), grade_changes)

        def do_outcome(self, enquiry_id: str, grade_changes: bool) -> None:
            outcome = self.outcome(enquiry_id, grade_changes)
            kind = self.needs(enquiry_id)
            waiting = kind is not None and not self.stored(enquiry_id).has(kind)
            done = self.succeeds(
                lambda: self.enquiries.record_outcome(
                    BOARD, OutcomeRequest(enquiry_id=enquiry_id, outcome=outcome, letter=LETTER)
                )
            ).enquiry
            self.has_outcome.add(enquiry_id)
            self.status[enquiry_id] = S.ACKNOWLEDGED if waiting else S.COMPLETED
            assert done.status is self.status[enquiry_id]
            event(f"outcome: {self.service[enquiry_id]}, grade changed={outcome.grade_changed}")
            self.settle()

        def missing_documents(self) -> list[str]:
            return [
                i
                for i in self.ids(S.ACKNOWLEDGED)
                if (kind := self.needs(i)) is not None and not self.stored(i).has(kind)
            ]

        @precondition(lambda self: self.missing_documents())
        @rule(data=st.data())
        def upload_document(self, data: st.DataObject) -> None:
            """EAR-10: the copy of script or the report; Completed once the outcome is there."""
            enquiry_id = data.draw(st.sampled_from(self.missing_documents()))
            kind = self.needs(enquiry_id)
            assert kind is not None
            done = self.succeeds(
                lambda: self.enquiries.upload_document(
                    BOARD, UploadRequest(enquiry_id=enquiry_id, kind=kind, pdf=SCAN)
                )
            ).enquiry
            if enquiry_id in self.has_outcome:
                self.status[enquiry_id] = S.COMPLETED
            assert done.status is self.status[enquiry_id]
            self.settle()

        @precondition(lambda self: self.status)
        @rule(
            data=st.data(),
            step=st.sampled_from(["submit", "delete", "receive", "acknowledge", "cancel"]),
        )
        def step_out_of_turn(self, data: st.DataObject, step: str) -> None:
            """EAR-09: a step the status does not allow is refused and writes nothing."""
            enquiry_id = data.draw(st.sampled_from(sorted(self.status)))
            status = self.status[enquiry_id]
            if step in LEGAL[status] or (step == "cancel" and status is S.ACKNOWLEDGED):
                return
            calls = {
                "submit": lambda: self.enquiries.submit(
                    OFFICER, enquiry_id, declarations=(True, True)
                ),
                "delete": lambda: self.enquiries.delete_draft(OFFICER, enquiry_id),
                "receive": lambda: self.enquiries.receive(BOARD, enquiry_id),
                "acknowledge": lambda: self.enquiries.acknowledge(BOARD, enquiry_id, letter=LETTER),
                "cancel": lambda: self.enquiries.cancel(OFFICER, enquiry_id),
            }
            self.refused(calls[step])

        # --- the clock -------------------------------------------------------------------

        @rule(hours=st.integers(min_value=0, max_value=12), minutes=st.integers(0, 59))
        def time_passes(self, hours: int, minutes: int) -> None:
            """The clock moves on, across the end of British Summer Time and the deadline."""
            self.clock.advance(hours=hours, minutes=minutes)

        @precondition(lambda self: any(a + FREE > self.now for a in self.acked_at.values()))
        @rule(data=st.data(), just_before=st.booleans())
        def to_the_edge_of_a_free_window(self, data: st.DataObject, just_before: bool) -> None:
            """The clock moves to the last free instant of a window, or its first charged one."""
            edges = sorted(a + FREE for a in self.acked_at.values() if a + FREE > self.now)
            edge = data.draw(st.sampled_from(edges))
            self.clock.set(edge.subtract(microseconds=1) if just_before else edge)

        # --- invariants --------------------------------------------------------------------

        @invariant()
        def the_store_agrees_with_the_model(self) -> None:
            """Every stored enquiry is in the status the model predicts (Pending moved on)."""
            stored = self.all_stored()
            assert {i: e.status for i, e in stored.items()} == self.status

        @invariant()
        def at_most_one_active_review_per_candidate_and_syllabus(self) -> None:
            """EAR-06, in the store's own claim rows and in the stored enquiries."""
            with self.store.unit_of_work(actor="test:machine", read_only=True) as uow:
                repo = EnquiryRecords(uow).enquiries
                for candidate in CANDIDATES:
                    holders = repo.active_reviews("GB123", JUNE_2023, "0580", candidate)
                    expected = [
                        i
                        for i in self.ids(*COUNTS)
                        if self.service[i] in REVIEWS and candidate in self.candidates[i]
                    ]
                    assert holders == expected
                    assert len(holders) <= 1

        @invariant()
        def completed_enquiries_never_change(self) -> None:
            """EAR-09: once Completed, the stored enquiry stays exactly as it was."""
            for i in self.ids(S.COMPLETED):
                current = self.stored(i)
                self.frozen.setdefault(i, current)
                assert current == self.frozen[i]

        @invariant()
        def the_fee_is_waived_exactly_when_the_grade_changed(self) -> None:
            """EAR-15: a completed enquiry's fee is waived iff its syllabus grade changed."""
            for i in self.ids(S.COMPLETED):
                e = self.stored(i)
                assert e.outcome is not None
                (line,) = [
                    x for x in charges_for(POLICY_31_OCTOBER, e) if x.kind is LineKind.SERVICE
                ]
                assert (line.charge is None) is e.outcome.grade_changed
                assert (line.waived is not None) is e.outcome.grade_changed

        def teardown(self) -> None:
            self.store.close()
            shutil.rmtree(self.dir, ignore_errors=True)

    return StoredLifecycle


def machine_settings(examples: int, steps: int) -> settings:
    """Settings for one backend: modest, the machine shares two cores."""
    return settings(
        max_examples=examples,
        stateful_step_count=steps,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


#: Examples and steps per backend: modest where each example costs a schema or a file.
BUDGET = {"memory": (60, 50), "sqlite": (20, 40), "postgresql": (12, 30)}


def test_the_stored_lifecycle_agrees_with_the_model(
    store_backend: str, store_url: StoreURL
) -> None:
    """EAR-06, 09, 13, 14, 15 on the store: every step checked against the model, each
    example in a store of its own on the harness's backend."""
    machine = lifecycle_machine(lambda path: open_store(store_url(path), migrations=SCHEMA))
    run_state_machine_as_test(machine, settings=machine_settings(*BUDGET[store_backend]))
