"""A state machine over login attempts and clock steps, against a simple model (LOG-02)."""

from __future__ import annotations

import pendulum
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from logins_support import PASSWORD, USERNAME, make_world

KEY = USERNAME.lower()


class LockoutMachine(RuleBasedStateMachine):
    """Attempts (right or wrong) and clock steps; the login service must agree with the model."""

    def __init__(self) -> None:
        super().__init__()
        self.world = make_world()
        self.world.add_account()
        self.failures = 0
        self.locked_until: pendulum.DateTime | None = None

    def model_locked(self) -> bool:
        now = self.world.clock.now()
        return self.locked_until is not None and now < self.locked_until

    @rule(correct=st.booleans())
    def attempt(self, correct: bool) -> None:
        """One attempt now; while the model is locked it must be refused without the hasher."""
        now = self.world.clock.now()
        before = self.world.hasher.verifies
        result = self.world.log_in(USERNAME, PASSWORD if correct else PASSWORD + "!")
        if self.model_locked():
            assert result.decision.codes == ("LOG-02.locked",)
            assert self.world.hasher.verifies == before
            return
        assert self.world.hasher.verifies == before + 1
        assert result.ok == correct
        if correct:
            self.failures, self.locked_until = 0, None
            return
        if self.locked_until is not None:  # a lock that ran out: a new count starts
            self.failures, self.locked_until = 0, None
        self.failures += 1
        if self.failures >= 3:
            self.locked_until = now.add(minutes=30)

    @rule(seconds=st.integers(min_value=0, max_value=40 * 60))
    def wait(self, seconds: int) -> None:
        """Time passes."""
        self.world.clock.advance(seconds=seconds)

    @rule(before=st.booleans())
    def jump_to_the_edge_of_the_lock(self, before: bool) -> None:
        """Go to one second before the lock ends, or to its very end."""
        if self.locked_until is not None and self.model_locked():
            edge = self.locked_until.subtract(seconds=1) if before else self.locked_until
            self.world.clock.set(edge)

    @invariant()
    def the_counter_matches_the_model(self) -> None:
        """The stored state is the model's state: never unlocked early, never extended."""
        state = self.world.state(KEY)
        assert state.locked_until == self.locked_until
        assert state.failures == self.failures


TestLockoutMachine = LockoutMachine.TestCase
TestLockoutMachine.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
