"""The policy's sections: logins, credentials, reports, enquiries and fees."""

from __future__ import annotations

import re
from typing import Any

import attrs

from cambridge_results._checks import (
    at_least,
    flag,
    instance,
    whole,
)
from cambridge_results.errors import InvalidValue
from cambridge_results.policy.services import codes, service_code
from cambridge_results.values._text import ascii_pattern
from cambridge_results.values.contact import validate_email
from cambridge_results.values.exams import qualification_code
from cambridge_results.values.money import Money

__all__ = [
    "ARGON2ID_FLOORS",
    "CHOSEN_PASSWORD_FLOOR",
    "NOT_ON_RESULTS_WEBSITE",
    "CredentialPolicy",
    "EnquiryPolicy",
    "Fee",
    "LoginPolicy",
    "ReportPolicy",
]


ARGON2ID_FLOORS: tuple[tuple[int, int], ...] = (
    (47104, 1),
    (19456, 2),
    (12288, 3),
    (9216, 4),
    (7168, 5),
)
_HASHER_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,31}", re.ASCII)


def _hasher_name(value: object, field: str) -> str:
    return ascii_pattern(value, field, _HASHER_NAME, "a hasher name like argon2id", rule="CRW-12")


def _check_hasher(_: Any, __: Any, value: Any) -> None:
    _hasher_name(value, "credentials.hasher")


def _check_password_cap(_: Any, __: Any, value: Any) -> None:
    # SPEC section 5: the cap accepts at least 64 and at most 128 characters.
    if not 64 <= whole(value, "login.max_password_length", rule="LOG-01") <= 128:
        raise InvalidValue("login.max_password_length", "must be between 64 and 128", rule="LOG-01")


#: ASVS 5.0 6.2.1: no policy may accept chosen passwords shorter than this.
CHOSEN_PASSWORD_FLOOR = 8


@attrs.frozen(kw_only=True)
class LoginPolicy:
    """Lockout and password-reset numbers (LOG-02, LOG-05)."""

    lockout_threshold: int = attrs.field(
        default=3, validator=at_least("login.lockout_threshold", 1, rule="LOG-02")
    )
    lockout_minutes: int = attrs.field(
        default=30, validator=at_least("login.lockout_minutes", 1, rule="LOG-02")
    )
    reset_token_minutes: int = attrs.field(
        default=60, validator=at_least("login.reset_token_minutes", 1, rule="LOG-05")
    )
    #: At least 16 bytes: reset tokens carry at least 128 bits (LOG-05).
    reset_token_bytes: int = attrs.field(
        default=16, validator=at_least("login.reset_token_bytes", 16, rule="LOG-05")
    )
    max_password_length: int = attrs.field(default=128, validator=_check_password_cap)
    #: Passwords people choose (registration, reset): ASVS 5.0 6.2.1 floor is 8,
    #: 15 strongly recommended for a single factor (docs/security.md).
    min_chosen_password_length: int = attrs.field(
        default=15,
        validator=at_least(
            "login.min_chosen_password_length", CHOSEN_PASSWORD_FLOOR, rule="LOG-06"
        ),
    )
    #: Context-specific words refused inside chosen passwords (ASVS 5.0 6.1.2, 6.2.11).
    context_words: tuple[str, ...] = ("cambridge", "results", "candidate", "password")


@attrs.frozen(kw_only=True)
class CredentialPolicy:
    """How generated credentials are made and stored (CRW-12)."""

    #: At least 12 characters (CRW-12).
    password_length: int = attrs.field(
        default=12, validator=at_least("credentials.password_length", 12, rule="CRW-12")
    )
    hasher: str = attrs.field(default="argon2id", validator=_check_hasher)
    argon2_memory_kib: int = attrs.field(
        default=19456, validator=at_least("credentials.argon2_memory_kib", 1, rule="CRW-12")
    )
    argon2_time_cost: int = attrs.field(
        default=2, validator=at_least("credentials.argon2_time_cost", 1, rule="CRW-12")
    )
    argon2_parallelism: int = attrs.field(
        default=1, validator=at_least("credentials.argon2_parallelism", 1, rule="CRW-12")
    )
    #: Cheap hashers for tests are refused unless named here (CRW-12).
    allowed_test_hashers: tuple[str, ...] = attrs.field(
        default=(), validator=codes("credentials.allowed_test_hashers", _hasher_name)
    )
    #: ASVS 6.4.1 wants initial passwords to expire; the guides do not (CRW-12).
    require_change_at_first_login: bool = attrs.field(
        default=False, validator=flag("credentials.require_change_at_first_login")
    )

    def __attrs_post_init__(self) -> None:
        m, t = self.argon2_memory_kib, self.argon2_time_cost
        if not any(m >= floor_m and t >= floor_t for floor_m, floor_t in ARGON2ID_FLOORS):
            raise InvalidValue(
                "credentials.argon2_memory_kib",
                f"argon2id at m={m} KiB, t={t} is below the OWASP ASVS floor "
                "(e.g. m=19456 KiB with t=2); use a test hasher for fast tests",
                rule="CRW-12",
            )
        if m < 8 * self.argon2_parallelism:
            raise InvalidValue(
                "credentials.argon2_parallelism",
                "argon2 needs at least 8 KiB of memory per lane",
                rule="CRW-12",
            )


#: The qualifications whose results are not on the results website (LOG-08):
#: Skills for Life, Teaching Knowledge Test and Young Learners English.
NOT_ON_RESULTS_WEBSITE = ("SFL", "TKT", "YLE")


def _qualification_codes(value: object) -> tuple[str, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, list | tuple | frozenset | set):
        raise InvalidValue(
            "reports.not_on_results_website", "must be a list of qualification codes", rule="LOG-08"
        )
    found = tuple(qualification_code(c, "reports.not_on_results_website") for c in value)
    if len(set(found)) != len(found):
        raise InvalidValue(
            "reports.not_on_results_website", "lists a qualification twice", rule="LOG-08"
        )
    return found


@attrs.frozen(kw_only=True)
class ReportPolicy:
    """Preparation centre reports and what the results website shows (LOG-08, LOG-09).

    ``not_on_results_website`` lists the qualification codes (as stored on
    syllabuses, ``Syllabus.qualification``) whose results the website does
    not show; the policy is the only source, an application sets no flag.
    """

    max_pdfs_per_request: int = attrs.field(
        default=300, validator=at_least("reports.max_pdfs_per_request", 1, rule="LOG-09")
    )
    not_on_results_website: tuple[str, ...] = attrs.field(
        default=NOT_ON_RESULTS_WEBSITE, converter=_qualification_codes
    )

    def on_results_website(self, qualification: str) -> bool:
        """Whether results of the qualification ``qualification`` are on the website (LOG-08)."""
        return qualification_code(qualification) not in self.not_on_results_website


def _group_award_contact(value: object) -> str:
    return validate_email(value, "enquiries.group_award_contact", rule="EAR-19")


@attrs.frozen(kw_only=True)
class EnquiryPolicy:
    """Numbers of the enquiries workflow (EAR-08, EAR-14, EAR-16, EAR-18, EAR-20)."""

    turnaround_days: int = attrs.field(
        default=30, validator=at_least("enquiries.turnaround_days", 1, rule="EAR-08")
    )
    #: 0 means every amendment or cancellation is charged (EAR-14).
    free_change_hours: int = attrs.field(
        default=24, validator=at_least("enquiries.free_change_hours", 0, rule="EAR-14")
    )
    number_overdue_hours: int = attrs.field(
        default=24, validator=at_least("enquiries.number_overdue_hours", 1, rule="EAR-18")
    )
    acknowledgement_overdue_working_days: int = attrs.field(
        default=2,
        validator=at_least("enquiries.acknowledgement_overdue_working_days", 1, rule="EAR-18"),
    )
    acknowledgement_error_report_hours: int = attrs.field(
        default=24,
        validator=at_least("enquiries.acknowledgement_error_report_hours", 1, rule="EAR-16"),
    )
    appeal_stage1_decision_days: int = attrs.field(
        default=28, validator=at_least("enquiries.appeal_stage1_decision_days", 1, rule="EAR-20")
    )
    appeal_stage2_within_days: int = attrs.field(
        default=14, validator=at_least("enquiries.appeal_stage2_within_days", 1, rule="EAR-20")
    )
    amendment_fee: Money = attrs.field(validator=instance("enquiries.amendment_fee", Money))
    cancellation_fee: Money = attrs.field(validator=instance("enquiries.cancellation_fee", Money))
    #: Where group-award recalculations are asked for instead (EAR-19).
    group_award_contact: str = attrs.field(
        default="info@cambridgeinternational.org", converter=_group_award_contact
    )


def _check_fee_service(_: Any, __: Any, value: Any) -> None:
    service_code(value, "fee.service")


@attrs.frozen(kw_only=True)
class Fee:
    """The fee of one service (EAR-15)."""

    service: str = attrs.field(validator=_check_fee_service)
    price: Money = attrs.field(validator=instance("fee.price", Money))
