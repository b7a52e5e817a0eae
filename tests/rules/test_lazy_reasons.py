"""Reasons whose sentence is written when first read (issue 15: rules at pure-function speed).

A rule on a hot path refuses with ``Decision.refuse_lazily``: the code is there
at once, the sentence is written the first time anyone reads it, and nothing
outside can tell a lazy reason from one given its sentence.
"""

from __future__ import annotations

import json
import pickle

import pendulum
import pytest

from cambridge_results import example_2026
from cambridge_results.decisions import Decision
from cambridge_results.errors import InvalidValue, Reason
from cambridge_results.rules.logins.lockout import LockoutState, check
from cambridge_results.rules.website.release import results_visible
from cambridge_results.serialization import structure, unstructure
from cambridge_results.values import Delay, ExamSeries

CODE = "LOG-02.locked"


class Renderer:
    """Counts how often it is asked for the sentence."""

    def __init__(self, text: str = "try again later") -> None:
        self.calls = 0
        self.text = text

    def __call__(self, *args: object) -> str:
        self.calls += 1
        return self.text + "".join(f" {a}" for a in args)


def test_a_lazy_reason_writes_its_sentence_once_and_only_when_read() -> None:
    """The code is there at once; the sentence is rendered on the first read and kept."""
    render = Renderer()
    reason = Reason.lazy(CODE, render, 1, "x")
    assert reason.code == CODE
    assert reason.rule == "LOG-02"
    assert render.calls == 0
    assert reason.message == "try again later 1 x"
    assert reason.message == "try again later 1 x"
    assert render.calls == 1


def test_a_lazy_reason_is_equal_to_the_same_reason_given_its_sentence() -> None:
    """Equality, hashing and repr read the sentence: lazy and eager are indistinguishable."""
    lazy = Reason.lazy(CODE, Renderer())
    eager = Reason(code=CODE, message="try again later")
    assert lazy == eager
    assert hash(lazy) == hash(eager)
    assert repr(lazy) == repr(eager)
    assert Decision(reasons=(lazy,)) == Decision.refuse(CODE, "try again later")
    assert lazy != Reason(code=CODE, message="another sentence")


def test_a_lazy_reason_pickles_and_serialises_with_its_sentence() -> None:
    """A worker process or a JSON log gets the sentence, never the renderer."""
    decision = Decision.refuse_lazily(CODE, Renderer(), 3)
    assert pickle.loads(pickle.dumps(decision)) == decision  # noqa: S301 - our own bytes
    data = unstructure(decision)
    assert json.loads(json.dumps(data))["reasons"] == [
        {"code": CODE, "message": "try again later 3"}
    ]
    assert structure(data, Decision) == decision


def test_a_bad_code_is_refused_at_once_and_a_blank_sentence_when_read() -> None:
    """The code is checked when the reason is made; a sentence when it is written."""
    with pytest.raises(InvalidValue, match=r"reason\.code"):
        Reason.lazy("not a code", Renderer())
    blank = Reason.lazy(CODE, Renderer("  "))
    with pytest.raises(InvalidValue, match=r"reason\.message"):
        _ = blank.message


def test_a_reason_cannot_be_changed() -> None:
    """Reasons are immutable values."""
    reason = Reason(code=CODE, message="try again later")
    with pytest.raises(AttributeError):
        reason.code = "LOG-01.other"
    with pytest.raises(AttributeError):
        del reason.code


def test_the_hot_refusals_say_the_same_sentences_as_before() -> None:
    """CRW-05, LOG-02: the lazily written sentences of release and lockout refusals."""
    decision = results_visible(
        example_2026(),
        ExamSeries.parse("June 2026"),
        Delay.parse("2 days"),
        now=pendulum.datetime(2026, 8, 12, tz="UTC"),
    )
    assert decision.reasons[0].message == (
        "results for June 2026 can be viewed from 13 August 2026, 07:00 (Europe/London) [CRW-05]"
    )
    until = pendulum.datetime(2026, 8, 11, 9, 30, tz="UTC")
    locked = check(LockoutState(failures=3, locked_until=until), until.subtract(minutes=5), "UTC")
    assert locked.reasons[0].message.endswith("try again from 11 August 2026, 09:30 (UTC)")
