"""Only the library's own errors escape a public entry point, for any input (issue 14, item 3).

Every public method of the application objects (on a memory board), every
request value, every value object and its parser, ``load_policy``,
``open_store`` and ``open_board`` is called with arguments of any type and
any text (lone surrogates included), mixed with valid ones so that calls get
past the first check.  Each call returns or raises a
:class:`~cambridge_results.errors.CambridgeResultsError`; a ``TypeError``,
``ValueError``, ``KeyError`` or ``AttributeError`` is a defect.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cambridge_results.associates.requests
import cambridge_results.enquiries.requests
import cambridge_results.logins.requests
import cambridge_results.reports.requests
import cambridge_results.rules.website.access
import cambridge_results.values
import cambridge_results.website.generation
import cambridge_results.website.requests
from cambridge_results.board import Board, open_board
from cambridge_results.board.schema import SCHEMA
from cambridge_results.errors import CambridgeResultsError
from cambridge_results.policy import example_2026, load_policy
from cambridge_results.principals import AssociateOfficer, BoardStaff, CentreOfficer
from cambridge_results.sample_board import sample_board, store_sample_board
from cambridge_results.storage import open_store

APPLICATION = ("website", "associates", "logins", "reports", "enquiries")
MODULES = (
    cambridge_results.associates.requests,
    cambridge_results.enquiries.requests,
    cambridge_results.logins.requests,
    cambridge_results.reports.requests,
    cambridge_results.rules.website.access,
    cambridge_results.website.generation,
    cambridge_results.website.requests,
    cambridge_results.values,
)

#: Values a valid call would use, so a call can get past its first check.
VALID = (
    "GB100",
    "GB200",
    "GB201",
    "November 2026",
    "2026-06",
    "0001",
    "0580",
    "12",
    "all",
    "selected",
    "2 days",
    "sam@example.org",
    "+44 1223 553311",
    "Ann Lee",
    ("0001",),
    ["GB100"],
)
PRINCIPALS = (
    BoardStaff(staff_id="ops"),
    CentreOfficer(centre="GB100"),
    AssociateOfficer(associate="GB200"),
)
ANYTHING = st.one_of(
    st.sampled_from(VALID),
    st.sampled_from(PRINCIPALS),
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(st.characters(exclude_categories=()), max_size=20),
    st.binary(max_size=6),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.builds(object),
)


@pytest.fixture(scope="module")
def board() -> Iterator[Board]:
    """A memory board holding the sample board (three candidates a centre)."""
    with open_board("memory://", policy=example_2026(), workers=0) as board:
        store_sample_board(board.context, sample_board(candidates_per_centre=3))
        yield board


def _methods() -> list[tuple[str, str]]:
    board = open_board("memory://", policy=example_2026(), workers=0)
    found = [
        (part, name)
        for part in APPLICATION
        for name, _ in inspect.getmembers(type(getattr(board, part)), inspect.isfunction)
        if not name.startswith("_")
    ]
    board.close()
    return found


def _classes() -> list[type]:
    found: dict[str, type] = {}
    for module in MODULES:
        for name in getattr(module, "__all__", dir(module)):
            value = getattr(module, name)
            if (
                inspect.isclass(value)
                and attrs.has(value)
                and value.__module__.startswith("cambridge_results")
            ):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[k] for k in sorted(found)]


def _call(function: Callable[..., Any], data: st.DataObject) -> None:
    """``function`` with an argument drawn for each of its parameters (``self`` bound)."""
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for parameter in inspect.signature(function).parameters.values():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        if parameter.default is not parameter.empty and data.draw(st.booleans()):
            continue
        value = data.draw(ANYTHING, label=parameter.name)
        if parameter.kind is parameter.KEYWORD_ONLY:
            kwargs[parameter.name] = value
        else:
            args.append(value)
    with contextlib.suppress(CambridgeResultsError):
        function(*args, **kwargs)


FAST = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.mark.parametrize(("part", "method"), _methods(), ids="{0[0]}.{0[1]}".format)
@FAST
@given(data=st.data())
def test_an_application_method_given_anything_raises_only_the_librarys_errors(
    board: Board, part: str, method: str, data: st.DataObject
) -> None:
    """Each public method of website, associates, logins, reports and enquiries."""
    _call(getattr(getattr(board, part), method), data)


@pytest.mark.parametrize("cls", _classes(), ids=lambda c: c.__qualname__)
@FAST
@given(data=st.data())
def test_a_request_or_value_given_anything_raises_only_the_librarys_errors(
    cls: type, data: st.DataObject
) -> None:
    """Each request value and value object, built from fields of any type; and its parser."""
    kwargs = {
        f.alias: data.draw(ANYTHING, label=f.name)
        for f in attrs.fields(cls)
        if f.init and (f.default is attrs.NOTHING or data.draw(st.booleans()))
    }
    with contextlib.suppress(CambridgeResultsError):
        cls(**kwargs)
    parse = getattr(cls, "parse", None)
    if callable(parse):
        _call(parse, data)


@pytest.mark.parametrize(
    "entry",
    [load_policy, lambda v: open_store(v, migrations=SCHEMA), open_board],
    ids=["load_policy", "open_store", "open_board"],
)
@FAST
@given(data=st.data())
def test_the_entry_functions_given_anything_raise_only_the_librarys_errors(
    entry: Callable[..., Any], data: st.DataObject
) -> None:
    """load_policy, open_store and open_board with any source, URL and options."""
    url = data.draw(st.one_of(ANYTHING, st.sampled_from(["memory://", "memory://?x", "nope:/"])))
    if entry is open_board:
        _call(
            lambda policy=None, workers=None, hasher_name=None: open_board(
                url, policy=policy, workers=workers, hasher_name=hasher_name
            ),
            data,
        )
    else:
        with contextlib.suppress(CambridgeResultsError):
            entry(url)
