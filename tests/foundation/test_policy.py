"""Policies as data: shipped files, validation with field paths, exact load/dump round trips."""

from __future__ import annotations

import copy
import decimal
import json
from pathlib import Path
from typing import Any

import attrs
import pendulum
import pytest
from hypothesis import given, settings

from cambridge_results.errors import InvalidValue, PolicyError, UnknownSeries
from cambridge_results.policy import (
    CredentialPolicy,
    DateOrInstant,
    LoginPolicy,
    Policy,
    dump_policy,
    example_2026,
    international_2023,
    load_policy,
)
from cambridge_results.testing import strategies as crst
from cambridge_results.values import ExamSeries


def test_the_2023_international_policy_holds_the_guides_numbers() -> None:
    """EAR-07, EAR-20, LOG-02, LOG-09: the deadlines and numbers of seed 003 and SPEC."""
    policy = international_2023()
    june = policy.calendar(ExamSeries.parse("June 2023"))
    november = policy.calendar(ExamSeries.parse("November 2023"))
    assert june.enquiry_deadline == DateOrInstant("2023-09-20")
    assert november.enquiry_deadline == DateOrInstant("2024-02-26")
    assert (june.credential_window_opens.text, november.credential_window_opens.text) == (
        "2023-03-21",
        "2023-10-01",
    )
    assert (policy.login.lockout_threshold, policy.login.lockout_minutes) == (3, 30)
    assert policy.reports.max_pdfs_per_request == 300
    assert policy.enquiries.turnaround_days == 30
    assert policy.enquiries.free_change_hours == 24
    assert (
        policy.enquiries.appeal_stage1_decision_days,
        policy.enquiries.appeal_stage2_within_days,
    ) == (28, 14)
    group = next(s for s in policy.services if s.code == "9")
    assert (group.group_min, group.group_max) == (5, 15)
    assert policy.timezone == "Europe/London"
    assert not june.example


def test_the_2026_series_are_marked_as_examples() -> None:
    """The issue: example June/November 2026 series, marked as examples."""
    policy = example_2026()
    assert [str(c.series) for c in policy.series] == ["June 2026", "November 2026"]
    assert all(c.example for c in policy.series)
    assert "EXAMPLE" in policy.notes


def test_a_deadline_given_as_a_date_closes_at_the_end_of_that_day_in_london() -> None:
    """EAR-22: 20 September 2023 closes at midnight BST, 23:00 UTC; windows are half-open."""
    deadline = international_2023().calendar(ExamSeries.parse("2023-06")).enquiry_deadline
    assert deadline.closes("Europe/London") == pendulum.datetime(2023, 9, 20, 23, tz="UTC")
    assert deadline.opens("Europe/London") == pendulum.datetime(2023, 9, 19, 23, tz="UTC")
    winter = DateOrInstant("2024-02-26")
    assert winter.closes("Europe/London") == pendulum.datetime(2024, 2, 27, tz="UTC")


def test_a_deadline_given_as_an_instant_is_that_instant_whatever_the_zone() -> None:
    """EAR-22: an exact time with its zone, e.g. 23:59 UTC."""
    deadline = DateOrInstant("2026-09-17T23:59:00+00:00")
    assert not deadline.is_date
    expected = pendulum.datetime(2026, 9, 17, 23, 59, tz="UTC")
    assert deadline.closes("Europe/London") == deadline.opens("Asia/Singapore") == expected


def test_services_can_be_added_for_one_series_and_limited_to_a_session() -> None:
    """EAR-21: priority 2P/2PS added for June 2026 only."""
    policy = example_2026()
    june = [s.code for s in policy.services_for(ExamSeries.parse("June 2026"))]
    november = [s.code for s in policy.services_for(ExamSeries.parse("November 2026"))]
    assert {"2P", "2PS"} <= set(june)
    assert not {"2P", "2PS"} & set(november)
    assert policy.fee("2P").amount == decimal.Decimal("95.00")


def test_a_service_can_be_withdrawn_for_one_series() -> None:
    """EAR-21: service 9 was withdrawn in 2021; a policy can say so for a series."""
    data = dump_policy(international_2023())
    data["series"][0]["services_withdrawn"] = ["9"]
    policy = load_policy(data)
    assert "9" not in [s.code for s in policy.services_for(ExamSeries.parse("June 2023"))]
    assert "9" in [s.code for s in policy.services_for(ExamSeries.parse("November 2023"))]


def test_an_unknown_series_and_a_free_service_fee_are_policy_errors() -> None:
    """UnknownSeries names the series known; X/Q has no fee entry (EAR-15)."""
    policy = international_2023()
    with pytest.raises(UnknownSeries, match=r"June 2030.*June 2023, November 2023"):
        policy.calendar(ExamSeries.parse("June 2030"))
    with pytest.raises(PolicyError) as caught:
        policy.fee("X/Q")
    assert caught.value.rule == "EAR-15"
    assert next(s for s in policy.services if s.code == "X/Q").free


def _set(data: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    data = copy.deepcopy(data)
    *parents, last = path.split(".")
    target: Any = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target.setdefault(part, {})
    if last.isdigit():
        target[int(last)] = value
    else:
        target[last] = value
    return data


BAD_NUMBERS = [
    ("login.lockout_threshold", 0, "$.login.lockout_threshold", "LOG-02"),
    ("login.lockout_minutes", -5, "$.login.lockout_minutes", "LOG-02"),
    ("login.reset_token_minutes", 0, "$.login.reset_token_minutes", "LOG-05"),
    ("login.reset_token_bytes", 8, "$.login.reset_token_bytes", "LOG-05"),
    ("login.max_password_length", 32, "$.login.max_password_length", "LOG-01"),
    ("login.max_password_length", 1000, "$.login.max_password_length", "LOG-01"),
    ("login.lockout_threshold", "3", "$.login.lockout_threshold", None),
    ("credentials.password_length", 8, "$.credentials.password_length", "CRW-12"),
    ("credentials.argon2_memory_kib", 1024, "$.credentials.argon2_memory_kib", "CRW-12"),
    ("credentials.argon2_time_cost", 0, "$.credentials.argon2_time_cost", "CRW-12"),
    ("credentials.hasher", "Argon2 id", "$.credentials.hasher", "CRW-12"),
    (
        "credentials.require_change_at_first_login",
        "false",
        "$.credentials.require_change_at_first_login",
        None,
    ),
    ("reports.max_pdfs_per_request", 0, "$.reports.max_pdfs_per_request", "LOG-09"),
    ("enquiries.turnaround_days", 0, "$.enquiries.turnaround_days", "EAR-08"),
    ("enquiries.free_change_hours", -1, "$.enquiries.free_change_hours", "EAR-14"),
    ("enquiries.appeal_stage2_within_days", 0, "$.enquiries.appeal_stage2_within_days", "EAR-20"),
    ("enquiries.amendment_fee.amount", "-15.00", "$.enquiries.amendment_fee.amount", "EAR-15"),
    ("enquiries.amendment_fee.currency", "gbp", "$.enquiries.amendment_fee.currency", "EAR-15"),
    ("fees.0.price.amount", "lots", "$.fees[0].price.amount", None),
    ("fees.0.service", "2S", "$.fees[3].service", "EAR-15"),
    ("fees.0.service", "7", "$.fees[0].service", "EAR-15"),
    ("services.5.group_min", 0, "$.services[5].group_min", "EAR-01"),
    ("services.5.group_min", 20, "$.services[5].group_max", "EAR-01"),
    ("services.0.group_min", 2, "$.services[0].group_max", "EAR-01"),
    ("services.1.code", "1", "$.services[1].code", None),
    ("services.1.name", " Re-check", "$.services[1].name", None),
    ("series.0.enquiry_deadline", "nope", "$.series[0].enquiry_deadline", None),
    ("series.0.enquiry_deadline", "2023-08-01", "$.series[0].enquiry_deadline", "EAR-07"),
    ("series.0.credential_window_opens", "2023-09-01", "$.series[0].results_release", "CRW-02"),
    ("series.1.series", "2023-06", "$.series[1].series", None),
    ("series.0.services_withdrawn", ["7"], "$.series[0].services_withdrawn[0]", "EAR-21"),
    ("timezone", "Europe/Cambridge", "$.timezone", None),
    ("name", "", "$.name", None),
]


@pytest.mark.parametrize(("path", "value", "field", "rule"), BAD_NUMBERS)
def test_a_bad_policy_number_is_refused_with_its_field_path(
    path: str, value: object, field: str, rule: str | None
) -> None:
    """The issue: policy numbers are validated, raising InvalidValue with the field path."""
    with pytest.raises(InvalidValue) as caught:
        load_policy(_set(dump_policy(international_2023()), path, value))
    assert caught.value.field == field
    assert caught.value.rule == rule


def test_a_paid_service_without_a_fee_is_refused() -> None:
    """EAR-15: each enquiry is charged the policy's fee for its service, so each has one."""
    data = dump_policy(international_2023())
    data["fees"] = [f for f in data["fees"] if f["service"] != "2S"]
    with pytest.raises(InvalidValue, match=r"\$\.fees: service 2S has no fee"):
        load_policy(data)


def test_a_service_added_twice_or_over_a_base_service_is_refused() -> None:
    """EAR-21: added services are new codes."""
    data = dump_policy(example_2026())
    data["series"][0]["services_added"][1]["code"] = "2P"
    with pytest.raises(InvalidValue) as caught:
        load_policy(data)
    assert caught.value.field == "$.series[0].services_added[1].code"
    data["series"][0]["services_added"][1]["code"] = "2"
    with pytest.raises(InvalidValue, match="already exists"):
        load_policy(data)


def test_direct_construction_names_the_field_too() -> None:
    """Policies built in code get the same checks as loaded ones."""
    with pytest.raises(InvalidValue) as caught:
        LoginPolicy(lockout_threshold=0)
    assert caught.value.field == "login.lockout_threshold"
    with pytest.raises(InvalidValue, match=r"credentials\.argon2_memory_kib.*OWASP"):
        CredentialPolicy(argon2_memory_kib=4096, argon2_time_cost=2)
    assert CredentialPolicy(argon2_memory_kib=7168, argon2_time_cost=5).argon2_time_cost == 5
    with pytest.raises(InvalidValue, match=r"policy\.series: must be a tuple"):
        Policy(**{**_fields(international_2023()), "series": []})


def _fields(policy: Policy) -> dict[str, Any]:
    return {a.name: getattr(policy, a.name) for a in attrs.fields(Policy) if a.init}


def test_a_policy_loads_from_a_json_file_and_a_broken_file_is_a_policy_error(
    tmp_path: Path,
) -> None:
    """A board loads next year's policy from a file, without code changes."""
    good = tmp_path / "policy.json"
    good.write_text(json.dumps(dump_policy(example_2026())), encoding="utf-8")
    assert load_policy(good) == example_2026()
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(PolicyError, match="cannot read policy file"):
        load_policy(broken)
    with pytest.raises(PolicyError, match="cannot read policy file"):
        load_policy(tmp_path / "missing.json")


@pytest.mark.parametrize("shipped", [international_2023, example_2026])
def test_shipped_policies_round_trip_exactly(shipped: Any) -> None:
    """load(dump(p)) == p, and dumping again gives the same JSON."""
    policy = shipped()
    data = dump_policy(policy)
    assert load_policy(data) == policy
    assert dump_policy(load_policy(json.loads(json.dumps(data)))) == data


@settings(max_examples=40, deadline=None)
@given(crst.policies())
def test_every_drawn_policy_round_trips_exactly_through_json(policy: Policy) -> None:
    """The issue: property test of the policy round trip."""
    data = dump_policy(policy)
    text = json.dumps(data)
    assert load_policy(json.loads(text)) == policy
    assert json.dumps(dump_policy(load_policy(json.loads(text)))) == text
