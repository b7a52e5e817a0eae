"""The access workflow over many steps: modes, ticks, unticks and withdrawn entries (CRW-06..08)."""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from cambridge_results.rules.website.access import access_change, check_selection, with_access
from cambridge_results.values import CandidateNumber, ExamSeries, Session
from cambridge_results.values.access import AccessMode

JUNE = ExamSeries(year=2026, session=Session.JUNE)
POOL = [CandidateNumber(str(n)) for n in range(1, 9)]
numbers = st.sampled_from(POOL)


class AccessWorkflow(RuleBasedStateMachine):
    """A centre changing its mind; live credentials are only ever changed by access_change."""

    def __init__(self) -> None:
        super().__init__()
        self.mode = AccessMode.NONE
        self.eligible = set(POOL[:6])
        self.selected: set[CandidateNumber] = set()
        self.live: frozenset[CandidateNumber] = frozenset()
        self.ever_granted: set[CandidateNumber] = set()

    def _apply(self) -> None:
        after = with_access(self.mode, self.eligible, self.selected)
        change = access_change(self.live, after)
        self.live = (self.live - change.revoked) | change.granted
        self.ever_granted |= change.granted

    @rule(mode=st.sampled_from(AccessMode))
    def set_mode(self, mode: AccessMode) -> None:
        """CRW-01: choose NO, ALL or Selected candidates."""
        self.mode = mode
        self._apply()

    @rule(number=numbers)
    def tick(self, number: CandidateNumber) -> None:
        """CRW-07/08: tick a candidate; one without a valid entry is refused (CRW-03)."""
        decision = check_selection({number}, self.eligible, JUNE)
        if number in self.eligible:
            assert decision.allowed
            self.selected.add(number)
            self._apply()
        else:
            assert decision.codes == ("CRW-03.candidate-has-no-valid-entry",)

    @rule(number=numbers)
    def untick(self, number: CandidateNumber) -> None:
        """CRW-08: an unticked candidate loses access at once (in SELECTED mode)."""
        self.selected.discard(number)
        self._apply()
        if self.mode is AccessMode.SELECTED:
            assert number not in self.live

    @rule(number=numbers)
    def withdraw_entry(self, number: CandidateNumber) -> None:
        """CRW-03: a withdrawn entry takes the candidate out of every mode's access."""
        self.eligible.discard(number)
        self._apply()
        assert number not in self.live

    @invariant()
    def live_credentials_match_the_rules(self) -> None:
        """CRW-06/07: who holds live credentials is exactly who the mode gives access."""
        assert self.live == with_access(self.mode, self.eligible, self.selected)
        if self.mode is AccessMode.NONE:
            assert not self.live


AccessWorkflow.TestCase.settings = settings(max_examples=50, stateful_step_count=30)
test_the_access_workflow_keeps_live_credentials_in_line_with_the_rules = AccessWorkflow.TestCase
