"""Forgotten passwords: tokens, single use, one hour, no enumeration, outboxes (LOG-05)."""

from __future__ import annotations

import email
import email.policy
import logging
import pickle
import re
import socket
import threading

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from logins_support import PASSWORD, USERNAME, LoginWorld, TinySmtpServer, make_world

from cambridge_results.decisions import Decision
from cambridge_results.errors import InvalidValue, LoginRefused
from cambridge_results.logins import (
    RESET_REQUESTED_MESSAGE,
    Logins,
    PasswordChange,
    PasswordReset,
    PasswordResetRequest,
    ResetToken,
    SmtpOutbox,
    new_reset_token,
)
from cambridge_results.logins.outbox import OutboxError, OutgoingEmail
from cambridge_results.logins.tokens import token_digest
from cambridge_results.policy import LoginPolicy
from cambridge_results.rules.logins.reset import (
    ResetTokenRecord,
    issue_token,
    redeem,
    token_usable,
    void_all,
)

KEY = USERNAME.lower()
NEW_PASSWORD = "a brand new passphrase 42"
T0 = pendulum.datetime(2026, 8, 11, 9, 0, tz="UTC")
DIGEST = "ab" * 32


def smtp_logins(world: LoginWorld, port: int) -> Logins:
    """``Logins`` over the world's context and hasher, sending through SMTP on 127.0.0.1."""
    outbox = SmtpOutbox(host="127.0.0.1", port=port, sender="r@board.example", starttls=False)
    return Logins(
        world.logins.context,
        outbox=outbox,
        hasher=world.hasher,
        reset_link=lambda t: f"https://results.example.org/reset?token={t}",
    )


def test_a_reset_link_sets_a_new_password_and_the_old_one_stops_working(
    world: LoginWorld,
) -> None:
    """LOG-05: request, follow the link, log in with the new password only."""
    assert world.request_reset(USERNAME) == RESET_REQUESTED_MESSAGE
    (sent,) = world.outbox.to(KEY)
    assert world.reset(world.token(), NEW_PASSWORD).allowed
    assert sent.subject.startswith("Set a new password")
    assert world.log_in(USERNAME, NEW_PASSWORD).ok
    assert not world.log_in(USERNAME, PASSWORD).ok


@pytest.mark.parametrize("identifier", [USERNAME, "nobody@example.org", "", "\x00", "x" * 5000])
def test_the_answer_is_the_same_whether_or_not_the_account_exists(
    world: LoginWorld, identifier: str
) -> None:
    """LOG-05: known, unknown and malformed identifiers get the very same answer."""
    assert world.request_reset(identifier) == RESET_REQUESTED_MESSAGE
    assert len(world.outbox.messages) == (1 if identifier == USERNAME else 0)


def test_a_reset_request_that_is_not_text_is_an_invalid_value(world: LoginWorld) -> None:
    """LOG-05: a non-text identifier is the caller's mistake, refused before any work."""
    with pytest.raises(InvalidValue, match="identifier"):
        PasswordResetRequest(identifier=7)  # type: ignore[arg-type]
    assert world.outbox.messages == ()


def test_logins_without_a_reset_link_refuse_to_send_one(world: LoginWorld) -> None:
    """LOG-05: a reset request needs reset_link=; without it InvalidValue, nothing sent."""
    bare = Logins(world.logins.context, outbox=world.outbox, hasher=world.hasher)
    with pytest.raises(InvalidValue, match="reset_link"):
        bare.request_password_reset(PasswordResetRequest(identifier=USERNAME))
    assert world.outbox.messages == ()
    assert world.read(lambda r: r.reset_tokens.all()) == ()


def test_nothing_sent_ever_holds_a_password(world: LoginWorld) -> None:
    """LOG-05: neither the reset email nor the change notice contains the old or new password."""
    world.request_reset(USERNAME)
    world.reset(world.token(0), NEW_PASSWORD)
    assert len(world.outbox.messages) == 2
    for message in world.outbox.messages:
        assert PASSWORD not in message.body
        assert NEW_PASSWORD not in message.body


def test_the_user_is_told_after_a_reset(world: LoginWorld) -> None:
    """LOG-05, ASVS 6.3.6: a notice goes to the account's email once the password changed."""
    world.request_reset(USERNAME)
    world.reset(world.token(0), NEW_PASSWORD)
    notice = world.outbox.messages[-1]
    assert notice.to == KEY
    assert "was changed" in notice.subject
    assert "token=" not in notice.body


def test_a_token_works_once(world: LoginWorld) -> None:
    """LOG-05: the second use of a link is refused."""
    world.request_reset(USERNAME)
    token = world.token()
    assert world.reset(token, NEW_PASSWORD).allowed
    assert world.reset(token, NEW_PASSWORD + "x").codes == ("LOG-05.token-used",)


def test_a_token_is_valid_for_exactly_one_hour(world: LoginWorld) -> None:
    """LOG-05: usable at 59:59, refused at 60:00 (half-open)."""
    world.request_reset(USERNAME)
    token = world.token()
    world.clock.advance(minutes=60)
    assert world.reset(token, NEW_PASSWORD).codes == ("LOG-05.token-expired",)
    world.clock.advance(seconds=-1)
    assert world.reset(token, NEW_PASSWORD).allowed


def test_a_new_request_voids_every_earlier_token(world: LoginWorld) -> None:
    """LOG-05: only the latest link works; one live token per account."""
    world.request_reset(USERNAME)
    world.request_reset(USERNAME)
    first, second = (world.token(i) for i in range(2))
    live = [r for r in world.read(lambda r: r.reset_tokens.all()) if r.live]
    assert [r.digest for r in live] == [token_digest(second)]
    assert world.reset(first, NEW_PASSWORD).codes == ("LOG-05.token-void",)
    assert world.reset(second, NEW_PASSWORD).allowed


def test_voiding_leaves_used_records_alone_and_voids_live_ones() -> None:
    """LOG-05: void_all marks every live record void at now and keeps used ones as they were."""
    live, _ = issue_token(account_id="a", digest=DIGEST, now=T0, policy=LoginPolicy())
    used = redeem(
        issue_token(account_id="a", digest="cd" * 32, now=T0, policy=LoginPolicy())[0], T0
    )
    later = T0.add(minutes=5)
    voided_live, same_used = void_all((live, used), later)
    assert voided_live.voided_at == later
    assert same_used == used
    assert token_usable(voided_live, later).codes == ("LOG-05.token-void",)


def test_a_password_change_voids_the_accounts_links(world: LoginWorld) -> None:
    """LOG-05: a password changed elsewhere (the signed-in change) kills open links."""
    world.request_reset(USERNAME)
    changed = world.logins.change_password(
        PasswordChange(username=USERNAME, current_password=PASSWORD, new_password=NEW_PASSWORD)
    )
    assert changed.allowed
    assert world.reset(world.token(0), "yet another passphrase 9").codes == ("LOG-05.token-void",)
    assert world.log_in(USERNAME, NEW_PASSWORD).ok


def test_a_rejected_new_password_does_not_burn_the_link(world: LoginWorld) -> None:
    """LOG-05: every reason is reported and the link still works afterwards."""
    world.request_reset(USERNAME)
    token = world.token()
    refused = world.reset(token, "short")
    assert refused.codes == ("LOG-05.password-too-short",)
    refused = world.reset(token, "officer-cambridge-1234")
    assert "LOG-05.password-context-word" in refused.codes
    assert world.reset(token, NEW_PASSWORD).allowed


@pytest.mark.parametrize("token", ["", "x" * 10_000, "not-a-real-token-at-all"])
def test_bad_or_unknown_tokens_are_refused_alike(world: LoginWorld, token: str) -> None:
    """LOG-05: a malformed or unknown token gets the invalid-link answer."""
    assert world.reset(token, NEW_PASSWORD).codes == ("LOG-05.token-unknown",)


def test_a_token_that_is_not_text_is_an_invalid_value(world: LoginWorld) -> None:
    """LOG-05: a non-text token is the caller's mistake: InvalidValue naming no secret."""
    with pytest.raises(InvalidValue, match="token") as raised:
        PasswordReset(token=12, new_password=NEW_PASSWORD)  # type: ignore[arg-type]
    assert NEW_PASSWORD not in str(raised.value)


def test_a_reset_clears_the_lockout(world: LoginWorld) -> None:
    """LOG-02, LOG-05: whoever proved control of the email may log in at once."""
    for _ in range(3):
        world.log_in(USERNAME, "wrong")
    assert world.log_in(USERNAME, PASSWORD).decision.codes == ("LOG-02.locked",)
    world.request_reset(USERNAME)
    assert world.reset(world.token(0), NEW_PASSWORD).allowed
    assert world.log_in(USERNAME, NEW_PASSWORD).ok


def test_twenty_simultaneous_uses_of_one_token_let_exactly_one_through(
    world: LoginWorld,
) -> None:
    """LOG-05: redemption is atomic: of 20 racing resets with one link exactly one is allowed."""
    world.request_reset(USERNAME)
    token = world.token()
    barrier = threading.Barrier(20)
    answers: list[Decision] = []
    lock = threading.Lock()

    def go(n: int) -> None:
        barrier.wait()
        answer = world.reset(token, f"racing new passphrase {n:02d}")
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=go, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [a.allowed for a in answers].count(True) == 1
    assert {c for a in answers if not a.allowed for c in a.codes} == {"LOG-05.token-used"}
    assert len(world.outbox.messages) == 2  # the link, and one change notice


def test_tokens_have_at_least_128_random_bits_and_are_url_safe() -> None:
    """LOG-05: 16 bytes from secrets, URL-safe base64, never repeated."""
    tokens = {new_reset_token(LoginPolicy()).reveal() for _ in range(200)}
    assert len(tokens) == 200
    for text in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{22,}", text)
    with pytest.raises(InvalidValue, match="reset_token_bytes"):
        LoginPolicy(reset_token_bytes=15)


def test_a_token_hides_itself_from_repr_str_and_pickle() -> None:
    """SPEC section 5: the token's text is only given by reveal()."""
    token = new_reset_token(LoginPolicy())
    assert token.reveal() not in repr(token)
    assert token.reveal() not in str(token)
    assert token.reveal() not in f"{token}"
    with pytest.raises(TypeError):
        pickle.dumps(token)
    assert token == ResetToken(token.reveal())
    assert token.digest == token_digest(token.reveal())


def test_only_the_digest_is_stored(world: LoginWorld) -> None:
    """LOG-05: the store keeps the SHA-256 digest of the token, never the token."""
    world.request_reset(USERNAME)
    token = world.token()
    (record,) = world.read(lambda r: r.reset_tokens.all())
    assert record.digest == token_digest(token)
    assert token not in repr(record)
    assert record.digest not in repr(record)


def test_token_records_are_validated() -> None:
    """LOG-05: a record needs a SHA-256 digest and an expiry after its issue."""
    with pytest.raises(InvalidValue, match="digest"):
        ResetTokenRecord(account_id="a", digest="nope", issued_at=T0, expires_at=T0.add(hours=1))
    with pytest.raises(InvalidValue, match="expires_at"):
        ResetTokenRecord(account_id="a", digest=DIGEST, issued_at=T0, expires_at=T0)


def test_redeeming_an_unusable_record_raises_a_login_refusal() -> None:
    """LOG-05: the pure redeem refuses a used record with a typed error."""
    record, _ = issue_token(account_id="a", digest=DIGEST, now=T0, policy=LoginPolicy())
    used = redeem(record, T0)
    with pytest.raises(LoginRefused) as info:
        redeem(used, T0)
    assert info.value.codes == ("LOG-05.token-used",)


@settings(max_examples=100)
@given(
    minutes=st.integers(1, 24 * 60),
    offsets=st.lists(st.integers(-10_000, 200_000), max_size=10),
)
def test_a_token_is_usable_exactly_in_its_window_until_used(
    minutes: int, offsets: list[int]
) -> None:
    """LOG-05: usable iff issued_at <= now < expires_at and unused; after one use, never."""
    policy = LoginPolicy(reset_token_minutes=minutes)
    record, _ = issue_token(account_id="a", digest=DIGEST, now=T0, policy=policy)
    used = False
    for offset in offsets:
        now = T0.add(seconds=offset)
        expected = not used and now < T0.add(minutes=minutes)
        assert token_usable(record, now).allowed == expected
        if expected:
            record, used = redeem(record, now), True


def test_the_smtp_outbox_delivers_to_a_real_local_server() -> None:
    """LOG-05: SmtpOutbox speaks SMTP through smtplib to a server on 127.0.0.1."""
    with TinySmtpServer() as server:
        outbox = SmtpOutbox(
            host="127.0.0.1", port=server.port, sender="results@board.example", starttls=False
        )
        outbox.send(
            OutgoingEmail(to="officer@example.org", subject="Hello", body="Line one\nLine two\n")
        )
    (raw,) = server.received
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["To"] == "officer@example.org"
    assert parsed["From"] == "results@board.example"
    assert parsed["Subject"] == "Hello"
    assert parsed.get_content().replace("\r\n", "\n") == "Line one\nLine two\n"


def test_a_reset_through_smtp_carries_a_working_link() -> None:
    """LOG-05: the whole flow over a real SMTP hop: the link in the email resets the password."""
    world = make_world()
    world.add_account()
    with TinySmtpServer() as server:
        logins = smtp_logins(world, server.port)
        logins.request_password_reset(PasswordResetRequest(identifier=USERNAME))
        body = email.message_from_bytes(server.received[0], policy=email.policy.default)
        token = re.search(r"token=([A-Za-z0-9_-]+)", body.get_content())
        assert token is not None
        done = logins.reset_password(PasswordReset(token=token.group(1), new_password=NEW_PASSWORD))
        assert done.allowed
    assert len(server.received) == 2  # the link, then the change notice
    assert world.log_in(USERNAME, NEW_PASSWORD).ok


def test_the_smtp_outbox_refuses_to_send_in_clear_when_tls_was_asked_for() -> None:
    """LOG-05: a server without STARTTLS gets nothing when starttls is on."""
    with TinySmtpServer() as server:
        outbox = SmtpOutbox(host="127.0.0.1", port=server.port, sender="results@board.example")
        with pytest.raises(OutboxError) as info:
            outbox.send(OutgoingEmail(to="a@example.org", subject="s", body="secret link"))
    assert server.received == []
    assert "secret link" not in str(info.value)


def test_an_unreachable_smtp_server_is_an_outbox_error_and_the_answer_does_not_change(
    world: LoginWorld, caplog: pytest.LogCaptureFixture
) -> None:
    """LOG-05: a delivery failure is logged, and the requester still gets the same answer."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket closes
    outbox = SmtpOutbox(host="127.0.0.1", port=port, sender="r@board.example", starttls=False)
    with pytest.raises(OutboxError):
        outbox.send(OutgoingEmail(to="a@example.org", subject="s", body="b"))
    caplog.set_level(logging.WARNING, logger="cambridge_results.logins")
    assert (
        smtp_logins(world, port).request_password_reset(PasswordResetRequest(identifier=USERNAME))
        == RESET_REQUESTED_MESSAGE
    )
    assert any("not handed over" in r.getMessage() for r in caplog.records)


def test_an_email_repr_never_shows_its_body() -> None:
    """SPEC section 5: a reset email's repr shows the recipient and subject only."""
    message = OutgoingEmail(to="a@example.org", subject="s", body="token=SECRET")
    assert "SECRET" not in repr(message)
