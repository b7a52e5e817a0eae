"""The strategies reach users through the hypothesis entry point, without any import of ours."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import sys
from hypothesis import given, settings, strategies as st
from cambridge_results import values
from cambridge_results.policy import Policy

assert "cambridge_results.testing.strategies" not in sys.modules, "imported too early"
TYPES = [
    values.ExamSeries, values.CentreNumber, values.CandidateNumber, values.UCI,
    values.SyllabusCode, values.ComponentCode, values.ContactDetails, values.Delay,
    values.Candidate, values.Centre, values.Associate, values.Qualification,
    values.Component, values.Syllabus, values.Entry, values.Mark, values.Grade, Policy,
]

@settings(max_examples=5, database=None, deadline=None)
@given(st.tuples(*[st.from_type(t) for t in TYPES]))
def check(drawn):
    for kind, value in zip(TYPES, drawn):
        assert type(value) is kind, (kind, value)

check()
print("drew", len(TYPES), "types")
"""


def test_from_type_draws_every_value_object_in_a_fresh_process() -> None:
    """The issue: st.from_type(CandidateNumber) etc. work without importing our testing kit."""
    env = {k: v for k, v in os.environ.items() if k != "HYPOTHESIS_NO_PLUGINS"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "drew 18 types"


WITHOUT = """
from hypothesis import Phase, given, settings, strategies as st
from cambridge_results.values import CandidateNumber

@settings(max_examples=3, database=None, phases=[Phase.generate], derandomize=True)
@given(st.from_type(CandidateNumber))
def check(number):
    assert isinstance(number, CandidateNumber)

check()
"""


def test_without_the_plugin_hypothesis_cannot_build_a_candidate_number() -> None:
    """The check above depends on the entry point: with plugins off, from_type fails."""
    env = {**os.environ, "HYPOTHESIS_NO_PLUGINS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode != 0
    assert "InvalidValue" in done.stderr or "ResolutionFailed" in done.stderr
