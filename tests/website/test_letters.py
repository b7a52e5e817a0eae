"""Letters: content, scripts, goldens, secrecy and output files (CRW-09, CRW-10, CRW-13)."""

from __future__ import annotations

import difflib
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from cambridge_results.credentials import issue_credential
from cambridge_results.errors import InvalidValue, RenderError
from cambridge_results.hashing import hasher_for
from cambridge_results.policy import CredentialPolicy
from cambridge_results.rendering import (
    FontFace,
    LetterData,
    Progress,
    UnrenderableText,
    write_letters,
)
from cambridge_results.rendering.fpdf_letters import WARNINGS, FpdfLetterRenderer
from cambridge_results.values import ContactDetails, Delay

GOLDEN = Path(__file__).parent / "golden"
LetterFactory = Callable[..., LetterData]


def page_texts(pdf: bytes) -> list[str]:
    """The text of every page, as pypdf reads it back."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def assert_matches_golden(name: str, actual: str) -> None:
    """Compare with a committed golden text; ``UPDATE_GOLDEN=1`` rewrites it."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "\n".join(
            difflib.unified_diff(
                expected.splitlines(),
                actual.splitlines(),
                f"golden/{name}",
                "rendered",
                lineterm="",
            )
        )
        pytest.fail(f"letter text differs from golden/{name}:\n{diff}")


def test_letters_match_the_golden_text(
    renderer: FpdfLetterRenderer, sample_letters: list[LetterData], created: pendulum.DateTime
) -> None:
    """CRW-09: the pinned sample letters read back exactly as the committed golden text."""
    pdf = renderer.render(sample_letters, created=created)
    pages = page_texts(pdf)
    text = "".join(f"=== page {i} ===\n{page}\n" for i, page in enumerate(pages, start=1))
    assert_matches_golden("letters.txt", text)


def test_rendering_is_reproducible_with_pinned_dates(
    renderer: FpdfLetterRenderer, sample_letters: list[LetterData], created: pendulum.DateTime
) -> None:
    """CRW-10: the same letters and creation date give byte-identical PDFs (pinned ID too)."""
    first = renderer.render(sample_letters, created=created)
    assert renderer.render(sample_letters, created=created) == first
    reader = PdfReader(io.BytesIO(first))
    assert reader.trailer["/ID"][0] == reader.trailer["/ID"][1]


def test_every_letter_shows_what_crw_09_lists(
    renderer: FpdfLetterRenderer, letter_factory: LetterFactory, created: pendulum.DateTime
) -> None:
    """CRW-09: name, number, username, password, contact, viewing time with delay, warnings."""
    letter = letter_factory("0713", "Zoë Brown", password="mnpq2345rstu")
    (text,) = page_texts(renderer.render([letter], created=created))
    flat = " ".join(text.split())
    for expected in (
        "Confidential examination results information",
        "Candidate name Zoë Brown",
        "Candidate number 0713",
        "Username k7mq4-xtw9p",
        "Password mnpq 2345 rstu",
        "Ann Lee",
        "Telephone: +44 1223 553554",
        "Email: exams@riverside.example.org",
        "From Thursday 13 August 2026 at 07:00, UK time",
        "This includes a delay of 2 days",
        *(" ".join(w.split()) for w in WARNINGS),
    ):
        assert expected in flat


def test_a_letter_without_a_delay_does_not_mention_one(
    renderer: FpdfLetterRenderer, letter_factory: LetterFactory, created: pendulum.DateTime
) -> None:
    """CRW-05, CRW-09: no delay, no delay sentence; the release time alone is shown."""
    letter = letter_factory("0713", "Zoë Brown", delay=Delay())
    (text,) = page_texts(renderer.render([letter], created=created))
    assert "delay" not in text


def test_the_password_read_back_from_the_pdf_verifies_against_the_stored_hash(
    renderer: FpdfLetterRenderer,
    letter_factory: LetterFactory,
    created: pendulum.DateTime,
    tmp_path: Path,
) -> None:
    """CRW-12, CRW-13: the letter in the zip carries the one plaintext matching the hash."""
    policy = CredentialPolicy(allowed_test_hashers=("test-cheap",))
    hasher = hasher_for(policy, "test-cheap")
    credential = issue_credential(hasher, policy)
    letter = letter_factory(
        "0713", "Zoë Brown", username=credential.username, password=credential.password.reveal()
    )
    zip_path = tmp_path / "letters.zip"
    write_letters([letter], renderer, created=created, zip_file=zip_path)
    with zipfile.ZipFile(zip_path) as archive:
        (text,) = page_texts(archive.read("GB123_2026-06_0713.pdf"))
    username = re.search(r"Username (\S+)", text)
    password = re.search(r"Password ((?:\S+ ?)+)$", text, re.MULTILINE)
    assert username is not None
    assert password is not None
    assert username.group(1) == credential.username
    # Printed in groups for reading; the password is the characters without the spaces.
    assert hasher.verify(credential.password_hash, password.group(1).replace(" ", ""))


def test_no_password_or_name_reaches_metadata_file_names_or_repr(
    renderer: FpdfLetterRenderer,
    letter_factory: LetterFactory,
    created: pendulum.DateTime,
    tmp_path: Path,
) -> None:
    """CRW-13, SPEC 5: metadata, zip entry names and repr hold neither password nor name."""
    secret, name = "wxyz6789wxyz", "Zoë Brown"
    letter = letter_factory("0713", name, password=secret)
    assert secret not in repr(letter)
    written = write_letters(
        [letter],
        renderer,
        created=created,
        combined_pdf=tmp_path / "all.pdf",
        zip_file=tmp_path / "all.zip",
    )
    pdfs = [(tmp_path / "all.pdf").read_bytes()]
    with zipfile.ZipFile(tmp_path / "all.zip") as archive:
        assert archive.namelist() == ["GB123_2026-06_0713.pdf"]
        pdfs.append(archive.read("GB123_2026-06_0713.pdf"))
    for pdf in pdfs:
        metadata = PdfReader(io.BytesIO(pdf)).metadata
        assert metadata is not None
        assert metadata.title == "Confidential examination results information"
        values = " ".join(str(v) for v in metadata.values())
        assert secret not in values
        assert name not in values
        assert metadata.creation_date is not None
        assert metadata.creation_date.year == 2026
    assert written.letter_ids == ("GB123_2026-06_0713",)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["all.pdf", "all.zip"]


def embedded_fonts(pdf: bytes) -> set[str]:
    """The base names of every font the PDF embeds, without subset prefixes."""
    return {
        str(f["/BaseFont"]).split("+")[-1]
        for page in PdfReader(io.BytesIO(pdf)).pages
        for f in page["/Resources"]["/Font"].values()
    }


def test_names_that_need_shaping_are_painted_as_outlines_under_a_text_layer(
    renderer: FpdfLetterRenderer, sample_letters: list[LetterData], created: pendulum.DateTime
) -> None:
    """SPEC 5: Arabic, Devanagari and Hebrew names embed no font; their text is a text layer."""
    latin = renderer.render([sample_letters[0], sample_letters[4]], created=created)
    assert embedded_fonts(latin) == {"NotoSans", "NotoSansBold", "NotoSansMonoBold"}
    for letter in sample_letters[1:4]:
        fonts = embedded_fonts(renderer.render([letter], created=created))
        assert fonts == {"NotoSans", "NotoSansBold", "NotoSansMonoBold", "TextLayer"}


def test_a_cjk_name_renders_with_a_configured_fallback_font(
    cjk_face: FontFace, letter_factory: LetterFactory, created: pendulum.DateTime
) -> None:
    """SPEC 5: a configured system CJK font draws Chinese and Japanese names."""
    renderer = FpdfLetterRenderer(fallback_fonts=[cjk_face])
    letters = [letter_factory("0200", "王小明"), letter_factory("0201", "田中 さくら")]
    pdf = renderer.render(letters, created=created)
    # Painted as outlines: the CFF font is not embedded, so pypdf never meets the
    # embedded CMap it would read a byte at a time (a NUL before each character).
    pages = page_texts(pdf)
    assert "Candidate name 王小明\n" in pages[0]
    assert "Candidate name 田中 さくら\n" in pages[1]
    assert not any("NotoSansCJK" in font for font in embedded_fonts(pdf))


def test_a_name_no_font_can_draw_is_refused_before_anything_is_written(
    renderer: FpdfLetterRenderer,
    letter_factory: LetterFactory,
    created: pendulum.DateTime,
    tmp_path: Path,
) -> None:
    """SPEC 5: a typed error naming code points, and no file left, even from a later batch."""
    letters = [
        letter_factory("0001", "Ann Lee"),
        letter_factory("0002", "Bo Chan"),
        letter_factory("0003", "王小明"),
    ]
    with pytest.raises(UnrenderableText) as caught:
        write_letters(
            letters,
            renderer,
            created=created,
            combined_pdf=tmp_path / "all.pdf",
            zip_file=tmp_path / "all.zip",
            batch_size=1,
        )
    assert caught.value.problems == (
        ("GB123_2026-06_0003", "candidate_name", ("U+738B", "U+5C0F", "U+660E")),
    )
    assert "王" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_renderer_check_reports_every_unrenderable_field(
    renderer: FpdfLetterRenderer, letter_factory: LetterFactory
) -> None:
    """SPEC 5: the check names every letter and field with a gap, drawing nothing."""
    bad_contact = ContactDetails(name="\U00013000 Scribe", email="s@example.org")
    letters = [
        letter_factory("0001", "\u0e2a\u0e21\u0e0a\u0e32\u0e22"),
        letter_factory("0002", "Ann Lee", contact=bad_contact),
    ]
    with pytest.raises(UnrenderableText) as caught:
        renderer.check(letters)
    assert [(p[0], p[1]) for p in caught.value.problems] == [
        ("GB123_2026-06_0001", "candidate_name"),
        ("GB123_2026-06_0002", "contact.name"),
    ]


def test_the_longest_accepted_values_still_fit_on_one_page(
    renderer: FpdfLetterRenderer, letter_factory: LetterFactory, created: pendulum.DateTime
) -> None:
    """CRW-09: 100-character names, a 100-character contact and a long email wrap, not spill."""
    given, family = "Maximilian" * 10, "Lukasiewicz" * 9 + "X"
    contact = ContactDetails(
        name="Contact" * 14 + "XX",
        phone="+44 (1223) 553-554 12",
        email="a" * 64 + "@" + ".".join(["b" * 60] * 3) + ".org",
    )
    letter = letter_factory("9999", f"{given} {family}", contact=contact, centre_name="C" * 100)
    (text,) = page_texts(renderer.render([letter], created=created))
    assert "".join(text.split()).count("Maximilian") == 10
    assert "Reference GB123_2026-06_9999" in text


def _counting(letters: list[LetterData], pulled: list[int]) -> Iterator[LetterData]:
    for letter in letters:
        pulled.append(1)
        yield letter


def test_letters_are_streamed_in_batches_with_progress(
    renderer: FpdfLetterRenderer,
    letter_factory: LetterFactory,
    created: pendulum.DateTime,
    tmp_path: Path,
) -> None:
    """CRW-10: progress after each batch, and no more than one batch is pulled ahead."""
    letters = [letter_factory(f"{n:04d}", f"Candidate {n}") for n in range(1, 6)]
    pulled: list[int] = []
    seen: list[tuple[int, int]] = []

    def progress(p: Progress) -> None:
        seen.append((p.done, len(pulled)))

    written = write_letters(
        _counting(letters, pulled),
        renderer,
        created=created,
        combined_pdf=tmp_path / "all.pdf",
        zip_file=tmp_path / "all.zip",
        batch_size=2,
        total=5,
        progress=progress,
    )
    assert seen == [(2, 2), (4, 4), (5, 5)]
    assert written.count == 5
    combined = page_texts((tmp_path / "all.pdf").read_bytes())
    with zipfile.ZipFile(tmp_path / "all.zip") as archive:
        names = archive.namelist()
        singles = [page_texts(archive.read(n)) for n in names]
    assert names == [f"{letter.letter_id}.pdf" for letter in letters]
    assert [s for (s,) in singles] == combined
    assert [f"Candidate number {n:04d}" in t for n, t in enumerate(combined, 1)] == [True] * 5


def test_the_same_candidate_twice_is_an_error(
    renderer: FpdfLetterRenderer,
    letter_factory: LetterFactory,
    created: pendulum.DateTime,
    tmp_path: Path,
) -> None:
    """CRW-10: one letter per candidate; a duplicate leaves no output."""
    letters = [letter_factory("0001", "Ann Lee"), letter_factory("0001", "Ann Lee")]
    with pytest.raises(RenderError, match="appears twice"):
        write_letters(letters, renderer, created=created, zip_file=tmp_path / "all.zip")
    assert list(tmp_path.iterdir()) == []


def test_an_empty_run_or_no_output_asked_is_an_error(
    renderer: FpdfLetterRenderer, created: pendulum.DateTime, tmp_path: Path
) -> None:
    """CRW-10: nothing to write, or nowhere to write it, is a clear error."""
    with pytest.raises(RenderError, match="no letters"):
        write_letters([], renderer, created=created, combined_pdf=tmp_path / "a.pdf")
    with pytest.raises(RenderError, match="combined PDF, a zip file or both"):
        write_letters([], renderer, created=created)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("password", "not-a-secret"),
        ("username", "has space"),
        ("visible_from", pendulum.naive(2026, 8, 13)),
        ("candidate_name", "Ann\u202eLee"),
        ("timezone", "Mars/Olympus"),
    ],
)
def test_letter_data_refuses_bad_fields(
    letter_factory: LetterFactory, field: str, value: object
) -> None:
    """CRW-09, CRW-13: a letter with a bad field cannot exist; the error names the field."""
    extra = {field: value}
    if field == "password":
        with pytest.raises(InvalidValue, match="password"):
            LetterData(
                centre="GB123",
                series="June 2026",
                candidate_number="0001",
                candidate_name="Ann Lee",
                username="k7mq4-xtw9p",
                password=value,  # type: ignore[arg-type]
                contact=ContactDetails(name="Ann", email="a@b.example"),
                visible_from=pendulum.datetime(2026, 8, 13, tz="UTC"),
            )
        return
    name = extra.pop("candidate_name", "Ann Lee")
    with pytest.raises(InvalidValue, match=field):
        letter_factory("0001", name, **extra)


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(
        alphabet=st.characters(codec="latin-1", categories=("L", "N", "P", "Zs")), max_size=60
    ),
    bold=st.booleans(),
    size=st.sampled_from([8.0, 10.0, 12.0, 14.0]),
)
def test_the_renderers_width_of_plain_text_is_fpdf2s(text: str, bold: bool, size: float) -> None:
    """CRW-09: names are wrapped exactly where fpdf2 itself would measure them too long."""
    renderer = FpdfLetterRenderer()
    pdf = renderer._document(pendulum.datetime(2026, 10, 5, tz="UTC"))
    style = "B" if bold else ""
    pdf.set_font(renderer.fonts.regular.family, style, size)
    assert renderer._plain_width(pdf, text, style, size) == pytest.approx(
        pdf.get_string_width(text), abs=1e-9
    )
