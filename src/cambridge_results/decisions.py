"""The common answer type of rules: allowed or not, and why.

A rule never answers with a bare bool.  It returns a :class:`Decision` whose
reasons carry a stable code (``"CRW-02.window-not-open"``), the SPEC rule ID
(``"CRW-02"``) and a sentence for people.  A request with several problems
gets every reason at once; callers that prefer exceptions call
:meth:`Decision.raise_if_refused`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import attrs

from cambridge_results import errors
from cambridge_results.errors import Reason

__all__ = ["Decision", "Reason"]

_RULE_ID = re.compile(r"(CRW|ASC|LOG|EAR)-[0-9]{2}", re.ASCII)

_FAMILIES: dict[str, type[errors.RefusedByRule]] = {
    "CRW": errors.AccessRefused,
    "ASC": errors.AssociateRefused,
    "LOG": errors.LoginRefused,
    "EAR": errors.EnquiryRefused,
}


@attrs.frozen(kw_only=True)
class Decision:
    """What a rule decided: refused when it has reasons, allowed otherwise.

    ``warnings`` are reasons that do not refuse but must be shown before the
    user goes on (EAR-13: service 9 with candidates who have open enquiries).
    """

    reasons: tuple[Reason, ...] = ()
    warnings: tuple[Reason, ...] = ()

    @classmethod
    def allow(cls, *warnings: Reason) -> Decision:
        """An allowing decision, optionally with warnings."""
        if not warnings and cls is Decision:
            return _ALLOWED
        return cls(warnings=tuple(warnings))

    @classmethod
    def of(cls, reasons: Iterable[Reason]) -> Decision:
        """Refused with ``reasons``, or allowed when there are none."""
        found = tuple(reasons)
        if not found and cls is Decision:
            return _ALLOWED
        return cls(reasons=found)

    @classmethod
    def refuse(cls, code: str, message: str) -> Decision:
        """A refusing decision with one reason."""
        return cls(reasons=(Reason(code=code, message=message),))

    @classmethod
    def refuse_lazily(cls, code: str, render: Callable[..., str], *args: object) -> Decision:
        """Refused with one reason whose sentence ``render(*args)`` is written when read.

        For rules on hot paths whose callers often look only at the codes
        (:meth:`Reason.lazy <cambridge_results.errors.Reason.lazy>`).
        """
        return cls(reasons=(Reason.lazy(code, render, *args),))

    @classmethod
    def combine(cls, decisions: Iterable[Decision]) -> Decision:
        """Every reason and warning of several decisions, in order."""
        reasons: list[Reason] = []
        warnings: list[Reason] = []
        for d in decisions:
            if d.reasons:
                reasons.extend(d.reasons)
            if d.warnings:
                warnings.extend(d.warnings)
        if not reasons and not warnings and cls is Decision:
            return _ALLOWED
        return cls(reasons=tuple(reasons), warnings=tuple(warnings))

    @property
    def allowed(self) -> bool:
        """True when no reason refuses."""
        return not self.reasons

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def codes(self) -> tuple[str, ...]:
        """The codes of the refusing reasons."""
        return tuple(r.code for r in self.reasons)

    @property
    def rules(self) -> tuple[str, ...]:
        """The rule IDs of the refusing reasons, in order, without repeats."""
        return tuple(dict.fromkeys(r.rule for r in self.reasons))

    def raise_if_refused(self) -> None:
        """Raise the reason family's :class:`~cambridge_results.errors.RefusedByRule`."""
        if self.reasons:
            family = self.reasons[0].rule.split("-", 1)[0]
            raise _FAMILIES[family](self.reasons)


def is_rule_id(text: str) -> bool:
    """True when ``text`` is a SPEC rule ID such as ``"LOG-02"``."""
    return _RULE_ID.fullmatch(text) is not None


#: The one plain "allowed": rules allow far more often than they refuse, and a
#: frozen value can be shared.
_ALLOWED = Decision()
