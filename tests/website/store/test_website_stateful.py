"""Access, selection, Associate controls, generation and revocation against a model (CRW, ASC).

A hypothesis state machine drives the use cases on a real store and keeps a
plain model of what the rules say.  After every step it checks the
invariants the issue names:

* no two candidates ever share a username (CRW-12), and a username never changes;
* only candidates with access hold a working credential (CRW-06, CRW-08, ASC-03);
* an Associate Centre's effective delay and contact each come from exactly
  the one source the model expects (ASC-02, ASC-04, ASC-05, ASC-08);
* a letter is stale exactly when what its effective settings print changed (ASC-06);
* every run prints exactly the candidates its mode names, and their passwords work.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from website_store_support import (
    ASSOCIATE,
    HASHER,
    MAIN,
    NAMES,
    POLICY,
    SERIES,
    SUB,
    assoc,
    build_board,
    clock,
    credentials,
    generate,
    number,
    open_test_store,
    web,
    zip_letters,
)

from cambridge_results.associates import (
    AssociateCentreChange,
    AssociateContactChange,
    AssociateDefaults,
)
from cambridge_results.errors import AccessRefused, AssociateRefused
from cambridge_results.principals import Principal
from cambridge_results.rules.website.access import AccessRequest
from cambridge_results.values import ContactDetails, Delay, EntryStatus
from cambridge_results.values.access import AccessMode, ContactChoice, SettingSource
from cambridge_results.website import (
    AccessResult,
    CandidateSelection,
    CredentialState,
    SelectionResult,
)

CENTRES = ("GB100", "GB200")
OFFICER: dict[str, Principal] = {"GB100": MAIN, "GB200": SUB}
POOL = {c: [number(i) for i in range(1, len(NAMES[c]) + 1)] for c in CENTRES}
CONTACTS = (
    ContactDetails(name="Ann Lee", email="ann@riverside.example"),
    ContactDetails(name="Bo Chen", phone="+44 1223 000111"),
)
DELAYS = (Delay(), Delay.parse("PT6H"), Delay.parse("P2D"))

centres = st.sampled_from(CENTRES)
contacts = st.sampled_from(CONTACTS)
delays = st.sampled_from(DELAYS)
modes = st.sampled_from(AccessMode)


@attrs.define
class Own:
    """A centre's own settings in the model."""

    mode: AccessMode = AccessMode.NONE
    delay: Delay = attrs.field(factory=Delay)
    contact: ContactDetails | None = None


@attrs.define
class Printed:
    """A credential in the model: what its letter printed, or revoked."""

    revoked: bool
    view: tuple[ContactDetails | None, int]


class WebsiteModel(RuleBasedStateMachine):
    """The website's use cases on one store, checked against the rules as a model."""

    backend = "memory"

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="website-stateful-"))
        self.store = open_test_store(self.backend, self.dir)
        build_board(self.store)
        self.own = {c: Own() for c in CENTRES}
        self.ticked: dict[str, set[str]] = {c: set() for c in CENTRES}
        self.eligible: dict[str, set[str]] = {c: set(POOL[c]) for c in CENTRES}
        self.creds: dict[tuple[str, str], Printed] = {}
        self.usernames: dict[tuple[str, str], str] = {}
        self.use_defaults = False
        self.default_delay = Delay()
        self.default_choice = ContactChoice.DEFAULT
        self.row_access = False
        self.row_delay: Delay | None = None
        self.row_choice = ContactChoice.DEFAULT
        self.associate_contact: ContactDetails | None = None
        self.runs = 0

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- the model's reading of the rules -----------------------------------

    def effective(self, c: str) -> dict[str, Any]:
        """ASC-08 as a table: each setting's value and its one source."""
        own = self.own[c]
        if c == "GB100":
            access, access_src = True, SettingSource.CENTRE
            delay, delay_src = own.delay, SettingSource.CENTRE
            choice = ContactChoice.CENTRE_DEFINED
        elif self.use_defaults:
            access, access_src = True, SettingSource.ASSOCIATE_DEFAULTS
            delay, delay_src = self.default_delay, SettingSource.ASSOCIATE_DEFAULTS
            choice = self.default_choice
        else:
            access, access_src = self.row_access, SettingSource.ASSOCIATE_PER_CENTRE
            if self.row_delay is not None:
                delay, delay_src = self.row_delay, SettingSource.ASSOCIATE_PER_CENTRE
            else:
                delay, delay_src = own.delay, SettingSource.CENTRE
            choice = self.row_choice
        if choice is ContactChoice.DEFAULT:
            contact, contact_src = self.associate_contact, access_src
        else:
            contact, contact_src = own.contact, SettingSource.CENTRE
        return {
            "access": access,
            "mode": own.mode if access else AccessMode.NONE,
            "delay": (delay, delay_src),
            "contact": (contact, contact_src),
        }

    def with_access(self, c: str) -> set[str]:
        mode = self.effective(c)["mode"]
        if mode is AccessMode.ALL:
            return set(self.eligible[c])
        if mode is AccessMode.SELECTED:
            return self.eligible[c] & self.ticked[c]
        return set()

    def view(self, c: str) -> tuple[ContactDetails | None, int]:
        e = self.effective(c)
        return (e["contact"][0], e["delay"][0].seconds)

    def revoke_lost(self, c: str) -> None:
        allowed = self.with_access(c)
        for (centre, n), cred in self.creds.items():
            if centre == c and n not in allowed:
                cred.revoked = True

    # -- rules ------------------------------------------------------------------

    @initialize(mode=modes, contact=contacts, give=st.booleans())
    def start(self, mode: AccessMode, contact: ContactDetails, give: bool) -> None:
        """GB100 starts with ALL, GB200 with any mode, so runs have letters to print."""
        self.set_access("GB100", AccessMode.ALL, Delay(), contact)
        self.set_access("GB200", mode, Delay(), contact)
        self.associate_row(give, None, ContactChoice.CENTRE_DEFINED)

    @rule(c=centres, mode=modes, delay=delays, contact=contacts)
    def set_access(self, c: str, mode: AccessMode, delay: Delay, contact: ContactDetails) -> None:
        """CRW-01/04/05/06: the centre saves its form; losing access revokes at once."""
        request = AccessRequest(
            mode=mode,
            agreed_to_manage_queries=True,
            contact_name=contact.name,
            phone=contact.phone,
            email=contact.email,
            delay=delay,
        )

        def call() -> AccessResult:
            return web(self.store, clock=clock()).set_access(OFFICER[c], c, SERIES, request)

        if mode is not AccessMode.NONE and not self.eligible[c]:
            with pytest.raises(AccessRefused) as caught:
                call()
            assert caught.value.codes == ("CRW-03.no-valid-entry-in-series",)
            return
        call()
        if mode is AccessMode.NONE:
            self.own[c] = Own()
        else:
            self.own[c] = Own(mode=mode, delay=delay, contact=contact)
        self.revoke_lost(c)

    @rule(c=centres, i=st.integers(0, 5))
    def tick(self, c: str, i: int) -> None:
        """CRW-07: tick a candidate; one without a valid entry is refused (CRW-03)."""
        n = POOL[c][i % len(POOL[c])]

        def tick() -> SelectionResult:
            selection = CandidateSelection(centre=c, series=SERIES, candidates=[n])
            return web(self.store, clock=clock()).tick_candidates(OFFICER[c], selection)

        if n not in self.eligible[c]:
            with pytest.raises(AccessRefused) as caught:
                tick()
            assert caught.value.codes == ("CRW-03.candidate-has-no-valid-entry",)
            return
        tick()
        self.ticked[c].add(n)

    @rule(c=centres, i=st.integers(0, 5))
    def untick(self, c: str, i: int) -> None:
        """CRW-08: unticked candidates lose access at once."""
        n = POOL[c][i % len(POOL[c])]
        web(self.store, clock=clock(), policy=POLICY).untick_candidates(
            OFFICER[c], CandidateSelection(centre=c, series=SERIES, candidates=[n])
        )
        self.ticked[c].discard(n)
        self.revoke_lost(c)

    @rule(c=centres, i=st.integers(0, 5))
    def withdraw_entry(self, c: str, i: int) -> None:
        """CRW-03: a withdrawn entry takes access away once access is synced."""
        n = POOL[c][i % len(POOL[c])]
        with self.store.unit_of_work(actor="board:entries") as uow:
            entry = uow.entries.get(c, SERIES, n, "0580")
            uow.entries.save(attrs.evolve(entry, status=EntryStatus.WITHDRAWN))
        web(self.store, clock=clock()).sync_access(OFFICER[c], c, SERIES)
        self.eligible[c].discard(n)
        self.revoke_lost(c)

    @rule(c=centres, i=st.integers(0, 5))
    def revoke(self, c: str, i: int) -> None:
        """CRW-08: revoking takes a credential away; access settings stay."""
        n = POOL[c][i % len(POOL[c])]
        web(self.store, clock=clock()).revoke_credentials(
            OFFICER[c], CandidateSelection(centre=c, series=SERIES, candidates=[n])
        )
        if (c, n) in self.creds:
            self.creds[(c, n)].revoked = True

    @rule(use=st.booleans(), delay=delays, choice=st.sampled_from(ContactChoice))
    def associate_defaults(self, use: bool, delay: Delay, choice: ContactChoice) -> None:
        """ASC-02: "Use defaults" with a default delay and contact choice."""
        assoc(self.store, clock=clock(), policy=POLICY).set_defaults(
            ASSOCIATE,
            AssociateDefaults(
                associate="AS001",
                series=SERIES,
                use_defaults=use,
                default_delay=delay,
                default_contact=choice,
            ),
        )
        self.use_defaults, self.default_delay, self.default_choice = use, delay, choice
        self.revoke_lost("GB200")

    @rule(
        give=st.booleans(),
        delay=st.none() | delays,
        choice=st.sampled_from(ContactChoice),
    )
    def associate_row(self, give: bool, delay: Delay | None, choice: ContactChoice) -> None:
        """ASC-02/04/05: give access, a delay and a contact choice for GB200."""
        assoc(self.store, clock=clock(), policy=POLICY).set_centre(
            ASSOCIATE,
            AssociateCentreChange(
                associate="AS001",
                series=SERIES,
                centre="GB200",
                give_access=give,
                delay=delay,
                contact=choice,
            ),
        )
        self.row_access, self.row_delay, self.row_choice = give, delay, choice
        self.revoke_lost("GB200")

    @rule(contact=contacts)
    def associate_contact_details(self, contact: ContactDetails) -> None:
        """ASC-05: the Associate's default contact details."""
        assoc(self.store, clock=clock()).set_contact(
            ASSOCIATE,
            AssociateContactChange(
                associate="AS001", name=contact.name, phone=contact.phone, email=contact.email
            ),
        )
        self.associate_contact = contact

    @precondition(lambda self: self.runs < 4)
    @rule(c=centres, mode=st.sampled_from(["all", "new"]))
    def generate_all_or_new(self, c: str, mode: str) -> None:
        """CRW-07/08: ALL or NEW (a rule of its own, so runs happen often)."""
        self.generate(c, mode)

    @precondition(lambda self: self.runs < 4)
    @rule(c=centres, mode=st.sampled_from(["all", "new", "stale", "selected"]))
    def generate(self, c: str, mode: str) -> None:
        """CRW-07/08, ASC-06: a run prints exactly what its mode names; passwords work."""
        e = self.effective(c)
        access = self.with_access(c)
        refused = e["mode"] is AccessMode.NONE or e["contact"][0] is None or not self.eligible[c]
        extra: dict[str, Any] = {}
        if mode == "selected":
            if not access:
                return
            extra["selected"] = [min(access)]
        out = self.dir / f"run{self.runs}"
        try:
            report = generate(
                self.store,
                principal=ASSOCIATE if c == "GB200" else MAIN,
                centres=c,
                series=SERIES,
                mode=mode,
                out_dir=out,
                policy=POLICY,
                clock=clock(),
                hasher_name="test-cheap",
                workers=0,
                **extra,
            )
        except (AccessRefused, AssociateRefused):
            assert refused
            event("generation refused")
            return
        assert not refused
        self.runs += 1
        current = self.view(c)
        expected = set()
        for n in access:
            cred = self.creds.get((c, n))
            if (
                mode == "all"
                or (mode == "new" and (cred is None or cred.revoked))
                or (
                    mode == "stale"
                    and cred is not None
                    and not cred.revoked
                    and cred.view != current
                )
                or (mode == "selected" and n in extra["selected"])
            ):
                expected.add(n)
        printed: dict[str, tuple[str, str]] = {}
        if report.zip_file is not None:
            printed = {name[-8:-4]: d for name, d in zip_letters(report.zip_file).items()}
        assert set(printed) == expected
        event(f"generation mode {mode} printed letters: {bool(printed)}")
        assert report.letters == report.printed == len(expected)
        stored = credentials(self.store, c)
        for n, (username, password) in printed.items():
            record = stored[n]
            assert record.username == username
            assert record.password_hash is not None
            assert HASHER.verify(record.password_hash, password)
            self.creds[(c, n)] = Printed(revoked=False, view=current)
        shutil.rmtree(out, ignore_errors=True)

    # -- invariants --------------------------------------------------------------

    @invariant()
    def usernames_are_unique_and_never_change(self) -> None:
        """CRW-12: no two candidates share a username; a candidate keeps theirs."""
        with self.store.unit_of_work(actor="test:read", read_only=True) as uow:
            rows = uow.select("website_credentials")
        names = [r["username"] for r in rows]
        assert len(names) == len(set(names))
        for r in rows:
            key = (r["centre"], r["candidate"])
            assert self.usernames.setdefault(key, r["username"]) == r["username"]

    @invariant()
    def only_candidates_with_access_hold_working_credentials(self) -> None:
        """CRW-06/08, ASC-03: a printed, unrevoked credential means access."""
        for c in CENTRES:
            stored = credentials(self.store, c)
            live = {n for n, r in stored.items() if r.live}
            assert live <= self.with_access(c)
            assert not any(r.state is CredentialState.UNPRINTED for r in stored.values())
            model_live = {n for (cc, n), p in self.creds.items() if cc == c and not p.revoked}
            assert live == model_live

    @invariant()
    def effective_settings_come_from_the_expected_single_source(self) -> None:
        """ASC-08: delay and contact each from exactly the one source the table gives."""
        for c in CENTRES:
            got = web(self.store).centre_settings(OFFICER[c], c, SERIES)
            want = self.effective(c)
            assert got.effective.access_given.value is want["access"]
            assert got.effective.mode.value is want["mode"]
            assert (got.effective.delay.value, got.effective.delay.source) == want["delay"]
            assert (got.effective.contact.value, got.effective.contact.source) == want["contact"]

    @invariant()
    def a_letter_is_stale_exactly_when_its_printed_settings_changed(self) -> None:
        """ASC-06: stale exactly when the contact or delay it printed is no longer current."""
        for c in CENTRES:
            stale = web(self.store, policy=POLICY).list_stale_letters(OFFICER[c], c, SERIES)
            current = self.view(c)
            expected = sorted(
                n
                for (cc, n), p in self.creds.items()
                if cc == c and not p.revoked and p.view != current
            )
            assert [s.value for s in stale] == expected


class SQLiteWebsiteModel(WebsiteModel):
    """The same machine on a real SQLite file."""

    backend = "sqlite"


_SETTINGS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much],
}
WebsiteModel.TestCase.settings = settings(max_examples=30, stateful_step_count=25, **_SETTINGS)
SQLiteWebsiteModel.TestCase.settings = settings(max_examples=8, stateful_step_count=20, **_SETTINGS)

test_the_website_on_memory_agrees_with_the_model = WebsiteModel.TestCase
test_the_website_on_sqlite_agrees_with_the_model = SQLiteWebsiteModel.TestCase
