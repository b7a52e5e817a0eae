"""Reports: the candidate's results view and preparation centre reports (LOG-03, LOG-07..10).

:class:`Reports` is the application object; it reads through the
repositories and draws statements with the renderer it is given.
"""

from cambridge_results.reports.application import Reports
from cambridge_results.reports.requests import ReportRequest, ResultsViewRequest

__all__ = ["ReportRequest", "Reports", "ResultsViewRequest"]
