"""Who is acting: every use case takes the acting principal (SPEC section 0).

A principal is a small frozen value; what it may see and do is decided by
rules (ASC-07 for letters and candidates), not by the principal itself.
``str(principal)`` is the actor recorded on events, e.g. ``"centre:GB123"``.
"""

from __future__ import annotations

import re

import attrs

from cambridge_results.values import CandidateNumber, CentreNumber, ExamSeries
from cambridge_results.values._text import ascii_pattern
from cambridge_results.values.identifiers import as_candidate_number, as_centre_number
from cambridge_results.values.series import as_series

__all__ = [
    "AssociateOfficer",
    "BoardStaff",
    "CandidateUser",
    "CentreOfficer",
    "Principal",
]

_STAFF_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}", re.ASCII)


def _staff_id(value: object) -> str:
    return ascii_pattern(value, "staff_id", _STAFF_ID, "a staff id like j.smith")


@attrs.frozen(kw_only=True)
class CentreOfficer:
    """The exams officer of one centre (an Associate Centre's officer too)."""

    centre: CentreNumber = attrs.field(converter=as_centre_number)

    def __str__(self) -> str:
        return "centre:" + self.centre.value


@attrs.frozen(kw_only=True)
class AssociateOfficer:
    """A Cambridge Associate acting for its Associate Centres (ASC-01)."""

    associate: CentreNumber = attrs.field(converter=as_centre_number)

    def __str__(self) -> str:
        return "associate:" + self.associate.value


@attrs.frozen(kw_only=True)
class BoardStaff:
    """A member of the board's staff (receives enquiries, records outcomes, extensions)."""

    staff_id: str = attrs.field(converter=_staff_id)

    def __str__(self) -> str:
        return "board:" + self.staff_id


@attrs.frozen(kw_only=True)
class CandidateUser:
    """A candidate signed in to see their own results.

    ``series`` is the series of the letter they logged in with (CRW-14): a
    letter's username opens that series' results only.  ``None`` for a
    candidate known some other way (e.g. registered with an ID, LOG-06).
    """

    centre: CentreNumber = attrs.field(converter=as_centre_number)
    number: CandidateNumber = attrs.field(converter=as_candidate_number)
    series: ExamSeries | None = attrs.field(
        default=None, converter=attrs.converters.optional(as_series)
    )

    def __str__(self) -> str:
        return "candidate:" + self.centre.value + "/" + self.number.value


#: Any acting principal.
Principal = CentreOfficer | AssociateOfficer | BoardStaff | CandidateUser
