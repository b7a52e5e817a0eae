"""The letter as a person reads it: names read back, password, wording, time zone (CRW-09, CRW-12).

Text is read back the two ways people's tools read it: pypdf (copy, search,
our own tests) and poppler's ``pdftotext`` (most desktop viewers and screen
readers work from the same text model).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata
from collections.abc import Callable

import pendulum
import pytest
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from cambridge_results.credentials import (
    ALPHABET,
    MIN_PASSWORD_LENGTH,
    new_password,
    password_bits,
    readable_groups,
)
from cambridge_results.policy import CredentialPolicy
from cambridge_results.rendering import FontFace, LetterData
from cambridge_results.rendering.fonts import MONO_BOLD
from cambridge_results.rendering.fpdf_letters import FpdfLetterRenderer, zone_in_words

LetterFactory = Callable[..., LetterData]

#: Names in every script the fonts cover, as typed (logical order).
NAMES = {
    "latin": "Zoë Łukasiewicz-Øster",
    "arabic": "محمد عبد الله",
    "hebrew": "דוד כהן",
    "devanagari": "अनुष्का शर्मा",
    "greek": "Αλέξανδρος Παπαδόπουλος",
}
CJK_NAMES = {"chinese": "王小明", "japanese": "田中 さくら"}

#: pdftotext wraps each right-to-left run it finds in RLE ... PDF marks of its own.
_POPPLER_MARKS = str.maketrans("", "", "\u202b\u202c")


def pypdf_name(pdf: bytes) -> str:
    """The candidate name as pypdf reads it from the letter's only page."""
    (page,) = PdfReader(io.BytesIO(pdf)).pages
    text = page.extract_text()
    (line,) = [line for line in text.splitlines() if line.startswith("Candidate name ")]
    return line.removeprefix("Candidate name ")


def pdftotext_lines(pdf: bytes) -> list[str]:
    """The page's lines as poppler's pdftotext reads them, its own bidi marks removed."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed (apt-get install poppler-utils)")
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return out.stdout.decode("utf-8").translate(_POPPLER_MARKS).splitlines()


def assert_reads_back(pdf: bytes, name: str) -> None:
    """Both extractors give ``name`` exactly, and nothing on the page is a control character."""
    assert pypdf_name(pdf) == name
    lines = pdftotext_lines(pdf)
    assert name in lines
    for line in lines:
        assert not any(unicodedata.category(ch) == "Cc" for ch in line.strip("\x0c")), line


@pytest.mark.parametrize("script", sorted(NAMES))
def test_a_name_in_each_bundled_script_reads_back_in_logical_order(
    renderer: FpdfLetterRenderer,
    letter_factory: LetterFactory,
    created: pendulum.DateTime,
    script: str,
) -> None:
    """CRW-09: pypdf and pdftotext both read the name as typed, with no control characters."""
    name = NAMES[script]
    assert_reads_back(renderer.render([letter_factory("0001", name)], created=created), name)


@pytest.mark.parametrize("script", sorted(CJK_NAMES))
def test_a_cjk_name_reads_back_without_nul_characters(
    cjk_face: FontFace,
    letter_factory: LetterFactory,
    created: pendulum.DateTime,
    script: str,
) -> None:
    """CRW-09: a name drawn with a configured CJK font reads back as typed, no NUL before each."""
    name = CJK_NAMES[script]
    renderer = FpdfLetterRenderer(fallback_fonts=[cjk_face])
    assert_reads_back(renderer.render([letter_factory("0001", name)], created=created), name)


@pytest.mark.parametrize("name", ["عبد-الله محمد", "עמוס-דוד כהן", "ז'אק כהן"])
def test_a_right_to_left_name_with_punctuation_reads_back_with_pypdf(
    renderer: FpdfLetterRenderer,
    letter_factory: LetterFactory,
    created: pendulum.DateTime,
    name: str,
) -> None:
    """CRW-09: hyphens and apostrophes keep their place (pdftotext misplaces a hyphen: poppler's
    own limit, docs/website.md)."""
    assert pypdf_name(renderer.render([letter_factory("0001", name)], created=created)) == name


def _words(alphabet: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    word = st.text(alphabet=alphabet, min_size=2, max_size=8)
    return st.lists(word, min_size=1, max_size=3).map(" ".join)


def _letters(first: int, last: int) -> st.SearchStrategy[str]:
    return st.sampled_from(
        [chr(c) for c in range(first, last + 1) if unicodedata.category(chr(c)) == "Lo"]
    )


#: Names drawn from each script's letters (with its combining signs where the script has them).
SCRIPTS = {
    "latin": _words(st.sampled_from("abcdefghijklmnopqrstuvwxyzÀÉÎÕÜçñøłšžß")),
    "arabic": _words(_letters(0x0621, 0x064A)),
    "hebrew": _words(_letters(0x05D0, 0x05EA)),
    "devanagari": _words(
        st.one_of(_letters(0x0915, 0x0939), st.sampled_from("\u093e\u093f\u0940\u0941\u094d"))
    ).filter(lambda s: all(unicodedata.category(w[0]) == "Lo" for w in s.split(" "))),
}


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_any_name_in_a_bundled_script_reads_back_as_typed(
    renderer: FpdfLetterRenderer,
    letter_factory: LetterFactory,
    created: pendulum.DateTime,
    script: str,
) -> None:
    """CRW-09: random names of each script read back exactly, by pypdf and by pdftotext."""

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(name=SCRIPTS[script])
    def check(name: str) -> None:
        pdf = renderer.render([letter_factory("0001", name)], created=created)
        assert_reads_back(pdf, name)

    check()


def test_random_cjk_names_read_back_as_typed(
    cjk_face: FontFace, letter_factory: LetterFactory, created: pendulum.DateTime
) -> None:
    """CRW-09: random Han and kana names read back exactly, by pypdf and by pdftotext."""
    renderer = FpdfLetterRenderer(fallback_fonts=[cjk_face])
    han_kana = st.one_of(_letters(0x4E00, 0x4FFF), _letters(0x3041, 0x3093))

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(name=_words(han_kana))
    def check(name: str) -> None:
        assert_reads_back(renderer.render([letter_factory("0001", name)], created=created), name)

    check()


def test_a_long_shaped_name_wraps_and_still_reads_back_in_order(
    renderer: FpdfLetterRenderer, letter_factory: LetterFactory, created: pendulum.DateTime
) -> None:
    """CRW-09: a 100-character Arabic name wraps inside its column; its words keep their order."""
    words = ["محمد", "عبد", "الله", "الحسيني"] * 6
    name = " ".join(words)[:100].strip()
    pdf = renderer.render([letter_factory("0001", name)], created=created)
    (page,) = PdfReader(io.BytesIO(pdf)).pages
    text = page.extract_text()
    start = text.index("Candidate name ") + len("Candidate name ")
    assert " ".join(text[start : text.index("Candidate number")].split()) == name


# -- the password and username -------------------------------------------------


def test_the_password_is_printed_in_groups_of_four_in_the_monospaced_face(
    renderer: FpdfLetterRenderer, letter_factory: LetterFactory, created: pendulum.DateTime
) -> None:
    """CRW-12: 12 characters print as three groups of four, set in Noto Sans Mono bold."""
    pdf = renderer.render(
        [letter_factory("0001", "Ann Lee", password="vwrnm2345kpq")], created=created
    )
    (page,) = PdfReader(io.BytesIO(pdf)).pages
    assert "Password vwrn m234 5kpq\n" in page.extract_text()
    seen: list[str] = []

    def visitor(text: str, cm: object, tm: object, font: object, size: object) -> None:
        if text.strip() and font is not None:
            base = str(font["/BaseFont"])  # type: ignore[index]
            seen.append(f"{text.strip()}|{base.split('+')[-1]}")

    page.extract_text(visitor_text=visitor)
    assert "vwrn m234 5kpq|NotoSansMonoBold" in seen


def test_the_monospaced_face_gives_every_alphabet_character_its_own_glyph_and_one_width() -> None:
    """CRW-12: in the shipped face no two alphabet characters share a glyph, all share a width."""
    font = TTFont(MONO_BOLD.path)
    cmap = font.getBestCmap()
    glyphs = [cmap[ord(ch)] for ch in ALPHABET]
    assert len(set(glyphs)) == len(ALPHABET)
    assert len({font["hmtx"][g][0] for g in glyphs}) == 1


@settings(max_examples=50)
@given(length=st.integers(min_value=MIN_PASSWORD_LENGTH, max_value=64))
def test_readable_groups_only_add_spaces_and_keep_groups_of_three_or_four(length: int) -> None:
    """CRW-12: grouping never changes the password and leaves no straggling group."""
    password = new_password(length).reveal()
    grouped = readable_groups(password)
    assert grouped.replace(" ", "") == password
    assert {len(group) for group in grouped.split(" ")} <= {3, 4}


def test_the_policy_length_is_honoured_and_keeps_at_least_59_bits() -> None:
    """CRW-12: the default policy's 12 characters of the alphabet carry at least 59 bits."""
    policy = CredentialPolicy()
    assert len(new_password(policy.password_length).reveal()) == policy.password_length
    assert password_bits(policy.password_length) >= 59
    assert ALPHABET.lower() == ALPHABET


# -- wording ---------------------------------------------------------------------


def test_the_letter_says_to_type_the_password_as_printed_not_that_case_matters(
    renderer: FpdfLetterRenderer, letter_factory: LetterFactory, created: pendulum.DateTime
) -> None:
    """CRW-09, CRW-12: no "case sensitive" beside a lower-case password; the spaces explained."""
    (page,) = PdfReader(
        io.BytesIO(renderer.render([letter_factory("0001", "Ann Lee")], created=created))
    ).pages
    flat = " ".join(page.extract_text().split())
    assert "case sensitive" not in flat
    assert "Type the password as printed: the spaces only make it easier to read." in flat


@pytest.mark.parametrize(
    ("zone", "words"),
    [
        ("Europe/London", "UK time"),
        ("Asia/Kolkata", "India time"),
        ("Asia/Tokyo", "Tokyo time"),
        ("America/Argentina/Buenos_Aires", "Buenos Aires time"),
        ("UTC", "UTC"),
        ("Etc/GMT+5", "UTC-05:00"),
        ("Etc/GMT-5", "UTC+05:00"),
    ],
)
def test_time_zones_are_named_in_words(zone: str, words: str) -> None:
    """CRW-09: a table of everyday names, else the zone's city, else the offset from UTC."""
    assert zone_in_words(zone, pendulum.datetime(2026, 8, 13, tz="UTC")) == words


def test_the_release_time_is_given_in_the_policys_zone_in_words(
    renderer: FpdfLetterRenderer, letter_factory: LetterFactory, created: pendulum.DateTime
) -> None:
    """CRW-09: 06:00 UTC on 13 August 2026 is 11:30 in Kolkata, said as India time."""
    letter = letter_factory("0001", "Ann Lee", timezone="Asia/Kolkata")
    (page,) = PdfReader(io.BytesIO(renderer.render([letter], created=created))).pages
    assert "From Thursday 13 August 2026 at 11:30, India time\n" in page.extract_text()
    assert "Asia/Kolkata" not in page.extract_text()


def test_a_password_outside_ascii_falls_back_to_the_regular_bold_face(
    renderer: FpdfLetterRenderer, letter_factory: LetterFactory, created: pendulum.DateTime
) -> None:
    """CRW-09: a hand-set password the monospaced face cannot draw still prints, readably."""
    letter = letter_factory("0001", "Ann Lee", password="zoë2345efghk")
    (page,) = PdfReader(io.BytesIO(renderer.render([letter], created=created))).pages
    assert "Password zoë2 345e fghk\n" in page.extract_text()


_PUNCTUATION = st.sampled_from(["-", "'", ".", ",", " ", "\u200d"])


@settings(max_examples=60, deadline=None)
@given(
    name=st.sampled_from(sorted(SCRIPTS))
    .flatmap(
        lambda script: st.lists(st.one_of(SCRIPTS[script], _PUNCTUATION), min_size=2, max_size=5)
    )
    .map(lambda parts: "".join(parts).strip() or "x")
)
@example(name="ז'אק כהן")
@example(name="محمد' علي")
def test_no_typed_character_is_drawn_as_a_missing_glyph_box(name: str) -> None:
    """SPEC 5: punctuation in a run whose font lacks it (Hebrew has no apostrophe) gets a font
    that has it, so no .notdef box is painted."""
    renderer = FpdfLetterRenderer()
    line = renderer.typesetter.shape(name, 12)
    assert all(gid != 0 for _, gid, _, _ in line.glyphs)
