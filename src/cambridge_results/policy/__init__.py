"""Policies as data: every number the rules use lives here, loaded from a file with cattrs.

A board loads next year's rules from data without a code change.  The 2023
international policy from the guides ships with the library
(:func:`international_2023`), and so do example June and November 2026
series, marked as examples (:func:`example_2026`).
"""

from cambridge_results.policy.calendar import (
    DateOrInstant,
    EnquiryWindow,
    SeriesCalendar,
    ServiceDeadline,
)
from cambridge_results.policy.model import (
    Policy,
    dump_policy,
    example_2026,
    international_2023,
    load_policy,
)
from cambridge_results.policy.sections import (
    ARGON2ID_FLOORS,
    CHOSEN_PASSWORD_FLOOR,
    CredentialPolicy,
    EnquiryPolicy,
    Fee,
    LoginPolicy,
    ReportPolicy,
)
from cambridge_results.policy.services import ReviewKind, ServiceDefinition
from cambridge_results.values.money import Money

__all__ = [
    "ARGON2ID_FLOORS",
    "CHOSEN_PASSWORD_FLOOR",
    "CredentialPolicy",
    "DateOrInstant",
    "EnquiryPolicy",
    "EnquiryWindow",
    "Fee",
    "LoginPolicy",
    "Money",
    "Policy",
    "ReportPolicy",
    "ReviewKind",
    "SeriesCalendar",
    "ServiceDeadline",
    "ServiceDefinition",
    "dump_policy",
    "example_2026",
    "international_2023",
    "load_policy",
]
