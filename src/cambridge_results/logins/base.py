"""What every part of :class:`~cambridge_results.logins.Logins` holds, set once at construction."""

from __future__ import annotations

from collections.abc import Callable, Container

from cambridge_results.context import Context
from cambridge_results.logins.candidates import CandidateCredentials
from cambridge_results.logins.outbox import Outbox
from cambridge_results.logins.verifier import Verifier

__all__ = ["LoginsBase"]


class LoginsBase:
    """The context, the verifier (current and older hashers), the outbox, the letters' port."""

    _context: Context
    _verifier: Verifier
    _outbox: Outbox
    _reset_link: Callable[[str], str] | None
    _denylist: Container[str]
    _site: str
    _candidates: CandidateCredentials
