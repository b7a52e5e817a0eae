"""The whole enquiry lifecycle against a simple model (EAR-06, EAR-09..EAR-15).

Hypothesis drives drafts, submissions, the board's steps, amendments,
cancellations and the clock (across the end of British Summer Time on
29 October 2023) in any order, and checks after every step:

* at most one active re-check or review per candidate and syllabus (EAR-06);
* amend and cancel are free exactly while now < acknowledgement + 24 hours (EAR-14);
* the fee is waived exactly when the syllabus grade changed (EAR-15);
* completed enquiries never change (EAR-09);
* every status is the one the model predicts, and every step records events.
"""

from __future__ import annotations

import pendulum
import pytest
from ear_board import (
    BOARD,
    BOTH_TICKED,
    CENTRE,
    JUNE_2023,
    MATHS,
    OFFICER,
    POLICY,
    facts,
    with_deadline,
)
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from cambridge_results.enquiries import (
    CandidateOutcome,
    DocumentKind,
    Enquiry,
    EnquiryStatus,
    Outcome,
    Transition,
)
from cambridge_results.errors import EnquiryRefused
from cambridge_results.rules.enquiries import workflow as wf
from cambridge_results.rules.enquiries.changes import amend, cancel
from cambridge_results.rules.enquiries.fees import LineKind, charges_for
from cambridge_results.rules.enquiries.outcomes import review_component

S = EnquiryStatus
#: The window closes at the end of 31 October (GMT), so submissions span the clock change
#: on 29 October and the machine also meets the deadline.
MACHINE_POLICY = with_deadline(POLICY, JUNE_2023, "2023-10-31")
DEADLINE = pendulum.datetime(2023, 11, 1, 0, 0, tz="UTC")
START = pendulum.datetime(2023, 10, 27, 9, 0, tz="UTC")
CANDIDATES = tuple(f"{n:04d}" for n in range(1, 7))
FACTS = facts(MATHS, numbers=CANDIDATES)
REVIEWS = ("1", "1S", "2", "2S")
SERVICES = st.sampled_from((*REVIEWS, "9"))
COMPONENTS = st.sampled_from([("12",), ("32",), ("12", "32")])
FREE_HOURS = pendulum.duration(hours=24)
#: What the model calls active for EAR-06: submitted and neither cancelled nor deleted.
COUNTS = {S.AWAITING_APPROVAL, S.PENDING, S.SUBMITTED, S.RECEIVED, S.ACKNOWLEDGED, S.COMPLETED}
AT_BOARD = {S.PENDING, S.SUBMITTED, S.RECEIVED, S.ACKNOWLEDGED}
#: Every status and the steps the model allows from it.
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


class EnquiryLifecycle(RuleBasedStateMachine):
    """Drive the pure workflow and compare it with a model after every step."""

    def __init__(self) -> None:
        super().__init__()
        self.now = START
        self.enquiries: dict[str, Enquiry] = {}
        self.status: dict[str, EnquiryStatus] = {}  # the model's view
        self.acked_at: dict[str, pendulum.DateTime] = {}
        self.frozen: dict[str, Enquiry] = {}
        self.numbers = 0

    # --- helpers ----------------------------------------------------------------------

    def ids(self, *statuses: EnquiryStatus) -> list[str]:
        return sorted(i for i, s in self.status.items() if s in statuses)

    def apply(self, transition: Transition) -> Enquiry:
        enquiry = transition.enquiry
        assert transition.events, "every step records at least one event"
        for e in transition.events:
            assert (e.enquiry_id, e.at) == (enquiry.id, self.now)
        self.enquiries[enquiry.id] = enquiry
        if enquiry.status is S.COMPLETED and enquiry.id not in self.frozen:
            self.frozen[enquiry.id] = enquiry
        return enquiry

    def is_review(self, enquiry: Enquiry) -> bool:
        return enquiry.service in REVIEWS

    def expect_free(self, enquiry_id: str) -> bool:
        acked = self.acked_at.get(enquiry_id)
        return acked is None or self.now < acked + FREE_HOURS

    def others(self, enquiry_id: str) -> tuple[Enquiry, ...]:
        return tuple(e for i, e in self.enquiries.items() if i != enquiry_id)

    # --- the centre -----------------------------------------------------------------------

    def create(self, service: str, candidate: str, components: tuple[str, ...]) -> None:
        group = tuple(c for c in CANDIDATES if c != candidate)
        enquiry = self.apply(
            wf.create(
                MACHINE_POLICY,
                enquiry_id=f"e{len(self.enquiries) + 1:04d}",
                centre=CENTRE,
                series=JUNE_2023,
                service=service,
                syllabus=MATHS.code,
                components=components,
                candidates=group if service == "9" else (candidate,),
                principal=OFFICER,
                now=self.now,
            )
        )
        self.status[enquiry.id] = S.SAVED

    @initialize(
        drafts=st.lists(
            st.tuples(SERVICES, st.sampled_from(CANDIDATES), COMPONENTS), min_size=2, max_size=4
        )
    )
    def some_drafts(self, drafts):
        """The centre starts with a few drafts."""
        for service, candidate, components in drafts:
            self.create(service, candidate, components)

    @rule(service=SERVICES, candidate=st.sampled_from(CANDIDATES), components=COMPONENTS)
    def create_draft(self, service, candidate, components):
        """A centre saves a draft: a re-check or review for one candidate, or a service 9
        for the five other candidates."""
        self.create(service, candidate, components)

    @precondition(lambda self: self.ids(S.SAVED))
    @rule(data=st.data())
    def submit(self, data):
        """Submitting: refused by EAR-06 or the deadline, else Submitted or Pending (EAR-13)."""
        enquiry_id = data.draw(st.sampled_from(self.ids(S.SAVED)))
        enquiry = self.enquiries[enquiry_id]
        mine = set(enquiry.candidates)
        clash = self.is_review(enquiry) and any(
            self.is_review(o) and self.status[o.id] in COUNTS and mine & set(o.candidates)
            for o in self.others(enquiry_id)
        )
        late = self.now >= DEADLINE
        # Ties at the same instant are broken by id (docs/enquiries.md).
        waits = any(
            self.status[o.id] in AT_BOARD
            and (o.arrived_at, o.id) < (self.now, enquiry_id)
            and mine & set(o.candidates)
            and "9" in (o.service, enquiry.service)
            for o in self.others(enquiry_id)
        )
        attempt = lambda: wf.submit(  # noqa: E731
            MACHINE_POLICY,
            enquiry,
            facts=FACTS,
            others=self.others(enquiry_id),
            declarations=BOTH_TICKED,
            principal=OFFICER,
            now=self.now,
        )
        event(f"submit: clash={clash} late={late} waits={waits}")
        if clash or late:
            with pytest.raises(EnquiryRefused) as refused:
                attempt()
            assert ("EAR-06.already-submitted" in refused.value.codes) is clash
            assert ("EAR-07.deadline-passed" in refused.value.codes) is late
            return
        sent = self.apply(attempt())
        self.status[enquiry_id] = S.PENDING if waits else S.SUBMITTED
        assert sent.status is self.status[enquiry_id]

    @precondition(lambda self: self.ids(S.SAVED))
    @rule(data=st.data())
    def delete(self, data):
        """A draft is thrown away."""
        enquiry_id = data.draw(st.sampled_from(self.ids(S.SAVED)))
        self.apply(
            wf.delete(MACHINE_POLICY, self.enquiries[enquiry_id], principal=OFFICER, now=self.now)
        )
        self.status[enquiry_id] = S.DELETED

    def changeable(self) -> list[str]:
        return [
            i
            for i in self.ids(S.PENDING, S.SUBMITTED, S.RECEIVED, S.ACKNOWLEDGED)
            if self.enquiries[i].outcome is None
        ]

    @precondition(lambda self: self.changeable())
    @rule(data=st.data())
    def cancel(self, data):
        """EAR-14: a cancellation is free exactly while now < acknowledgement + 24 hours."""
        enquiry_id = data.draw(st.sampled_from(self.changeable()))
        done = self.apply(
            cancel(MACHINE_POLICY, self.enquiries[enquiry_id], principal=OFFICER, now=self.now)
        )
        self.status[enquiry_id] = S.CANCELLED
        free = done.cancellation_fee is None
        event(f"cancel: acknowledged={enquiry_id in self.acked_at} free={free}")
        assert (done.cancellation_fee is None) is self.expect_free(enquiry_id)

    @precondition(lambda self: [i for i in self.changeable() if i in self.review_ids()])
    @rule(data=st.data(), service=st.sampled_from(REVIEWS))
    def amend(self, data, service):
        """EAR-14: an amendment is free exactly while now < acknowledgement + 24 hours."""
        enquiry_id = data.draw(
            st.sampled_from([i for i in self.changeable() if i in self.review_ids()])
        )
        enquiry = self.enquiries[enquiry_id]
        if service == enquiry.service:
            with pytest.raises(EnquiryRefused):
                amend(
                    MACHINE_POLICY,
                    enquiry,
                    facts=FACTS,
                    others=self.others(enquiry_id),
                    service=service,
                    principal=OFFICER,
                    now=self.now,
                )
            return
        amended = self.apply(
            amend(
                MACHINE_POLICY,
                enquiry,
                facts=FACTS,
                others=self.others(enquiry_id),
                service=service,
                principal=OFFICER,
                now=self.now,
            )
        )
        event(
            f"amend: acknowledged={enquiry_id in self.acked_at} free={self.expect_free(enquiry_id)}"
        )
        assert amended.amendments[-1].charged is not self.expect_free(enquiry_id)
        assert amended.status is enquiry.status

    def review_ids(self) -> set[str]:
        return {i for i, e in self.enquiries.items() if self.is_review(e)}

    # --- the board -----------------------------------------------------------------------

    @precondition(lambda self: self.ids(S.PENDING))
    @rule()
    def release_pending(self):
        """EAR-13: Pending enquiries move on once nothing earlier on their candidates is open."""
        for t in wf.release_ready(
            MACHINE_POLICY, tuple(self.enquiries.values()), principal=BOARD, now=self.now
        ):
            self.apply(t)
            self.status[t.enquiry.id] = S.SUBMITTED
            event("pending ended")
        for i in self.ids(S.PENDING):
            mine = self.enquiries[i]
            assert any(
                self.status[o.id] in AT_BOARD
                and o.arrived_at is not None
                and (o.arrived_at, o.id) < (mine.arrived_at, mine.id)
                and set(o.candidates) & set(mine.candidates)
                and "9" in (o.service, mine.service)
                for o in self.others(i)
            ), f"{i} is Pending with nothing to wait for"

    @precondition(lambda self: self.ids(S.SUBMITTED))
    @rule(data=st.data())
    def receive(self, data):
        """The board numbers a submitted enquiry."""
        enquiry_id = data.draw(st.sampled_from(self.ids(S.SUBMITTED)))
        self.numbers += 1
        self.apply(
            wf.receive(
                MACHINE_POLICY,
                self.enquiries[enquiry_id],
                number=f"E23-{self.numbers:06d}",
                principal=BOARD,
                now=self.now,
            )
        )
        self.status[enquiry_id] = S.RECEIVED

    @precondition(lambda self: self.ids(S.RECEIVED))
    @rule(data=st.data())
    def acknowledge(self, data):
        """The board uploads the acknowledgement letter."""
        enquiry_id = data.draw(st.sampled_from(self.ids(S.RECEIVED)))
        self.apply(
            wf.acknowledge(
                MACHINE_POLICY, self.enquiries[enquiry_id], principal=BOARD, now=self.now
            )
        )
        self.status[enquiry_id] = S.ACKNOWLEDGED
        self.acked_at[enquiry_id] = self.now

    def without_outcome(self) -> list[str]:
        return [i for i in self.ids(S.ACKNOWLEDGED) if self.enquiries[i].outcome is None]

    @precondition(lambda self: self.without_outcome())
    @rule(data=st.data(), grade_changes=st.booleans())
    def record_outcome(self, data, grade_changes):
        """The board records an outcome, changing the grade or not (EAR-23)."""
        enquiry_id = data.draw(st.sampled_from(self.without_outcome()))
        enquiry = self.enquiries[enquiry_id]
        if enquiry.service == "9":
            outcome = Outcome(recorded_at=self.now)  # a report reviews no marking
        else:
            (candidate,) = enquiry.candidates
            reviewed = 60 if grade_changes else 51  # 51 is within the tolerance of 2
            result = review_component(
                MATHS.component(enquiry.components[0]), before=50, reviewed=reviewed
            )
            outcome = Outcome(
                candidates=(
                    CandidateOutcome(
                        candidate=candidate,
                        components=(result,),
                        grade_before="C",
                        grade_after="B" if grade_changes else "C",
                    ),
                ),
                recorded_at=self.now,
            )
        needs_more = any(i == enquiry_id for i, _ in self.missing_documents())
        done = self.apply(
            wf.record_outcome(
                MACHINE_POLICY, enquiry, outcome=outcome, principal=BOARD, now=self.now
            )
        )
        event(f"outcome: grade changed={outcome.grade_changed}")
        self.status[enquiry_id] = S.ACKNOWLEDGED if needs_more else S.COMPLETED
        assert done.status is self.status[enquiry_id]

    def missing_documents(self) -> list[tuple[str, DocumentKind]]:
        wanted = {"1S": DocumentKind.COPY_OF_SCRIPT, "2S": DocumentKind.COPY_OF_SCRIPT}
        wanted["9"] = DocumentKind.REPORT
        found = []
        for i in self.ids(S.ACKNOWLEDGED):
            kind = wanted.get(self.enquiries[i].service)
            if kind is not None and not self.enquiries[i].has(kind):
                found.append((i, kind))
        return found

    @precondition(lambda self: self.missing_documents())
    @rule(data=st.data())
    def upload_document(self, data):
        """EAR-10: the copy of script or report; Completed once the outcome is there too."""
        enquiry_id, kind = data.draw(st.sampled_from(self.missing_documents()))
        enquiry = self.enquiries[enquiry_id]
        done = self.apply(
            wf.upload_document(MACHINE_POLICY, enquiry, kind=kind, principal=BOARD, now=self.now)
        )
        self.status[enquiry_id] = S.COMPLETED if enquiry.outcome is not None else S.ACKNOWLEDGED
        assert done.status is self.status[enquiry_id]

    # --- anything out of turn ------------------------------------------------------------

    @precondition(lambda self: self.enquiries)
    @rule(
        data=st.data(),
        step=st.sampled_from(["submit", "delete", "receive", "acknowledge", "cancel"]),
    )
    def step_out_of_turn(self, data, step):
        """EAR-09: a step the status does not allow is refused and changes nothing."""
        enquiry_id = data.draw(st.sampled_from(sorted(self.enquiries)))
        if step in LEGAL[self.status[enquiry_id]]:
            return
        if step == "cancel" and self.status[enquiry_id] is S.ACKNOWLEDGED:
            return
        enquiry = self.enquiries[enquiry_id]
        calls = {
            "submit": lambda: wf.submit(
                MACHINE_POLICY,
                enquiry,
                facts=FACTS,
                others=(),
                declarations=BOTH_TICKED,
                principal=OFFICER,
                now=self.now,
            ),
            "delete": lambda: wf.delete(MACHINE_POLICY, enquiry, principal=OFFICER, now=self.now),
            "receive": lambda: wf.receive(
                MACHINE_POLICY, enquiry, number="E0", principal=BOARD, now=self.now
            ),
            "acknowledge": lambda: wf.acknowledge(
                MACHINE_POLICY, enquiry, principal=BOARD, now=self.now
            ),
            "cancel": lambda: cancel(MACHINE_POLICY, enquiry, principal=OFFICER, now=self.now),
        }
        with pytest.raises(EnquiryRefused):
            calls[step]()

    # --- the clock -----------------------------------------------------------------------

    @rule(hours=st.integers(min_value=1, max_value=48), minutes=st.integers(0, 59))
    def time_passes(self, hours, minutes):
        """The clock moves on, across the end of British Summer Time."""
        self.now = self.now.add(hours=hours, minutes=minutes)

    @precondition(lambda self: any(a + FREE_HOURS > self.now for a in self.acked_at.values()))
    @rule(data=st.data(), just_before=st.booleans())
    def to_the_edge_of_a_free_window(self, data, just_before):
        """The clock moves to the last free instant of a window, or to its first charged one."""
        edges = sorted(a + FREE_HOURS for a in self.acked_at.values() if a + FREE_HOURS > self.now)
        edge = data.draw(st.sampled_from(edges))
        self.now = edge.subtract(microseconds=1) if just_before else edge

    # --- invariants ----------------------------------------------------------------------

    @invariant()
    def statuses_agree_with_the_model(self):
        """Every enquiry is in the status the model predicts."""
        for i, e in self.enquiries.items():
            assert e.status is self.status[i], i

    @invariant()
    def at_most_one_active_review_per_candidate_and_syllabus(self):
        """EAR-06: one re-check or review per candidate and syllabus among submitted ones."""
        seen: set[tuple[str, str]] = set()
        for e in self.enquiries.values():
            if self.is_review(e) and e.status.was_submitted:
                for c in e.candidates:
                    key = (str(c), str(e.syllabus))
                    assert key not in seen
                    seen.add(key)

    @invariant()
    def completed_enquiries_never_change(self):
        """EAR-09: once Completed, an enquiry is never replaced by a different value."""
        for i, snapshot in self.frozen.items():
            assert self.enquiries[i] == snapshot

    @invariant()
    def the_fee_is_waived_exactly_when_the_grade_changed(self):
        """EAR-15: a completed enquiry's service fee is waived iff its syllabus grade changed."""
        for e in self.enquiries.values():
            if e.status is not S.COMPLETED:
                continue
            (line,) = [x for x in charges_for(MACHINE_POLICY, e) if x.kind is LineKind.SERVICE]
            assert e.outcome is not None
            assert (line.charge is None) is e.outcome.grade_changed
            assert line.waived is not None or not e.outcome.grade_changed


TestEnquiryLifecycle = EnquiryLifecycle.TestCase
TestEnquiryLifecycle.settings = settings(
    max_examples=150,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
