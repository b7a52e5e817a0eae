"""Typed errors of stored enquiries (EAR-06, EAR-10).

Both are subclasses of the library's own families, so an app that catches
:class:`~cambridge_results.errors.EnquiryRefused`,
:class:`~cambridge_results.errors.DuplicateError` or
:class:`~cambridge_results.errors.InvalidValue` catches them too.
"""

from __future__ import annotations

from cambridge_results.decisions import Reason
from cambridge_results.errors import DuplicateError, EnquiryRefused, InvalidValue

__all__ = ["ALREADY_SUBMITTED", "DuplicateEnquiry", "InvalidDocument"]

#: The reason code of a second re-check or review for a candidate and syllabus.
ALREADY_SUBMITTED = "EAR-06.already-submitted"


class DuplicateEnquiry(EnquiryRefused, DuplicateError):
    """A second active re-check or review for a candidate and syllabus (EAR-06).

    Raised whether the use case saw the first one (the rule refused) or a
    concurrent writer committed it first (the store's partial unique index
    refused): either way the caller gets this one type.  It is an
    :class:`~cambridge_results.errors.EnquiryRefused` carrying every reason,
    and a :class:`~cambridge_results.errors.DuplicateError`.
    """

    @classmethod
    def from_index(cls, enquiry_id: str) -> DuplicateEnquiry:
        """The error when the store's index refused the claim of ``enquiry_id``."""
        return cls(
            [
                Reason(
                    code=ALREADY_SUBMITTED,
                    message=f"enquiry {enquiry_id} was not submitted: another re-check or "
                    "review of the same candidate and syllabus was submitted at the same "
                    "time; only one per candidate and syllabus",
                )
            ]
        )


class InvalidDocument(InvalidValue):
    """An uploaded document is not a readable, unencrypted PDF within the size limit (EAR-10)."""

    def __init__(self, message: str) -> None:
        super().__init__("document", message, rule="EAR-10")
