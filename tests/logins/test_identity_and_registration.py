"""One identity across sites (LOG-04), candidate registration (LOG-06), chosen passwords."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from logins_support import PASSWORD, STAFF, LoginWorld, make_world

from cambridge_results.errors import InvalidValue
from cambridge_results.logins import (
    AttemptOutcome,
    CandidateRegistrationRequest,
    CandidateRegistrationResult,
    IdentityRecord,
    IdentityRegistrationRequest,
    IdentityResult,
    LetterRecord,
    lockout_key,
)
from cambridge_results.policy import LoginPolicy
from cambridge_results.rules.logins.login import (
    GENERIC_MESSAGE,
    IdentityAction,
    plan_identity_registration,
)
from cambridge_results.rules.logins.passwords import check_chosen_password
from cambridge_results.rules.logins.registration import check_candidate_registration

EMAIL = "Teacher@School.example"
GOOD_NEW = "plum orchard lantern 77"


def identity_world() -> LoginWorld:
    """``Logins`` with one identity on 'cambridge-english-online', password PASSWORD."""
    w = make_world()
    record = IdentityRecord(
        email=EMAIL.lower(),
        password_hash=w.hasher.inner.hash(PASSWORD),
        sites=frozenset({"cambridge-english-online"}),
    )
    w.write(lambda r: r.identities.put(record))
    return w


def register(w: LoginWorld, email: str, password: str, site: str) -> IdentityResult:
    """Register ``email`` on ``site`` through ``Logins``."""
    return w.logins.register_identity(
        IdentityRegistrationRequest(email=email, password=password, site=site)
    )


def identity(w: LoginWorld, email: str) -> IdentityRecord | None:
    """The stored identity of a normalised email."""
    return w.read(lambda r: r.identities.find(email))


def test_an_existing_identity_with_another_password_gets_incorrect_login_details() -> None:
    """LOG-04: a different password on another site fails with 'Incorrect Login Details'."""
    w = identity_world()
    result = register(w, EMAIL, GOOD_NEW, "preparation-centres")
    assert result.decision.codes == ("LOG-04.incorrect-login-details",)
    assert result.decision.reasons[0].message == GENERIC_MESSAGE
    assert result.action is None
    stored = identity(w, EMAIL.lower())
    assert stored is not None
    assert stored.sites == frozenset({"cambridge-english-online"})


def test_an_existing_identity_with_its_own_password_is_added_to_the_site() -> None:
    """LOG-04: the same password registers the identity on the new site, case aside."""
    w = identity_world()
    result = register(w, EMAIL.upper(), PASSWORD, "preparation-centres")
    assert result.decision.allowed
    assert result.action is IdentityAction.ADD_SITE
    assert result.password_hash is None
    stored = identity(w, EMAIL.lower())
    assert stored is not None
    assert stored.sites == frozenset({"cambridge-english-online", "preparation-centres"})
    assert w.hasher.inner.verify(stored.password_hash, PASSWORD)


def test_registering_again_on_the_same_site_changes_nothing() -> None:
    """LOG-04: the identity is already on this site: nothing to do."""
    w = identity_world()
    before = identity(w, EMAIL.lower())
    result = register(w, EMAIL, PASSWORD, "cambridge-english-online")
    assert result.action is IdentityAction.NOTHING
    assert identity(w, EMAIL.lower()) == before


def test_a_new_identity_is_created_with_a_hash_of_its_password() -> None:
    """LOG-04: an unknown email creates an identity, stored with a hash of its password."""
    w = identity_world()
    result = register(w, "new@school.example", GOOD_NEW, "preparation-centres")
    assert result.action is IdentityAction.CREATE
    assert result.password_hash is not None
    assert w.hasher.inner.verify(result.password_hash, GOOD_NEW)
    assert "password_hash" not in repr(result)
    stored = identity(w, "new@school.example")
    assert stored is not None
    assert stored.password_hash == result.password_hash
    assert stored.sites == frozenset({"preparation-centres"})


def test_a_new_identity_needs_an_acceptable_password() -> None:
    """LOG-04, ASVS 6.2.1: a short password for a new identity is refused with reasons."""
    w = identity_world()
    result = register(w, "new@school.example", "short", "preparation-centres")
    assert result.decision.codes == ("LOG-04.password-too-short",)
    assert identity(w, "new@school.example") is None


def test_wrong_passwords_at_registration_count_towards_the_lockout() -> None:
    """LOG-02, LOG-04: registration is no way round the lockout."""
    w = identity_world()
    for _ in range(3):
        register(w, EMAIL, GOOD_NEW, "preparation-centres")
    before = w.hasher.verifies
    locked = register(w, EMAIL, PASSWORD, "preparation-centres")
    assert locked.decision.codes == ("LOG-02.locked",)
    assert w.hasher.verifies == before
    last = w.attempts()[-1]
    assert last.flow == "identity-registration"
    assert last.outcome is AttemptOutcome.LOCKED


def test_a_bad_email_or_site_is_refused() -> None:
    """LOG-04: an email must be an address (refused); a site a short lower-case name
    (InvalidValue: the site comes from the calling application, not the form)."""
    w = identity_world()
    assert register(w, "not an email", GOOD_NEW, "x").decision.codes == ("LOG-04.email-invalid",)
    with pytest.raises(InvalidValue, match="site"):
        IdentityRegistrationRequest(email=EMAIL, password=GOOD_NEW, site="Bad Site!")


@given(
    sites=st.frozensets(st.sampled_from(["a", "b", "c"]), max_size=3) | st.none(),
    site=st.sampled_from(["a", "b", "c"]),
    matches=st.booleans(),
)
def test_the_identity_plan_allows_only_new_identities_or_the_same_password(
    sites: frozenset[str] | None, site: str, matches: bool
) -> None:
    """LOG-04: refused exactly when a known identity is given another password."""
    plan = plan_identity_registration(
        site=site, registered_sites=sites, password_matches=None if sites is None else matches
    )
    assert plan.decision.allowed == (sites is None or matches)
    if sites is not None and matches:
        expected = IdentityAction.NOTHING if site in sites else IdentityAction.ADD_SITE
        assert plan.action is expected


def test_the_identity_plan_refuses_inconsistent_arguments() -> None:
    """LOG-04: a new identity has nothing to match; a known one must say whether it matched."""
    with pytest.raises(InvalidValue):
        plan_identity_registration(site="a", registered_sites=None, password_matches=True)
    with pytest.raises(InvalidValue):
        plan_identity_registration(site="a", registered_sites=frozenset(), password_matches=None)


SECRET = "482913"


def registration_world() -> LoginWorld:
    """``Logins`` with one letter, ID C1234567 and a six-digit Secret Number."""
    w = make_world()
    w.logins.add_letter(
        STAFF, LetterRecord(candidate_id="C1234567", secret_hash=w.hasher.inner.hash(SECRET))
    )
    return w


def register_candidate(
    w: LoginWorld,
    *,
    candidate_id: str = "C1234567",
    secret_number: str = SECRET,
    email: str = "k@m.example",
    password: str = GOOD_NEW,
) -> CandidateRegistrationResult:
    """Register a candidate through ``Logins``."""
    return w.logins.register_candidate(
        CandidateRegistrationRequest(
            candidate_id=candidate_id, secret_number=secret_number, email=email, password=password
        )
    )


def test_a_candidate_registers_with_id_secret_email_and_password() -> None:
    """LOG-06: the right ID and Secret Number register; the account keeps a hash of the
    password, and the letter is used."""
    w = registration_world()
    result = register_candidate(w, candidate_id="c1234567", email="Kim@Mail.example")
    assert result.decision.allowed
    assert result.candidate_id == "C1234567"
    account = result.account
    assert account is not None
    assert account.email == account.username == "kim@mail.example"
    assert account.candidate_id == "C1234567"
    assert w.hasher.inner.verify(account.password_hash, GOOD_NEW)
    assert w.read(lambda r: r.accounts.find("kim@mail.example")) == account
    letter = w.read(lambda r: r.letters.find("C1234567"))
    assert letter is not None
    assert letter.registered
    assert w.log_in("kim@mail.example", GOOD_NEW).ok


def test_a_wrong_secret_number_and_an_unknown_id_look_alike() -> None:
    """LOG-06: same answer, same hasher work, whether the ID exists or not."""
    w = registration_world()
    wrong = register_candidate(w, secret_number="000000")
    after_wrong = w.hasher.verifies
    unknown = register_candidate(w, candidate_id="Z9999999", secret_number="000000")
    assert wrong.decision == unknown.decision
    assert wrong.decision.codes == ("LOG-06.incorrect-registration-details",)
    assert w.hasher.verifies - after_wrong == after_wrong == 1
    assert wrong.account is unknown.account is None


def test_three_wrong_secret_numbers_lock_the_id() -> None:
    """LOG-02, LOG-06: the Secret Number cannot be searched: the ID locks after 3 misses."""
    w = registration_world()
    for guess in ("000001", "000002", "000003"):
        register_candidate(w, secret_number=guess)
    result = register_candidate(w)
    assert result.decision.codes == ("LOG-02.locked",)
    assert w.state(lockout_key("C1234567")).failures == 3
    assert result.account is None


def test_a_letter_registers_once() -> None:
    """LOG-06: a used letter says so (only to whoever holds its Secret Number)."""
    w = registration_world()
    w.logins.add_letter(
        STAFF,
        LetterRecord(
            candidate_id="C1234567", secret_hash=w.hasher.inner.hash(SECRET), registered=True
        ),
    )
    result = register_candidate(w)
    assert result.decision.codes == ("LOG-06.already-registered",)
    assert w.read(lambda r: r.accounts.find("k@m.example")) is None


def test_a_form_with_several_problems_reports_them_all_and_costs_nothing() -> None:
    """LOG-06: every problem at once; the hasher and the lockout are not touched."""
    w = registration_world()
    result = register_candidate(
        w, candidate_id="C-1", secret_number="12ab", email="nope", password="short"
    )
    assert result.decision.codes == (
        "LOG-06.candidate-id-invalid",
        "LOG-06.secret-number-invalid",
        "LOG-06.email-invalid",
        "LOG-06.password-too-short",
    )
    assert w.hasher.verifies == 0
    assert w.attempts() == ()


@pytest.mark.parametrize("field", ["candidate_id", "secret_number", "email", "password"])
def test_a_registration_form_value_that_is_not_text_is_an_invalid_value(field: str) -> None:
    """LOG-06: a non-text form value is the caller's mistake: InvalidValue naming the field."""
    values: dict[str, object] = {
        "candidate_id": "C1234567",
        "secret_number": SECRET,
        "email": "k@m.example",
        "password": GOOD_NEW,
        field: 5,
    }
    with pytest.raises(InvalidValue, match=field) as raised:
        CandidateRegistrationRequest(**values)  # type: ignore[arg-type]
    assert SECRET not in str(raised.value)
    assert GOOD_NEW not in str(raised.value)


def test_registration_reasons_never_repeat_the_secrets() -> None:
    """SPEC section 5: no reason text holds the password or the Secret Number."""
    decision = check_candidate_registration(
        candidate_id="C1234567",
        secret_number="12x4",
        email="kim@mail.example",
        password="kim-C1234567-x",
        policy=LoginPolicy(),
    )
    assert "LOG-06.password-context-word" in decision.codes
    for reason in decision.reasons:
        assert "12x4" not in reason.message
        assert "kim-C1234567-x" not in reason.message


@pytest.mark.parametrize(
    ("password", "codes"),
    [
        ("fifteen chars!!", ()),
        ("fourteen chars", ("LOG-06.password-too-short",)),
        ("z" * 128, ()),
        ("z" * 129, ("LOG-06.password-too-long",)),
        (
            "\u00e9\u00e8\u00ea\u00eb\u00e0\u00e2\u00e4\u00f4\u00f6\u00fb\u00fc\u00e7\u0153\u00e6\u00ff",
            (),
        ),
        ("no digits or capitals at all", ()),
        ("   spaces   around   ", ()),
        ("my cambridge secret 1", ("LOG-06.password-context-word",)),
        ("nul\x00inside the passphrase", ("LOG-06.password-invalid-character",)),
        ("lone \ud800 surrogate here", ("LOG-06.password-invalid-character",)),
        (None, ("LOG-06.password-not-text",)),
    ],
    ids=[
        "15-ok",
        "14-short",
        "128-ok",
        "129-long",
        "accents-ok",
        "no-composition-rules",
        "spaces-kept",
        "context-word",
        "nul",
        "surrogate",
        "not-text",
    ],
)
def test_chosen_passwords_follow_asvs(password: object, codes: tuple[str, ...]) -> None:
    """ASVS 6.2.1/6.2.5/6.2.9/6.2.11: length 15..128, any composition, no context words."""
    assert check_chosen_password(password, LoginPolicy()).codes == codes


def test_a_denylisted_password_is_refused_whatever_its_case() -> None:
    """ASVS 6.2.4: a password on the caller's list of common passwords is refused."""
    denylist = frozenset({"correcthorsebatterystaple"})
    decision = check_chosen_password("CorrectHorseBatteryStaple", LoginPolicy(), denylist=denylist)
    assert decision.codes == ("LOG-06.password-common",)


def test_no_policy_may_accept_chosen_passwords_under_eight_characters() -> None:
    """ASVS 6.2.1: the floor of 8 characters cannot be lowered by data."""
    with pytest.raises(InvalidValue, match="min_chosen_password_length"):
        LoginPolicy(min_chosen_password_length=7)
    assert check_chosen_password("eight ch", LoginPolicy(min_chosen_password_length=8)).allowed


@settings(max_examples=100)
@given(st.text(min_size=15, max_size=128).filter(lambda t: "\x00" not in t))
def test_any_composition_of_the_right_length_is_accepted(password: str) -> None:
    """ASVS 6.2.5: no character-class rules: only length, NUL, surrogates and words matter."""
    policy = LoginPolicy(context_words=())
    decision = check_chosen_password(password, policy)
    encodable = not any(0xD800 <= ord(c) <= 0xDFFF for c in password)
    assert decision.allowed == encodable
