"""Property tests over the store: unique usernames under clashes, staleness exactly on change.

CRW-12: no two candidates ever share a username, even when the username
source keeps repeating itself (the store's unique index decides).  ASC-06: a
letter is stale exactly when what its effective settings print changed, and
a STALE run reprints exactly those letters.
"""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from website_store_support import (
    ASSOCIATE,
    ASSOCIATE_CONTACT,
    CONTACT,
    MAIN,
    POLICY,
    SERIES,
    SUB,
    all_request,
    assert_letters_log_in,
    assoc,
    build_board,
    clock,
    credentials,
    generate,
    web,
)

from cambridge_results.associates import (
    AssociateCentreChange,
    AssociateContactChange,
)
from cambridge_results.board.schema import SCHEMA
from cambridge_results.credentials import new_username
from cambridge_results.errors import DuplicateError
from cambridge_results.storage import open_store
from cambridge_results.storage.port import Store
from cambridge_results.values import ContactDetails, Delay
from cambridge_results.values.access import ContactChoice
from cambridge_results.website import (
    GenerationRequest,
)

SLOW = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Usernames from a two-letter alphabet: clashes are the rule, not the exception.
# At most 7 names, so no candidate meets more clashes in a row than the 8 attempts
# a run makes before it calls the source broken (that refusal has its own test).
clashing = st.lists(
    st.tuples(st.sampled_from("ab"), st.sampled_from("ab")).map(lambda t: f"{t[0] * 5}-{t[1] * 5}"),
    min_size=1,
    max_size=7,
)


@SLOW
@given(names=clashing)
def test_no_two_candidates_ever_share_a_username(names: list[str]) -> None:
    """CRW-12: whatever the source repeats, every candidate gets a username of their own."""
    source = itertools.chain(names, iter(new_username, None))
    store = open_store("memory://", migrations=SCHEMA)
    build_board(store)
    web(store, clock=clock(), policy=POLICY).set_access(MAIN, "GB100", SERIES, all_request())
    with tempfile.TemporaryDirectory() as out:
        report = web(
            store,
            clock=clock(),
            policy=POLICY,
            hasher_name="test-cheap",
            workers=0,
            usernames=lambda: next(source),
        ).generate_letters(
            MAIN, GenerationRequest(centres="GB100", series=SERIES, mode="all", out_dir=Path(out))
        )
        assert_letters_log_in(store, report)
    usernames = [r.username for r in credentials(store).values()]
    assert len(usernames) == len(set(usernames)) == 6
    # The store was empty, so the first candidate got the source's first name.
    assert credentials(store)["0101"].username == names[0]


changes = st.fixed_dictionaries(
    {},
    optional={
        "row_delay": st.none()
        | st.sampled_from([Delay(), Delay.parse("PT6H"), Delay.parse("P1D")]),
        "own_delay": st.sampled_from([Delay(), Delay.parse("PT6H")]),
        "choice": st.sampled_from(ContactChoice),
        "associate_contact": st.sampled_from([CONTACT, ASSOCIATE_CONTACT]),
    },
)


def _view(store: Store) -> tuple[ContactDetails | None, int]:
    """What GB200's letters print from the effective settings: contact and delay."""
    s = web(store).centre_settings(SUB, "GB200", SERIES)
    return (s.effective.contact.value, s.effective.delay.value.seconds)


@SLOW
@given(change=changes)
def test_a_letter_is_stale_exactly_when_its_effective_settings_changed(
    change: dict[str, object],
) -> None:
    """ASC-06: stale iff the printed contact or delay changed; STALE reprints exactly those."""
    store = open_store("memory://", migrations=SCHEMA)
    build_board(store)
    web(store, clock=clock(), policy=POLICY).set_access(SUB, "GB200", SERIES, all_request())
    assoc(store, clock=clock()).set_contact(
        ASSOCIATE,
        AssociateContactChange(
            associate="AS001", name=CONTACT.name, phone=CONTACT.phone, email=CONTACT.email
        ),
    )
    assoc(store, clock=clock(), policy=POLICY).set_centre(
        ASSOCIATE,
        AssociateCentreChange(
            associate="AS001",
            series=SERIES,
            centre="GB200",
            give_access=True,
            contact=ContactChoice.DEFAULT,
        ),
    )
    with tempfile.TemporaryDirectory() as out:
        kwargs = {
            "principal": ASSOCIATE,
            "centres": "GB200",
            "series": SERIES,
            "out_dir": Path(out),
            "policy": POLICY,
            "clock": clock(),
            "hasher_name": "test-cheap",
            "workers": 0,
        }
        generate(store, mode="all", **kwargs)
        printed = _view(store)
        if "own_delay" in change:
            web(store, clock=clock(), policy=POLICY).set_access(
                SUB, "GB200", SERIES, all_request(delay=change["own_delay"])
            )
        row = {
            k: change[v] for k, v in (("delay", "row_delay"), ("contact", "choice")) if v in change
        }
        if row:
            assoc(store).set_centre(
                ASSOCIATE,
                AssociateCentreChange(
                    associate="AS001",
                    series=SERIES,
                    centre="GB200",
                    **row,  # type: ignore[arg-type]
                ),
            )
        if "associate_contact" in change:
            contact = change["associate_contact"]
            assert isinstance(contact, ContactDetails)
            assoc(store, clock=clock()).set_contact(
                ASSOCIATE,
                AssociateContactChange(
                    associate="AS001", name=contact.name, phone=contact.phone, email=contact.email
                ),
            )
        changed = _view(store) != printed
        stale = web(store, policy=POLICY).list_stale_letters(SUB, "GB200", SERIES)
        assert len(stale) == (4 if changed else 0)
        again = generate(store, mode="stale", **kwargs)
        assert again.letters == (4 if changed else 0)
        assert web(store, policy=POLICY).list_stale_letters(SUB, "GB200", SERIES) == ()


def test_a_username_source_that_keeps_repeating_itself_is_refused() -> None:
    """CRW-12: after 8 clashes in a row the run stops with a typed error; nothing is issued."""
    store = open_store("memory://", migrations=SCHEMA)
    build_board(store)
    web(store, clock=clock(), policy=POLICY).set_access(MAIN, "GB100", SERIES, all_request())
    with tempfile.TemporaryDirectory() as out, pytest.raises(DuplicateError, match="CRW-12"):
        web(
            store,
            clock=clock(),
            policy=POLICY,
            hasher_name="test-cheap",
            workers=0,
            usernames=lambda: "aaaaa-aaaaa",
        ).generate_letters(
            MAIN, GenerationRequest(centres="GB100", series=SERIES, mode="all", out_dir=Path(out))
        )
    assert credentials(store) == {}
