"""Rule decisions per second on one core, allowed and refused, against a bare baseline.

Usage (from the repository root, after ``bash scripts/test``)::

    taskset -c 0 .venv/bin/python benchmarks/rules.py            # every decision
    taskset -c 0 .venv/bin/python benchmarks/rules.py --seconds 0.5 --repeat 7

Each case calls one pure rule with the same arguments in a tight loop and
reports decisions per CPU second, the median of ``--repeat`` runs.  The bare
baseline in the same run is a plain Python function doing the comparison a
rule cannot avoid (an instant against a threshold, returning a tuple), so
``rule / baseline`` says how far a rule is from the cost of a function call.
The target (issue 15) is 100,000 decisions a second on one core for every
case; pin the process to one core (``taskset -c 0``) on a shared machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable

import pendulum

from cambridge_results.policy import international_2023
from cambridge_results.principals import CentreOfficer
from cambridge_results.rules.enquiries import workflow as wf
from cambridge_results.rules.enquiries.eligibility import check_eligibility, check_request
from cambridge_results.rules.enquiries.services import check_window
from cambridge_results.rules.logins import lockout
from cambridge_results.rules.website.release import results_visible
from cambridge_results.values import (
    AssessedBy,
    Centre,
    Component,
    Delay,
    Entry,
    ExamSeries,
    Mark,
    MarkSource,
    Qualification,
    Syllabus,
)
from cambridge_results.values.enquiry_facts import CandidateResults, SyllabusFacts

POLICY = international_2023()
JUNE = ExamSeries.parse("June 2023")
SEPT = pendulum.datetime(2023, 9, 1, 9, tz="UTC")
LATE = pendulum.datetime(2023, 9, 21, 9, tz="UTC")
EARLY = pendulum.datetime(2023, 8, 1, 9, tz="UTC")
TARGET = 100_000


def _facts() -> SyllabusFacts:
    biology = Syllabus(
        code="0610",
        name="Biology",
        qualification="IGCSE",
        components=(
            Component(code="42", name="Theory", assessed_by=AssessedBy.BOARD, tolerance=3),
        ),
    )
    entry = Entry(
        centre="GB123", series=JUNE, candidate="0714", syllabus="0610", components=("42",)
    )
    return SyllabusFacts(
        qualification=Qualification(code="IGCSE", name="Cambridge IGCSE"),
        syllabus=biology,
        results=(
            CandidateResults(
                entry=entry,
                grade="C",
                marks=(Mark(component="42", source=MarkSource.EXAM, value=41),),
            ),
        ),
    )


def cases() -> dict[str, Callable[[], object]]:
    """Every measured decision, by name; each is a closure over fixed arguments."""
    facts = _facts()
    draft = wf.create(
        POLICY,
        enquiry_id="e-1",
        centre=Centre(number="GB123", name="Riverside School"),
        series="June 2023",
        service="2",
        syllabus="0610",
        components=("42",),
        candidates=("714",),
        principal=CentreOfficer(centre="GB123"),
        now=SEPT,
    ).enquiry
    bad = wf.create(
        POLICY,
        enquiry_id="e-2",
        centre=Centre(number="GB123", name="Riverside School"),
        series="June 2023",
        service="2",
        syllabus="0610",
        components=("42",),
        candidates=("999",),
        principal=CentreOfficer(centre="GB123"),
        now=SEPT,
    ).enquiry
    delay = Delay.parse("2 days")
    free = lockout.LockoutState()
    locked = lockout.LockoutState(failures=3, locked_until=SEPT.add(minutes=30))
    two = lockout.LockoutState(failures=2)
    login = POLICY.login

    def lock_on_third() -> object:
        lockout.check(two, SEPT)
        return lockout.after_failure(two, SEPT, login)

    return {
        "check_eligibility allowed": lambda: check_eligibility(
            POLICY, draft, facts=facts, others=(), now=SEPT
        ),
        "check_eligibility refused": lambda: check_eligibility(
            POLICY, bad, facts=facts, others=(), now=LATE
        ),
        "check_request allowed": lambda: check_request(POLICY, draft, facts=facts, others=()),
        "check_request refused": lambda: check_request(POLICY, bad, facts=facts, others=()),
        "check_window allowed": lambda: check_window(POLICY, JUNE, "2", SEPT),
        "check_window refused": lambda: check_window(POLICY, JUNE, "2", LATE),
        "results_visible allowed": lambda: results_visible(POLICY, JUNE, delay, SEPT),
        "results_visible refused": lambda: results_visible(POLICY, JUNE, delay, EARLY),
        "lockout check allowed": lambda: lockout.check(free, SEPT),
        "lockout check refused": lambda: lockout.check(locked, SEPT),
        "check + after_failure locking": lock_on_third,
    }


def bare(now: pendulum.DateTime = SEPT, opens: pendulum.DateTime = EARLY) -> object:
    """The baseline: the one comparison a rule cannot avoid, and an answer."""
    return () if now >= opens else ("refused",)


def rate(call: Callable[[], object], seconds: float) -> float:
    """Calls per CPU second of ``call`` over about ``seconds`` of this process's CPU time.

    CPU time, not wall time: on a shared machine a wall clock also counts the
    time other processes held the core.
    """
    n = 0
    batch = 200
    start = time.process_time()
    deadline = start + seconds
    while True:
        for _ in range(batch):
            call()
        n += batch
        now = time.process_time()
        if now >= deadline:
            return n / (now - start)


def main(argv: list[str] | None = None) -> int:
    """Print each case's median rate, the baseline's, and whether the target holds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.3, help="time per measurement")
    parser.add_argument("--repeat", type=int, default=5, help="measurements per case (median)")
    args = parser.parse_args(argv)
    base = statistics.median(rate(bare, args.seconds) for _ in range(args.repeat))
    print(f"{'bare baseline':34} {base:>12,.0f}/s")
    failed = 0
    for name, call in cases().items():
        call()  # warm: anything cached at first use is not measured
        median = statistics.median(rate(call, args.seconds) for _ in range(args.repeat))
        ok = median >= TARGET
        failed += not ok
        mark = "ok" if ok else f"BELOW {TARGET:,}"
        print(f"{name:34} {median:>12,.0f}/s  {median / base:6.3f} of bare  {mark}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
