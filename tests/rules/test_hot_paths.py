"""No parsing, zone building or I/O on a rule's hot path (issue 15: rules at pure-function speed).

A policy holds its instants and zones parsed once, when it loads; a rule
called again with the same policy must not call pendulum's parser, build a
time zone from its name or open a file.  Checked with the profiler, on the
allowed and the refused answers, sentences read.
"""

from __future__ import annotations

import cProfile
import pstats
from collections.abc import Callable

import pendulum
import pytest

from cambridge_results import international_2023
from cambridge_results.rules.enquiries.services import check_window
from cambridge_results.rules.logins.lockout import LockoutState, check
from cambridge_results.rules.website.release import results_visible
from cambridge_results.values import Delay, ExamSeries

POLICY = international_2023()
JUNE = ExamSeries.parse("June 2023")
DELAY = Delay.parse("2 days")
EARLY = pendulum.datetime(2023, 8, 1, 9, tz="UTC")
SEPT = pendulum.datetime(2023, 9, 1, 9, tz="UTC")
LATE = pendulum.datetime(2023, 9, 21, 9, tz="UTC")
LOCKED = LockoutState(failures=3, locked_until=SEPT.add(minutes=30))


def forbidden(file: str, name: str) -> bool:
    """Parsing text, building a zone from its name, or touching a file."""
    return (
        "pendulum/parsing" in file
        or "pendulum/parser" in file
        or (file.endswith("pendulum/__init__.py") and name in ("parse", "timezone"))
        or "zoneinfo" in file
        or "zoneinfo" in name
        or (file == "~" and ("open" in name or "read" in name))
    )


CASES: dict[str, Callable[[], object]] = {
    "results_visible allowed": lambda: results_visible(POLICY, JUNE, DELAY, SEPT),
    "results_visible refused": lambda: results_visible(POLICY, JUNE, DELAY, EARLY),
    "check_window allowed": lambda: check_window(POLICY, JUNE, "2", SEPT),
    "check_window before release": lambda: check_window(POLICY, JUNE, "2", EARLY),
    "check_window after the deadline": lambda: check_window(POLICY, JUNE, "2", LATE),
    "lockout refused": lambda: check(LOCKED, SEPT, POLICY.timezone),
}


def offending(call: Callable[[], object]) -> tuple[int, set[str]]:
    """How many functions ``call`` calls (its sentences read), and the forbidden ones."""

    def run() -> None:
        decision = call()
        for reason in getattr(decision, "reasons", ()):
            assert reason.message

    run()  # warm: what is cached at first use is not the hot path
    profile = cProfile.Profile()
    profile.runcall(run)
    seen = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    return len(seen), {f"{file}:{name}" for (file, _, name) in seen if forbidden(file, name)}


@pytest.mark.parametrize("case", CASES)
def test_a_rule_called_again_parses_nothing_and_reads_no_file(case: str) -> None:
    """Instants and zones come parsed from the policy; no parser, zone builder or file."""
    count, bad = offending(CASES[case])
    assert count > 3  # the profiler saw the rule run
    assert not bad


def test_the_check_sees_a_parse_and_a_zone_built_by_name() -> None:
    """The test above can fail: parsing an instant or building a zone is caught."""
    _, parsed = offending(lambda: pendulum.parse("2023-09-01T09:00:00+02:00"))
    assert parsed
    _, zoned = offending(lambda: pendulum.timezone("Europe/Paris"))
    assert zoned
