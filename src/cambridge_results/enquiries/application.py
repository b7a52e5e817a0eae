"""``board.enquiries``: every enquiry use case on one object (EAR-01..23).

:class:`Enquiries` gathers the use cases by job, each in its own module:

* :mod:`~cambridge_results.enquiries.submission` -- drafts, submission,
  amendments, cancellations, the Associate's approval (EAR-09, 13, 14, 16);
* :mod:`~cambridge_results.enquiries.board` -- receiving, uploads,
  extensions, statements of results, the board's results (EAR-10, 11, 15, 17);
* :mod:`~cambridge_results.enquiries.issuing` -- the Ack and Out letters,
  drawn outside the write, and opening documents (EAR-10, 16, 23);
* :mod:`~cambridge_results.enquiries.appealing` -- appeals (EAR-20);
* :mod:`~cambridge_results.enquiries.queries` -- reading (EAR-08, 12, 15, 18).

Every method takes the acting principal first; where there are more than
one or two arguments, a request value from
:mod:`~cambridge_results.enquiries.requests`.  Every write runs through
``context.write`` (retried when a concurrent writer wins); a refusal raises
before anything is written, and any error rolls everything back.  After
every change of an enquiry, Pending enquiries of its group (centre, series,
syllabus) are re-evaluated in the same unit of work under the group's lock:
one that no longer waits becomes Submitted by itself (EAR-13).
"""

from __future__ import annotations

from cambridge_results._arguments import checked_arguments
from cambridge_results.enquiries.appealing import AppealUseCases
from cambridge_results.enquiries.board import BoardUseCases
from cambridge_results.enquiries.issuing import IssuingUseCases
from cambridge_results.enquiries.queries import QueryUseCases
from cambridge_results.enquiries.submission import SubmissionUseCases

__all__ = ["Enquiries"]


@checked_arguments
class Enquiries(SubmissionUseCases, BoardUseCases, IssuingUseCases, AppealUseCases, QueryUseCases):
    """The enquiry use cases over a context: ``Enquiries(context, letter_renderer=...)``.

    ``letter_renderer`` draws the acknowledgement and outcome letters (an
    :class:`~cambridge_results.rendering.enquiry_protocol.EnquiryLetterRenderer`,
    e.g. ``FpdfEnquiryLetterRenderer()``); the composition root chooses it.
    """
