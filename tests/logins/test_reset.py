"""Forgotten passwords: tokens, single use, one hour, no enumeration, outboxes (LOG-05)."""

from __future__ import annotations

import email
import email.policy
import pickle
import re
import socket
import threading

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from logins_support import PASSWORD, USERNAME, LoginWorld, TinySmtpServer, make_world

from cambridge_results.errors import InvalidValue, LoginRefused
from cambridge_results.logins.memory import InMemoryResetTokens
from cambridge_results.logins.outbox import InMemoryOutbox, OutboxError, OutgoingEmail, SmtpOutbox
from cambridge_results.logins.reset import RESET_REQUESTED_MESSAGE, PasswordResets
from cambridge_results.logins.tokens import ResetToken, new_reset_token, token_digest
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


def resets_for(
    world: LoginWorld, outbox: object | None = None, tokens: InMemoryResetTokens | None = None
) -> PasswordResets:
    """A reset service over the world's in-memory ports."""
    return PasswordResets(
        accounts=world.accounts,
        accounts_by_id=world.accounts,
        passwords=world.accounts,
        tokens=tokens if tokens is not None else InMemoryResetTokens(),
        outbox=outbox if outbox is not None else InMemoryOutbox(),  # type: ignore[arg-type]
        hasher=world.hasher,
        policy=world.policy.login,
        clock=world.clock,
        link=lambda t: f"https://results.example.org/reset?token={t}",
        lockout=world.lockout,
    )


def link_token(message: OutgoingEmail) -> str:
    """The token in a reset email's link."""
    match = re.search(r"token=([A-Za-z0-9_-]+)", message.body)
    assert match is not None
    return match.group(1)


@pytest.fixture
def outbox() -> InMemoryOutbox:
    """An empty in-memory outbox."""
    return InMemoryOutbox()


def test_a_reset_link_sets_a_new_password_and_the_old_one_stops_working(
    world: LoginWorld, outbox: InMemoryOutbox
) -> None:
    """LOG-05: request, follow the link, log in with the new password only."""
    resets = resets_for(world, outbox)
    assert resets.request(USERNAME) == RESET_REQUESTED_MESSAGE
    (sent,) = outbox.to(KEY)
    assert resets.complete(link_token(sent), NEW_PASSWORD).allowed
    assert world.log_in(USERNAME, NEW_PASSWORD).ok
    assert not world.log_in(USERNAME, PASSWORD).ok


def test_the_answer_is_the_same_whether_or_not_the_account_exists(
    world: LoginWorld, outbox: InMemoryOutbox
) -> None:
    """LOG-05: known, unknown and malformed identifiers get the very same answer."""
    resets = resets_for(world, outbox)
    answers = {resets.request(x) for x in (USERNAME, "nobody@example.org", "", "\x00", 7)}
    assert answers == {RESET_REQUESTED_MESSAGE}
    assert len(outbox.messages) == 1


def test_nothing_sent_ever_holds_a_password(world: LoginWorld, outbox: InMemoryOutbox) -> None:
    """LOG-05: neither the reset email nor the change notice contains the old or new password."""
    resets = resets_for(world, outbox)
    resets.request(USERNAME)
    resets.complete(link_token(outbox.messages[0]), NEW_PASSWORD)
    assert len(outbox.messages) == 2
    for message in outbox.messages:
        assert PASSWORD not in message.body
        assert NEW_PASSWORD not in message.body


def test_the_user_is_told_after_a_reset(world: LoginWorld, outbox: InMemoryOutbox) -> None:
    """LOG-05, ASVS 6.3.6: a notice goes to the account's email once the password changed."""
    resets = resets_for(world, outbox)
    resets.request(USERNAME)
    resets.complete(link_token(outbox.messages[0]), NEW_PASSWORD)
    notice = outbox.messages[-1]
    assert notice.to == USERNAME
    assert "was changed" in notice.subject
    assert "token=" not in notice.body


def test_a_token_works_once(world: LoginWorld, outbox: InMemoryOutbox) -> None:
    """LOG-05: the second use of a link is refused."""
    resets = resets_for(world, outbox)
    resets.request(USERNAME)
    token = link_token(outbox.messages[0])
    assert resets.complete(token, NEW_PASSWORD).allowed
    assert resets.complete(token, NEW_PASSWORD + "x").codes == ("LOG-05.token-used",)


def test_a_token_is_valid_for_exactly_one_hour(world: LoginWorld, outbox: InMemoryOutbox) -> None:
    """LOG-05: usable at 59:59, refused at 60:00 (half-open)."""
    resets = resets_for(world, outbox)
    resets.request(USERNAME)
    token = link_token(outbox.messages[0])
    world.clock.advance(minutes=60)
    assert resets.complete(token, NEW_PASSWORD).codes == ("LOG-05.token-expired",)
    world.clock.advance(seconds=-1)
    assert resets.complete(token, NEW_PASSWORD).allowed


def test_a_new_request_voids_every_earlier_token(world: LoginWorld, outbox: InMemoryOutbox) -> None:
    """LOG-05: only the latest link works."""
    resets = resets_for(world, outbox)
    resets.request(USERNAME)
    resets.request(USERNAME)
    first, second = (link_token(m) for m in outbox.messages)
    assert resets.complete(first, NEW_PASSWORD).codes == ("LOG-05.token-void",)
    assert resets.complete(second, NEW_PASSWORD).allowed


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


def test_a_password_changed_elsewhere_voids_the_accounts_links(
    world: LoginWorld, outbox: InMemoryOutbox
) -> None:
    """LOG-05: void_account (e.g. after credentials are regenerated) kills open links."""
    tokens = InMemoryResetTokens()
    resets = resets_for(world, outbox, tokens)
    resets.request(USERNAME)
    account = world.accounts.find_account(KEY)
    assert account is not None
    tokens.void_account(account.account_id, world.clock.now())
    token = link_token(outbox.messages[0])
    assert resets.complete(token, NEW_PASSWORD).codes == ("LOG-05.token-void",)


def test_a_rejected_new_password_does_not_burn_the_link(
    world: LoginWorld, outbox: InMemoryOutbox
) -> None:
    """LOG-05: every reason is reported and the link still works afterwards."""
    resets = resets_for(world, outbox)
    resets.request(USERNAME)
    token = link_token(outbox.messages[0])
    refused = resets.complete(token, "short")
    assert refused.codes == ("LOG-05.password-too-short",)
    refused = resets.complete(token, "officer-cambridge-1234")
    assert "LOG-05.password-context-word" in refused.codes
    assert resets.complete(token, NEW_PASSWORD).allowed


@pytest.mark.parametrize("token", ["", "x" * 10_000, 12, "not-a-real-token-at-all"])
def test_bad_or_unknown_tokens_are_refused_alike(world: LoginWorld, token: object) -> None:
    """LOG-05: a malformed or unknown token gets the invalid-link answer."""
    assert resets_for(world).complete(token, NEW_PASSWORD).codes == ("LOG-05.token-unknown",)


def test_a_reset_clears_the_lockout(world: LoginWorld, outbox: InMemoryOutbox) -> None:
    """LOG-02, LOG-05: whoever proved control of the email may log in at once."""
    for _ in range(3):
        world.log_in(USERNAME, "wrong")
    resets = resets_for(world, outbox)
    resets.request(USERNAME)
    resets.complete(link_token(outbox.messages[0]), NEW_PASSWORD)
    assert world.log_in(USERNAME, NEW_PASSWORD).ok


def test_two_simultaneous_uses_of_one_token_let_exactly_one_through() -> None:
    """LOG-05: redeem is atomic: of 20 racing redemptions exactly one is allowed."""
    tokens = InMemoryResetTokens()
    record, _ = issue_token(account_id="a", digest=DIGEST, now=T0, policy=LoginPolicy())
    tokens.issue(record, T0)
    barrier = threading.Barrier(20)
    allowed = []

    def go() -> None:
        barrier.wait()
        allowed.append(tokens.redeem(DIGEST, T0.add(minutes=1)).allowed)

    threads = [threading.Thread(target=go) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert allowed.count(True) == 1


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


def test_only_the_digest_is_stored(world: LoginWorld, outbox: InMemoryOutbox) -> None:
    """LOG-05: the store keeps the SHA-256 digest of the token, never the token."""
    tokens = InMemoryResetTokens()
    resets = resets_for(world, outbox, tokens)
    resets.request(USERNAME)
    token = link_token(outbox.messages[0])
    (record,) = tokens.records()
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
        outbox = SmtpOutbox(
            host="127.0.0.1", port=server.port, sender="results@board.example", starttls=False
        )
        resets = resets_for(world, outbox)
        resets.request(USERNAME)
        body = email.message_from_bytes(server.received[0], policy=email.policy.default)
        token = re.search(r"token=([A-Za-z0-9_-]+)", body.get_content())
        assert token is not None
        assert resets.complete(token.group(1), NEW_PASSWORD).allowed
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
    world: LoginWorld,
) -> None:
    """LOG-05: a delivery failure is logged, and the requester still gets the same answer."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket closes
    outbox = SmtpOutbox(host="127.0.0.1", port=port, sender="r@board.example", starttls=False)
    with pytest.raises(OutboxError):
        outbox.send(OutgoingEmail(to="a@example.org", subject="s", body="b"))
    assert resets_for(world, outbox).request(USERNAME) == RESET_REQUESTED_MESSAGE


def test_an_email_repr_never_shows_its_body() -> None:
    """SPEC section 5: a reset email's repr shows the recipient and subject only."""
    message = OutgoingEmail(to="a@example.org", subject="s", body="token=SECRET")
    assert "SECRET" not in repr(message)
