"""Bad input to the website use cases: a typed error citing the rule, and storage unchanged.

The issue's list: no agreement ticked, contact without phone and email, a
malformed email or phone, a negative, over-long or unparseable delay,
SELECTED with candidates of another centre, a series without entries, a
window not yet open, a principal acting outside its centres.  Each test
compares every table before and after, read back from the store.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from website_store_support import (
    ASSOCIATE,
    BEFORE_WINDOW,
    MAIN,
    OTHER,
    POLICY,
    SERIES,
    SUB,
    all_request,
    assoc,
    clock,
    generate,
    snapshot,
    web,
)

from cambridge_results import FixedClock
from cambridge_results.associates import (
    AssociateCentreChange,
    AssociateContactChange,
    AssociateDefaults,
    Associates,
)
from cambridge_results.errors import (
    AccessRefused,
    CambridgeResultsError,
    InvalidValue,
    PermissionDenied,
    PolicyError,
    RenderError,
)
from cambridge_results.principals import CentreOfficer
from cambridge_results.rendering import UnrenderableText
from cambridge_results.rules.website.access import AccessRequest
from cambridge_results.storage.port import Store
from cambridge_results.values import Candidate
from cambridge_results.values.access import AccessMode
from cambridge_results.website import (
    CandidateQuery,
    CandidateSelection,
    GenerationMode,
    GenerationRequest,
    Website,
)


def refused(
    store: Store, call: Callable[[], Any], error: type[CambridgeResultsError] = AccessRefused
) -> CambridgeResultsError:
    """Run ``call``; it must raise ``error``, and every table must read back unchanged."""
    before = snapshot(store)
    with pytest.raises(error) as caught:
        call()
    assert snapshot(store) == before
    assert caught.value.rule is not None
    return caught.value


def _set(store: Store, request: AccessRequest, centre: str = "GB100") -> Callable[[], Any]:
    return lambda: web(store, clock=clock(), policy=POLICY).set_access(
        CentreOfficer(centre=centre), centre, SERIES, request
    )


def _generate(store: Store, tmp_path: Path, **extra: Any) -> Callable[[], Any]:
    fields: dict[str, Any] = {
        "principal": MAIN,
        "centres": "GB100",
        "series": SERIES,
        "mode": GenerationMode.ALL,
        "out_dir": tmp_path / "out",
        "policy": POLICY,
        "clock": clock(),
        "hasher_name": "test-cheap",
        "workers": 0,
    }
    fields.update(extra)
    return lambda: generate(store, **fields)


@pytest.fixture
def ready(board: Store) -> Store:
    """The board with GB100 giving ALL its candidates access."""
    _set(board, all_request())()
    return board


def codes(error: CambridgeResultsError) -> tuple[str, ...]:
    """The reason codes of a refusal."""
    assert isinstance(error, AccessRefused)
    return error.codes


def test_no_agreement_ticked_is_refused_citing_crw_04(board: Store) -> None:
    """CRW-04: ALL without the agreement to manage queries (True, not just truthy)."""
    for agreed in (False, "yes", 1):
        error = refused(board, _set(board, all_request(agreed_to_manage_queries=agreed)))
        assert codes(error) == ("CRW-04.agreement-missing",)
        assert error.rule == "CRW-04"


def test_a_contact_without_phone_and_email_is_refused(board: Store) -> None:
    """CRW-04: the contact needs a telephone number or an email address."""
    error = refused(board, _set(board, all_request(phone=None, email="")))
    assert codes(error) == ("CRW-04.phone-or-email-missing",)


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("email", "ann@", "CRW-04.invalid-email"),
        ("email", "ann lee@example.org", "CRW-04.invalid-email"),
        ("phone", "12", "CRW-04.invalid-phone"),
        ("phone", "+44 \uff11\uff12\uff12\uff13 553554", "CRW-04.invalid-phone"),
    ],
)
def test_a_malformed_email_or_phone_is_refused(
    board: Store, field: str, value: str, code: str
) -> None:
    """CRW-04: each contact detail given must be valid (ASCII patterns, digit counts)."""
    error = refused(board, _set(board, all_request(**{field: value})))
    assert codes(error) == (code,)
    error = refused(
        board,
        lambda: assoc(board).set_contact(
            ASSOCIATE,
            AssociateContactChange(associate="AS001", name="Omar Haddad", **{field: value}),
        ),
    )
    assert codes(error) == (code,)


BAD_DELAYS = ["-PT1H", "-2 days", "31 days", "P5W", "soon", "2 fortnights", "P" + "1" * 70 + "D"]


@pytest.mark.parametrize("delay", BAD_DELAYS)
def test_a_negative_over_long_or_unparseable_delay_is_refused_everywhere(
    board: Store, delay: str
) -> None:
    """CRW-05, ASC-04: the centre's delay, the Associate's default and per-centre delay."""
    error = refused(board, _set(board, all_request(delay=delay)))
    assert codes(error) == ("CRW-05.invalid-delay",)
    error = refused(
        board,
        lambda: assoc(board, clock=clock(), policy=POLICY).set_centre(
            ASSOCIATE,
            AssociateCentreChange(associate="AS001", series=SERIES, centre="GB200", delay=delay),
        ),
    )
    assert codes(error) == ("CRW-05.invalid-delay",)
    error = refused(
        board,
        lambda: assoc(board, clock=clock(), policy=POLICY).set_defaults(
            ASSOCIATE, AssociateDefaults(associate="AS001", series=SERIES, default_delay=delay)
        ),
    )
    assert codes(error) == ("CRW-05.invalid-delay",)


def test_every_problem_of_one_form_is_reported_at_once(board: Store) -> None:
    """CRW-04, CRW-05: no agreement, no contact and a bad delay come back together."""
    request = AccessRequest(mode=AccessMode.SELECTED, delay="tomorrow")
    error = refused(board, _set(board, request))
    assert codes(error) == (
        "CRW-04.agreement-missing",
        "CRW-04.contact-name-missing",
        "CRW-04.phone-or-email-missing",
        "CRW-05.invalid-delay",
    )


def test_ticking_candidates_of_another_centre_is_refused(board: Store) -> None:
    """CRW-07: a centre ticks only its own candidates, named by number or as Candidates."""
    other = Candidate(centre="GB300", number="0101", given_name="Fatima", family_name="Haddad")
    error = refused(
        board,
        lambda: web(board, clock=clock(), policy=POLICY).tick_candidates(
            MAIN,
            CandidateSelection(centre="GB100", series=SERIES, candidates=[other, "0101", "0999"]),
        ),
    )
    assert codes(error) == (
        "CRW-07.not-a-candidate-of-this-centre",
        "CRW-07.not-a-candidate-of-this-centre",
    )
    assert "0999" in error.message
    assert "GB300" in error.message


def test_generating_for_selected_candidates_of_another_centre_is_refused(
    ready: Store, tmp_path: Path
) -> None:
    """CRW-07: SELECTED generation names only the centre's own candidates."""
    other = Candidate(centre="GB300", number="0101", given_name="Fatima", family_name="Haddad")
    error = refused(
        ready,
        _generate(ready, tmp_path, mode=GenerationMode.SELECTED, selected=[other, "0102", "0950"]),
    )
    assert codes(error) == (
        "CRW-07.not-a-candidate-of-this-centre",
        "CRW-07.not-a-candidate-of-this-centre",
    )
    assert not (tmp_path / "out").exists()


def test_selected_generation_for_candidates_without_access_is_refused(
    board: Store, tmp_path: Path
) -> None:
    """CRW-07, CRW-03: in SELECTED mode, unticked candidates have no access."""
    _set(board, all_request(mode=AccessMode.SELECTED))()
    error = refused(board, _generate(board, tmp_path, mode="selected", selected=["0101", "0102"]))
    assert codes(error) == ("CRW-07.candidate-not-ticked", "CRW-07.candidate-not-ticked")


def test_a_series_without_entries_is_refused(board: Store, tmp_path: Path) -> None:
    """CRW-03: no valid entry in the series: no access, no credentials."""
    error = refused(board, _set(board, all_request(), centre="GB400"))
    assert codes(error) == ("CRW-03.no-valid-entry-in-series",)
    error = refused(
        board,
        _generate(board, tmp_path, principal=CentreOfficer(centre="GB400"), centres="GB400"),
    )
    assert codes(error) == (
        "CRW-03.no-valid-entry-in-series",
        "CRW-06.no-candidates-have-access",
        "CRW-04.contact-missing",
    )


def test_an_unknown_series_is_refused(board: Store) -> None:
    """CRW-02: a series the policy has no calendar for."""
    request = all_request()
    error = refused(
        board,
        lambda: web(board, clock=clock(), policy=POLICY).set_access(
            MAIN, "GB100", "2031-06", request
        ),
    )
    assert "CRW-02.unknown-series" in codes(error)


def test_generating_before_the_window_opens_is_refused_with_the_date(
    ready: Store, tmp_path: Path
) -> None:
    """CRW-02: login details only from the window's opening, which the message gives."""
    error = refused(ready, _generate(ready, tmp_path, clock=FixedClock(BEFORE_WINDOW)))
    assert codes(error) == ("CRW-02.window-not-open",)
    assert "21 March 2026" in error.message


def test_generating_with_no_candidates_having_access_is_refused(
    board: Store, tmp_path: Path
) -> None:
    """CRW-06, CRW-04: NONE generates nothing; there is no contact to print either."""
    error = refused(board, _generate(board, tmp_path))
    assert codes(error) == ("CRW-06.no-candidates-have-access", "CRW-04.contact-missing")


def test_a_name_no_font_can_draw_is_refused_before_anything_is_written(
    ready: Store, tmp_path: Path
) -> None:
    """CRW-09: a CJK name without a fallback font is UnrenderableText; nothing generated."""
    with ready.unit_of_work(actor="board:setup") as uow:
        uow.candidates.add(
            Candidate(centre="GB100", number="0900", given_name="王", family_name="芳")
        )
        from cambridge_results.values import Entry

        uow.entries.add(
            Entry(
                centre="GB100", series=SERIES, candidate="0900", syllabus="0580", components=("12",)
            )
        )
    error = refused(ready, _generate(ready, tmp_path), UnrenderableText)
    assert error.rule == "CRW-09"
    assert "U+738B" in error.message
    assert "王" not in error.message
    assert not (tmp_path / "out").exists()


def test_a_disallowed_hasher_is_refused_before_anything_happens(
    ready: Store, tmp_path: Path
) -> None:
    """CRW-12: the cheap test hasher only where the policy lists it; unknown names too."""
    from cambridge_results import example_2026

    error = refused(ready, _generate(ready, tmp_path, policy=example_2026()), PolicyError)
    assert error.rule == "CRW-12"
    refused(ready, _generate(ready, tmp_path, hasher_name="md5"), PolicyError)


@pytest.mark.parametrize(
    ("field", "value"),
    [("mode", "everyone"), ("batch_size", 0), ("workers", -1), ("letters_per_volume", 0)],
)
def test_bad_generation_arguments_are_invalid_values(
    ready: Store, tmp_path: Path, field: str, value: object
) -> None:
    """Bad input: an unknown mode, a batch of nothing, negative workers: InvalidValue."""
    before = snapshot(ready)
    with pytest.raises(InvalidValue):
        _generate(ready, tmp_path, **{field: value})()
    assert snapshot(ready) == before


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"renderer": "nope"}, r"no renderer named 'nope'"),
        # Loading fails only once the worker processes have started; they are stopped.
        ({"renderer_options": {"no_such_option": 1}, "workers": 1}, r"failed to load"),
    ],
)
def test_a_renderer_that_cannot_be_loaded_is_refused_before_anything_is_written(
    ready: Store, tmp_path: Path, extra: dict[str, Any], message: str
) -> None:
    """CRW-10: an unknown renderer, or options it refuses, is a RenderError; nothing
    generated, no file written."""
    before = snapshot(ready)
    with pytest.raises(RenderError, match=message):
        _generate(ready, tmp_path, **extra)()
    assert snapshot(ready) == before
    assert not (tmp_path / "out").exists()


def test_a_principal_acting_outside_its_centres_is_refused_by_every_use_case(
    ready: Store, tmp_path: Path
) -> None:
    """ASC-07: another centre's officer (or an Associate for a centre not its own) may not."""
    calls: list[Callable[[], Any]] = [
        _set(ready, all_request()),
        _generate(ready, tmp_path, principal=OTHER),
        _generate(ready, tmp_path, principal=ASSOCIATE),
        _generate(ready, tmp_path, principal=SUB, centres=["GB200", "GB100"]),
        lambda: web(ready, clock=clock(), policy=POLICY).tick_candidates(
            OTHER, CandidateSelection(centre="GB100", series=SERIES, candidates=["0101"])
        ),
        lambda: web(ready, clock=clock(), policy=POLICY).untick_candidates(
            OTHER, CandidateSelection(centre="GB100", series=SERIES, candidates=["0101"])
        ),
        lambda: web(ready, clock=clock()).revoke_credentials(
            OTHER, CandidateSelection(centre="GB100", series=SERIES, candidates=["0101"])
        ),
        lambda: web(ready, policy=POLICY).list_candidates(
            OTHER, CandidateQuery(centre="GB100", series=SERIES)
        ),
        lambda: web(ready, policy=POLICY).list_stale_letters(OTHER, "GB100", SERIES),
        lambda: web(ready).read_history(OTHER, "GB100"),
    ]
    calls[0] = lambda: web(ready, clock=clock(), policy=POLICY).set_access(
        OTHER, "GB100", SERIES, all_request()
    )
    for call in calls:
        error = refused(ready, call, PermissionDenied)
        assert error.rule == "ASC-07"
    assert not (tmp_path / "out").exists()


def test_a_use_case_given_something_other_than_its_request_value_is_an_invalid_value(
    ready: Store,
) -> None:
    """Bad input: a request of the wrong kind, or a store where a Context belongs, is refused
    with InvalidValue before anything is read or written."""
    before = snapshot(ready)
    website = web(ready, workers=0)
    with pytest.raises(InvalidValue, match="CandidateSelection"):
        website.tick_candidates(MAIN, "0101")  # type: ignore[arg-type]
    with pytest.raises(InvalidValue, match="GenerationRequest"):
        website.generate_letters(MAIN, {"centres": "GB100"})  # type: ignore[arg-type]
    with pytest.raises(InvalidValue, match="AssociateContactChange"):
        assoc(ready).set_contact(ASSOCIATE, "Omar Haddad")  # type: ignore[arg-type]
    with pytest.raises(InvalidValue, match="Context"):
        Website(ready)  # type: ignore[arg-type]
    with pytest.raises(InvalidValue, match="Context"):
        Associates(ready)  # type: ignore[arg-type]
    assert snapshot(ready) == before


@pytest.mark.parametrize(
    "fields",
    [
        {"centres": []},
        {"centres": ["GB100", "GB100"]},
        {"mode": "selected"},
        {"mode": "all", "selected": ["0101"]},
        {"mode": "selected", "selected": ["0101"], "centres": ["GB100", "GB200"]},
        {"out_dir": 42},
    ],
)
def test_a_generation_request_that_cannot_be_run_is_refused_when_made(
    fields: dict[str, Any], tmp_path: Path
) -> None:
    """CRW-07: no centre, a centre twice, SELECTED without candidates or over several
    centres, candidates named outside SELECTED, an out_dir that is no path: InvalidValue."""
    request: dict[str, Any] = {
        "centres": "GB100",
        "series": SERIES,
        "mode": "all",
        "out_dir": tmp_path,
    }
    request.update(fields)
    with pytest.raises(InvalidValue):
        GenerationRequest(**request)
