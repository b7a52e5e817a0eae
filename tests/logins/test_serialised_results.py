"""What an app would log or queue as it is: serialised reset emails and login results (issue 14).

An app that passes the library's values through the library's serializer
(:func:`cambridge_results.serialization.unstructure`) must not store a reset
token, nor learn from a failed login whether the username exists.
"""

from __future__ import annotations

import json

from logins_support import PASSWORD, USERNAME, make_world

from cambridge_results.serialization import unstructure

WRONG = "not-the-password-at-all"
#: What would tell an unknown username from a wrong password.
TELLS = ("unknown-username", "wrong-password", "UNKNOWN_USERNAME", "WRONG_PASSWORD")


def test_a_serialised_reset_email_leaves_out_the_body_with_the_token() -> None:
    """unstructure() of the reset email once gave the token in clear; now it has no body."""
    w = make_world()
    w.add_account(USERNAME, PASSWORD)
    w.request_reset(USERNAME)
    (message,) = w.outbox.messages
    token = w.token()
    assert unstructure(message) == {"to": message.to, "subject": message.subject}
    assert token not in json.dumps(unstructure(w.outbox.messages))


def test_a_login_result_an_app_logs_is_the_same_for_unknown_and_wrong() -> None:
    """repr and unstructure of a failed login do not tell an unknown username from a wrong
    password (LOG-01); the attempt record, for the audit log, still does."""
    w = make_world()
    w.add_account(USERNAME, PASSWORD)
    wrong = w.log_in(USERNAME, WRONG)
    w.clock.advance(minutes=1)
    unknown = w.log_in("nobody@example.org", WRONG)
    assert wrong.attempt.outcome.value == "wrong-password"
    assert unknown.attempt.outcome.value == "unknown-username"
    for shown in (repr, lambda r: json.dumps(unstructure(r))):
        for text in (shown(wrong), shown(unknown)):
            for tell in (
                "unknown-username",
                "wrong-password",
                "UNKNOWN_USERNAME",
                "WRONG_PASSWORD",
            ):
                assert tell not in text
    assert unstructure(wrong) == unstructure(unknown)
    assert repr(wrong) == repr(unknown)


def test_a_successful_login_result_serialises_without_any_hash() -> None:
    """The account in a serialised result is what its repr shows: no stored or upgraded hash."""
    w = make_world()
    stored = w.add_account(USERNAME, PASSWORD)
    result = w.log_in(USERNAME, PASSWORD)
    assert result.ok
    data = unstructure(result)
    assert set(data) == {
        "decision",
        "account",
        "candidate",
        "must_change_password",
        "hash_upgraded",
    }
    assert set(data["account"]) == {"account_id", "username", "email", "candidate_id"}
    assert stored.password_hash not in json.dumps(data)
