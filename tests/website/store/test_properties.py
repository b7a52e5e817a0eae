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
    build_board,
    clock,
    credentials,
)

from cambridge_results.board.schema import SCHEMA
from cambridge_results.credentials import new_username
from cambridge_results.errors import DuplicateError
from cambridge_results.storage import open_store
from cambridge_results.storage.port import Store
from cambridge_results.values import ContactDetails, Delay
from cambridge_results.values.access import ContactChoice
from cambridge_results.website import (
    centre_settings,
    generate_letters,
    list_stale_letters,
    set_access,
    set_associate_centre,
    set_associate_contact,
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
    set_access(
        store,
        principal=MAIN,
        centre="GB100",
        series=SERIES,
        request=all_request(),
        policy=POLICY,
        clock=clock(),
    )
    with tempfile.TemporaryDirectory() as out:
        report = generate_letters(
            store,
            principal=MAIN,
            centre="GB100",
            series=SERIES,
            mode="all",
            out_dir=Path(out),
            policy=POLICY,
            clock=clock(),
            hasher_name="test-cheap",
            workers=0,
            usernames=lambda: next(source),
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
    s = centre_settings(store, principal=SUB, centre="GB200", series=SERIES)
    return (s.effective.contact.value, s.effective.delay.value.seconds)


@SLOW
@given(change=changes)
def test_a_letter_is_stale_exactly_when_its_effective_settings_changed(
    change: dict[str, object],
) -> None:
    """ASC-06: stale iff the printed contact or delay changed; STALE reprints exactly those."""
    store = open_store("memory://", migrations=SCHEMA)
    build_board(store)
    set_access(
        store,
        principal=SUB,
        centre="GB200",
        series=SERIES,
        request=all_request(),
        policy=POLICY,
        clock=clock(),
    )
    set_associate_contact(
        store,
        principal=ASSOCIATE,
        associate="AS001",
        name=CONTACT.name,
        phone=CONTACT.phone,
        email=CONTACT.email,
        clock=clock(),
    )
    set_associate_centre(
        store,
        principal=ASSOCIATE,
        associate="AS001",
        series=SERIES,
        centre="GB200",
        give_access=True,
        contact=ContactChoice.DEFAULT,
        policy=POLICY,
        clock=clock(),
    )
    with tempfile.TemporaryDirectory() as out:
        kwargs = {
            "principal": ASSOCIATE,
            "centre": "GB200",
            "series": SERIES,
            "out_dir": Path(out),
            "policy": POLICY,
            "clock": clock(),
            "hasher_name": "test-cheap",
            "workers": 0,
        }
        generate_letters(store, mode="all", **kwargs)  # type: ignore[arg-type]
        printed = _view(store)
        if "own_delay" in change:
            set_access(
                store,
                principal=SUB,
                centre="GB200",
                series=SERIES,
                request=all_request(delay=change["own_delay"]),
                policy=POLICY,
                clock=clock(),
            )
        row = {
            k: change[v] for k, v in (("delay", "row_delay"), ("contact", "choice")) if v in change
        }
        if row:
            set_associate_centre(
                store,
                principal=ASSOCIATE,
                associate="AS001",
                series=SERIES,
                centre="GB200",
                policy=POLICY,
                clock=clock(),
                **row,  # type: ignore[arg-type]
            )
        if "associate_contact" in change:
            contact = change["associate_contact"]
            assert isinstance(contact, ContactDetails)
            set_associate_contact(
                store,
                principal=ASSOCIATE,
                associate="AS001",
                name=contact.name,  # type: ignore[attr-defined]
                phone=contact.phone,
                email=contact.email,
                clock=clock(),  # type: ignore[attr-defined]
            )
        changed = _view(store) != printed
        stale = list_stale_letters(
            store, principal=SUB, centre="GB200", series=SERIES, policy=POLICY
        )
        assert len(stale) == (4 if changed else 0)
        again = generate_letters(store, mode="stale", **kwargs)  # type: ignore[arg-type]
        assert again.letters == (4 if changed else 0)
        assert (
            list_stale_letters(store, principal=SUB, centre="GB200", series=SERIES, policy=POLICY)
            == ()
        )


def test_a_username_source_that_keeps_repeating_itself_is_refused() -> None:
    """CRW-12: after 8 clashes in a row the run stops with a typed error; nothing is issued."""
    store = open_store("memory://", migrations=SCHEMA)
    build_board(store)
    set_access(
        store,
        principal=MAIN,
        centre="GB100",
        series=SERIES,
        request=all_request(),
        policy=POLICY,
        clock=clock(),
    )
    with tempfile.TemporaryDirectory() as out, pytest.raises(DuplicateError, match="CRW-12"):
        generate_letters(
            store,
            principal=MAIN,
            centre="GB100",
            series=SERIES,
            mode="all",
            out_dir=Path(out),
            policy=POLICY,
            clock=clock(),
            hasher_name="test-cheap",
            workers=0,
            usernames=lambda: "aaaaa-aaaaa",
        )
    assert credentials(store) == {}
