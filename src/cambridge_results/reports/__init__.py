"""Reports: the candidate's results view and preparation centre reports (LOG-03, LOG-07..10).

:class:`Reports` is the application object; it reads through the
repositories and draws statements with the renderer it is given.
"""

from cambridge_results.reports.application import Reports
from cambridge_results.reports.report import Report, ReportLine, ResultPdfs
from cambridge_results.reports.requests import (
    ReportRequest,
    ResultKey,
    ResultPdfRequest,
    ResultsViewRequest,
)
from cambridge_results.reports.results import CandidateResult, ResultRepository

__all__ = [
    "CandidateResult",
    "Report",
    "ReportLine",
    "ReportRequest",
    "Reports",
    "ResultKey",
    "ResultPdfRequest",
    "ResultPdfs",
    "ResultRepository",
    "ResultsViewRequest",
]
