"""A centre's website administration on the store: access, ticks, lists, revoke, history.

Every test runs on ``memory://`` and on a real SQLite file (CRW-01..08, ASC-07).
"""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest
from website_store_support import (
    CONTACT,
    MAIN,
    OTHER,
    POLICY,
    SERIES,
    all_request,
    clock,
    credentials,
    snapshot,
    web,
)

from cambridge_results.errors import InvalidValue, NotFound, PermissionDenied
from cambridge_results.principals import BoardStaff, CandidateUser
from cambridge_results.rules.website.access import AccessRequest
from cambridge_results.storage.port import Store
from cambridge_results.values import CandidateNumber, EntryStatus
from cambridge_results.values.access import AccessMode, SettingSource
from cambridge_results.website import (
    CandidateQuery,
    CandidateSelection,
    CredentialState,
    GenerationMode,
    GenerationRequest,
)


def _generate(store: Store, out: Path, mode: GenerationMode = GenerationMode.NEW) -> int:
    report = web(
        store, clock=clock(), policy=POLICY, hasher_name="test-cheap", workers=0
    ).generate_letters(
        MAIN, GenerationRequest(centres="GB100", series=SERIES, mode=mode, out_dir=out)
    )
    return report.letters


def _set(store: Store, **extra: object) -> None:
    web(store, clock=clock(), policy=POLICY).set_access(MAIN, "GB100", SERIES, all_request(**extra))


def test_a_centre_that_never_looked_has_no_candidates_with_access(board: Store) -> None:
    """CRW-01: the first look at a series is NONE, from the centre's own settings."""
    settings = web(board).centre_settings(MAIN, "GB100", SERIES)
    assert settings.effective.mode.value is AccessMode.NONE
    assert settings.effective.mode.source is SettingSource.CENTRE
    listing = web(board, policy=POLICY).list_candidates(
        MAIN, CandidateQuery(centre="GB100", series=SERIES)
    )
    assert [row.has_access for row in listing] == [False] * 6


def test_setting_all_stores_the_form_and_records_an_event(board: Store) -> None:
    """CRW-01, CRW-04, CRW-05: ALL with agreement, contact and delay is stored as typed."""
    result = web(board, clock=clock(), policy=POLICY).set_access(
        MAIN, "gb100", "June 2026", all_request(delay="2 days")
    )
    assert result.access.mode is AccessMode.ALL
    assert result.access.contact == CONTACT
    assert result.access.delay.seconds == 2 * 86400
    assert result.revoked == 0
    again = web(board).centre_settings(MAIN, "GB100", SERIES)
    assert again.own == result.access
    (event,) = web(board).read_history(MAIN, "GB100", SERIES)
    assert event.kind == "website.access-set"
    assert event.actor == "centre:GB100"
    assert event.details["mode"] == "all"
    assert event.details["delay"] == "P2D"


def test_candidates_are_listed_in_ascending_number_order_with_their_state(
    board: Store, tmp_path: Path
) -> None:
    """CRW-07: the list ascends by candidate number and shows ticks, access and credentials."""
    web(board, clock=clock(), policy=POLICY).set_access(
        MAIN, "GB100", SERIES, all_request(mode=AccessMode.SELECTED)
    )
    web(board, clock=clock(), policy=POLICY).tick_candidates(
        MAIN, CandidateSelection(centre="GB100", series=SERIES, candidates=["0103", "101"])
    )
    assert _generate(board, tmp_path) == 2
    rows = web(board, policy=POLICY).list_candidates(
        MAIN, CandidateQuery(centre="GB100", series=SERIES)
    )
    assert [r.candidate.number.value for r in rows] == [f"{100 + i:04d}" for i in range(1, 7)]
    assert [r.ticked for r in rows] == [True, False, True, False, False, False]
    assert [r.has_access for r in rows] == [True, False, True, False, False, False]
    assert [r.credential for r in rows] == [CredentialState.PRINTED, None] + [
        CredentialState.PRINTED
    ] + [None] * 3
    assert not any(r.stale for r in rows)


def test_a_long_list_is_streamed_in_pages_without_repeats(board: Store) -> None:
    """CRW-07, CRW-10: pages of two still give every candidate once, in order."""
    numbers = [
        r.candidate.number.value
        for r in web(board, policy=POLICY).iter_candidates(
            MAIN, CandidateQuery(centre="GB100", series=SERIES, page_size=2)
        )
    ]
    assert numbers == [f"{100 + i:04d}" for i in range(1, 7)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("khan", ["0102"]),
        ("العلي", ["0103"]),
        ("102", ["0102"]),
        ("0104", ["0104"]),
        ("gb1002601010a", ["0101"]),
        ("e", ["0105", "0106"]),
        ("ë", ["0101"]),
        ("nobody", []),
    ],
)
def test_candidates_are_searched_by_name_number_or_uci(
    board: Store, query: str, expected: list[str]
) -> None:
    """CRW-07, EAR-12: a part of a name (any script, any case), a number without zeros, a UCI."""
    rows = web(board, policy=POLICY).list_candidates(
        MAIN, CandidateQuery(centre="GB100", series=SERIES, query=query)
    )
    assert [r.candidate.number.value for r in rows] == expected


def test_ticking_twice_changes_nothing_the_second_time(board: Store) -> None:
    """CRW-07: a tick is kept once; ticking again reports no change and writes no event."""
    first = web(board, clock=clock(), policy=POLICY).tick_candidates(
        MAIN, CandidateSelection(centre="GB100", series=SERIES, candidates=["0101", "0102"])
    )
    before = snapshot(board)
    second = web(board, clock=clock(), policy=POLICY).tick_candidates(
        MAIN, CandidateSelection(centre="GB100", series=SERIES, candidates=["0102"])
    )
    assert [n.value for n in first.changed] == ["0101", "0102"]
    assert second.changed == ()
    assert snapshot(board) == before


def test_unticked_candidates_lose_access_at_once(board: Store, tmp_path: Path) -> None:
    """CRW-08: in SELECTED mode an unticked candidate's credential is revoked at once."""
    _set(board, mode=AccessMode.SELECTED)
    web(board, clock=clock(), policy=POLICY).tick_candidates(
        MAIN, CandidateSelection(centre="GB100", series=SERIES, candidates=["0101", "0102", "0103"])
    )
    assert _generate(board, tmp_path / "a") == 3
    result = web(board, clock=clock(), policy=POLICY).untick_candidates(
        MAIN, CandidateSelection(centre="GB100", series=SERIES, candidates=["0102", "0104"])
    )
    assert [n.value for n in result.changed] == ["0102"]
    assert result.revoked == 1
    stored = credentials(board)
    assert stored["0102"].state is CredentialState.REVOKED
    assert stored["0102"].password_hash is None
    assert {stored[n].state for n in ("0101", "0103")} == {CredentialState.PRINTED}
    # Ticked again: a NEW run gives the candidate a fresh credential (CRW-08).
    web(board, clock=clock(), policy=POLICY).tick_candidates(
        MAIN, CandidateSelection(centre="GB100", series=SERIES, candidates=["0102"])
    )
    assert _generate(board, tmp_path / "b") == 1
    assert credentials(board)["0102"].state is CredentialState.PRINTED


def test_switching_to_none_revokes_every_credential(board: Store, tmp_path: Path) -> None:
    """CRW-06: NONE generates nothing and every existing login stops working."""
    _set(board)
    assert _generate(board, tmp_path) == 6
    result = web(board, clock=clock(), policy=POLICY).set_access(
        MAIN, "GB100", SERIES, AccessRequest(mode=AccessMode.NONE)
    )
    assert result.revoked == 6
    assert result.access.contact is None
    assert {r.state for r in credentials(board).values()} == {CredentialState.REVOKED}
    kinds = [e.kind for e in web(board).read_history(MAIN, "GB100")]
    assert kinds[-2:] == ["website.access-set", "website.credentials-revoked"]


def test_switching_from_all_to_selected_keeps_only_the_ticked(board: Store, tmp_path: Path) -> None:
    """CRW-07, CRW-08: ALL to SELECTED revokes everyone not ticked, keeps the ticked."""
    _set(board)
    web(board, clock=clock(), policy=POLICY).tick_candidates(
        MAIN, CandidateSelection(centre="GB100", series=SERIES, candidates=["0105"])
    )
    assert _generate(board, tmp_path) == 6
    assert _set_mode_revoked(board, AccessMode.SELECTED) == 5
    states = {n: r.state for n, r in credentials(board).items()}
    assert states.pop("0105") is CredentialState.PRINTED
    assert set(states.values()) == {CredentialState.REVOKED}


def _set_mode_revoked(store: Store, mode: AccessMode) -> int:
    return (
        web(store, clock=clock(), policy=POLICY)
        .set_access(MAIN, "GB100", SERIES, all_request(mode=mode))
        .revoked
    )


def test_a_withdrawn_entry_loses_access_when_access_is_synced(board: Store, tmp_path: Path) -> None:
    """CRW-03: a candidate whose entry is withdrawn has no valid entry, so no access."""
    _set(board)
    assert _generate(board, tmp_path) == 6
    with board.unit_of_work(actor="board:entries") as uow:
        entry = uow.entries.get("GB100", SERIES, "0104", "0580")
        uow.entries.save(attrs.evolve(entry, status=EntryStatus.WITHDRAWN))
    assert web(board, clock=clock()).sync_access(MAIN, "GB100", SERIES) == 1
    assert credentials(board)["0104"].state is CredentialState.REVOKED
    assert web(board, clock=clock()).sync_access(MAIN, "GB100", SERIES) == 0


def test_revoking_takes_credentials_away_and_a_new_run_replaces_them(
    board: Store, tmp_path: Path
) -> None:
    """CRW-08, CRW-12: revoke stops a login; NEW gives a fresh password, same username."""
    _set(board)
    _generate(board, tmp_path / "a")
    before = credentials(board)["0101"]
    revoked = web(board, clock=clock()).revoke_credentials(
        MAIN, CandidateSelection(centre="GB100", series=SERIES, candidates=["0101"])
    )
    assert revoked == (CandidateNumber("0101"),)
    assert credentials(board)["0101"].password_hash is None
    assert (
        web(board, clock=clock()).revoke_credentials(
            MAIN, CandidateSelection(centre="GB100", series=SERIES, candidates=["0101"])
        )
        == ()
    )
    assert _generate(board, tmp_path / "b") == 1
    after = credentials(board)["0101"]
    assert after.username == before.username
    assert after.password_hash not in (None, before.password_hash)


def test_the_history_reads_back_who_did_what_in_order(board: Store, tmp_path: Path) -> None:
    """SPEC 5: every change is an event (who, what, when); the history reads them back."""
    _set(board)
    web(board, clock=clock(), policy=POLICY).tick_candidates(
        MAIN, CandidateSelection(centre="GB100", series=SERIES, candidates=["0101"])
    )
    _generate(board, tmp_path)
    history = web(board).read_history(MAIN, "GB100", SERIES)
    assert [e.kind for e in history] == [
        "website.access-set",
        "website.candidates-ticked",
        "website.generation-started",
        "website.credentials-claimed",
        "website.credentials-issued",
        "website.letters-printed",
    ]
    assert [e.seq for e in history] == sorted(e.seq for e in history)
    assert {e.actor for e in history} == {"centre:GB100"}
    assert history[-1].details["printed"] == 6
    staff = web(board).read_history(BoardStaff(staff_id="j.smith"), "GB100")
    assert staff == history


@pytest.mark.parametrize(
    "who", [OTHER, CandidateUser(centre="GB100", number="0101"), BoardStaff(staff_id="j.smith")]
)
def test_only_the_centre_may_manage_its_access(board: Store, who: object) -> None:
    """ASC-07: another centre, a candidate or board staff may not change a centre's access."""
    before = snapshot(board)
    for call in (
        lambda: web(board, clock=clock(), policy=POLICY).set_access(
            who, "GB100", SERIES, all_request()
        ),
        lambda: web(board, clock=clock(), policy=POLICY).tick_candidates(
            who, CandidateSelection(centre="GB100", series=SERIES, candidates=["0101"])
        ),
        lambda: web(board, clock=clock()).revoke_credentials(
            who, CandidateSelection(centre="GB100", series=SERIES, candidates=["0101"])
        ),
    ):
        with pytest.raises(PermissionDenied) as caught:
            call()
        assert caught.value.rule == "ASC-07"
    assert snapshot(board) == before


def test_an_unknown_centre_or_a_non_principal_is_refused(board: Store) -> None:
    """Bad input: an unknown centre is NotFound; something that is not a principal InvalidValue."""
    with pytest.raises(NotFound):
        web(board).centre_settings(MAIN, "GB999", SERIES)
    with pytest.raises(InvalidValue):
        web(board).centre_settings("centre:GB100", "GB100", SERIES)  # type: ignore[arg-type]
