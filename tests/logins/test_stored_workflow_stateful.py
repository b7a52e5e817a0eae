"""A state machine over ``Logins`` on a real SQLite file, against a model.

Attempts (right or wrong), clock steps, reset requests and completions, and
reopening the store (a restart) run in any order; after every step the stored
lockout state and which password works must be the model's (LOG-02, LOG-05).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pendulum
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from logins_support import PASSWORD, USERNAME, LoginWorld, make_world

from cambridge_results.board.schema import SCHEMA
from cambridge_results.logins.tokens import token_digest
from cambridge_results.rules.logins.lockout import LockoutState
from cambridge_results.storage import Store, open_store

KEY = USERNAME.lower()
NEW_PASSWORDS = ("first fresh passphrase 2026", "second fresh passphrase 2027")


class StoredLoginMachine(RuleBasedStateMachine):
    """Logins and resets through ``Logins`` on SQLite; the model says what must happen."""

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="stored-machine-"))
        self.url = f"sqlite:///{self.dir / 'logins.db'}"
        self.store: Store = open_store(self.url, migrations=SCHEMA)
        self.world: LoginWorld = make_world(self.store)
        self.world.add_account()
        self.password = PASSWORD
        self.failures = 0
        self.locked_until: pendulum.DateTime | None = None
        self.links: list[tuple[str, pendulum.DateTime]] = []  # (token, expires), newest last
        self.used: set[str] = set()

    def teardown(self) -> None:
        """Close the store and remove its directory."""
        self.store.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def now(self) -> pendulum.DateTime:
        return self.world.clock.now()

    def model_locked(self) -> bool:
        return self.locked_until is not None and self.now() < self.locked_until

    @rule(correct=st.booleans())
    def attempt(self, correct: bool) -> None:
        """LOG-02: one attempt; refused without the hasher while the model is locked."""
        before = self.world.hasher.verifies
        result = self.world.log_in(USERNAME, self.password if correct else "wrong!")
        if self.model_locked():
            assert result.decision.codes == ("LOG-02.locked",)
            assert self.world.hasher.verifies == before
            return
        assert result.ok == correct
        if correct:
            self.failures, self.locked_until = 0, None
            return
        if self.locked_until is not None:  # a lock that ran out: a new count starts
            self.failures, self.locked_until = 0, None
        self.failures += 1
        if self.failures >= 3:
            self.locked_until = self.now().add(minutes=30)

    @rule(minutes=st.integers(min_value=0, max_value=70))
    def wait(self, minutes: int) -> None:
        """Time passes."""
        self.world.clock.advance(minutes=minutes)

    @rule()
    def request_a_link(self) -> None:
        """LOG-05: a new link; every earlier one becomes void."""
        sent = len(self.world.outbox.messages)
        self.world.request_reset(USERNAME)
        assert len(self.world.outbox.messages) == sent + 1
        for token, _ in self.links:
            self.used.add(token)
        self.links.append((self.world.token(), self.now().add(minutes=60)))

    @precondition(lambda self: bool(self.links))
    @rule(newest=st.booleans(), which=st.sampled_from(NEW_PASSWORDS))
    def complete_a_reset(self, newest: bool, which: str) -> None:
        """LOG-05: only the newest, unused, unexpired link works; it clears the lockout."""
        token, expires = self.links[-1] if newest else self.links[0]
        decision = self.world.reset(token, which)
        usable = token not in self.used and self.now() < expires
        assert decision.allowed == usable, decision.codes
        if usable:
            self.used.add(token)
            self.password = which
            self.failures, self.locked_until = 0, None

    @rule()
    def restart(self) -> None:
        """The application restarts: the store is closed and its file opened again."""
        clock = self.world.clock.now()
        self.store.close()
        self.store = open_store(self.url, migrations=SCHEMA)
        self.world = make_world(self.store)
        self.world.clock.set(clock)

    @invariant()
    def the_stored_state_is_the_models(self) -> None:
        """LOG-02: never unlocked early, never extended, no count lost or invented."""
        state = self.world.state(KEY)
        if self.failures == 0 and self.locked_until is None:
            assert state == LockoutState()
        else:
            assert state == LockoutState(failures=self.failures, locked_until=self.locked_until)

    @invariant()
    def at_most_the_newest_unused_link_is_live(self) -> None:
        """LOG-05: one live token per account: the newest link, until it is used."""
        live = {r.digest for r in self.world.read(lambda r: r.reset_tokens.all()) if r.live}
        newest = self.links[-1][0] if self.links else None
        expected = set() if newest is None or newest in self.used else {token_digest(newest)}
        assert live == expected


TestStoredLoginMachine = StoredLoginMachine.TestCase
TestStoredLoginMachine.settings = settings(max_examples=15, stateful_step_count=25, deadline=None)
