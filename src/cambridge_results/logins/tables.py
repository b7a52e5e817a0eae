"""The tables the stored login ports keep (LOG-01 to LOG-06): one migration, ``logins``.

Nothing here holds a password, a Secret Number or a reset token: accounts,
identities and letters keep slow salted hashes, reset tokens their SHA-256
digest (docs/security.md).  The uniqueness the rules need is enforced by the
store's own indexes, so two processes can never both win:

* ``login_accounts.username`` is unique.  It holds the *normalised* username
  (email addresses lower-cased, LOG-01), so ``Kim@X.org`` and ``kim@x.org``
  can never be two accounts.
* ``login_reset_tokens`` has at most one *live* token (neither used nor
  voided: ``live`` is true) per account: a partial unique index, so two simultaneous requests
  cannot leave two live links (LOG-05).
* ``login_letters`` and ``login_identities`` are keyed by the normalised ID
  and email.

This module only declares; :mod:`cambridge_results.board.schema` lists
the migration, and :mod:`cambridge_results.logins.repositories` reads and writes.
"""

from __future__ import annotations

from cambridge_results.storage.migrations import AddColumn, CreateTable, Migration
from cambridge_results.storage.schema import Column, Index, Table, UniqueIndex, text_columns

__all__ = [
    "ACCOUNTS",
    "ATTEMPTS",
    "CANDIDATE_LOGIN_MIGRATION",
    "CANDIDATE_PASSWORD_CHOSEN",
    "CREDENTIALS",
    "IDENTITIES",
    "LETTERS",
    "LOCKOUTS",
    "LOGIN_MIGRATION",
    "LOGIN_STEPS",
    "RESET_TOKENS",
]

#: Accounts that can log in (LOG-01): the normalised username, one password hash.
ACCOUNTS = Table(
    "login_accounts",
    (
        *text_columns("account_id", "username", "password_hash"),
        Column("email", "text", nullable=True),
        # The letter ID a candidate registered with (LOG-06), for "forgotten
        # password: enter your candidate ID" (LOG-05); unique when present.
        Column("candidate_id", "text", nullable=True),
    ),
    primary_key="account_id",
    unique=(UniqueIndex(("username",)), UniqueIndex(("candidate_id",))),
)

#: One lockout state per login key (LOG-02); no row means a fresh state.
LOCKOUTS = Table(
    "login_lockouts",
    (
        Column("key", "text"),
        Column("failures", "int"),
        Column("locked_until", "instant", nullable=True),
    ),
    primary_key="key",
)

#: Every login attempt (SPEC section 5, ASVS 16.3.1); append-only, never a secret.
ATTEMPTS = Table(
    "login_attempts",
    (
        Column("seq", "int", auto=True),
        Column("at", "instant"),
        # None when the username itself was malformed (nothing unreadable is kept).
        Column("username", "text", nullable=True),
        Column("outcome", "text"),
        Column("flow", "text"),
    ),
    primary_key="seq",
    indexes=(Index(("username", "at")),),
    append_only=True,
)

#: Reset tokens by SHA-256 digest (LOG-05); at most one live token per account.
RESET_TOKENS = Table(
    "login_reset_tokens",
    (
        Column("digest", "text"),
        Column("account_id", "text"),
        Column("issued_at", "instant"),
        Column("expires_at", "instant"),
        Column("used_at", "instant", nullable=True),
        Column("voided_at", "instant", nullable=True),
        # True while neither used nor voided; kept with the instants in one write
        # (a partial index can test a bool, not an instant).
        Column("live", "bool", default=True),
    ),
    primary_key="digest",
    unique=(UniqueIndex(("account_id",), where={"live": True}, name="uq_login_reset_one_live"),),
    indexes=(Index(("account_id",)),),
)

#: Identities shared by the board's sites (LOG-04): normalised email, one hash.
IDENTITIES = Table(
    "login_identities",
    (
        Column("email", "text"),
        Column("password_hash", "text"),
        Column("sites", "json"),
    ),
    primary_key="email",
)

#: Letters candidates register with (LOG-06): upper-case ID, the Secret Number's hash.
LETTERS = Table(
    "login_letters",
    (
        Column("candidate_id", "text"),
        Column("secret_hash", "text"),
        Column("registered", "bool", default=False),
    ),
    primary_key="candidate_id",
)

#: The steps of the ``logins`` migration, in order.
LOGIN_STEPS = tuple(
    CreateTable(table)
    for table in (ACCOUNTS, LOCKOUTS, ATTEMPTS, RESET_TOKENS, IDENTITIES, LETTERS)
)

#: Migration 2: logins on the store (issue 4).
LOGIN_MIGRATION = Migration(version=2, name="logins", steps=LOGIN_STEPS)

#: The letters' credentials (CRW-12): declared by the website feature
#: (``website.tables.WEBSITE_CREDENTIALS``), read here by name, never imported.
CREDENTIALS = "website_credentials"

#: When the candidate last chose their own password (CRW-12), NULL while the
#: letter's password is the one in use.
CANDIDATE_PASSWORD_CHOSEN = Column("password_chosen_at", "instant", nullable=True)

#: Migration 5: candidates log in with their letter's credential (CRW-14), and a
#: first-login change (CRW-12) is told from a chosen password by this column.
CANDIDATE_LOGIN_MIGRATION = Migration(
    version=5,
    name="candidate-logins",
    steps=(AddColumn(CREDENTIALS, CANDIDATE_PASSWORD_CHOSEN),),
)
