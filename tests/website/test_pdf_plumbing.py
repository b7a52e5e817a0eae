"""Fonts, renderer discovery and PDF combining/splitting behind the letters (CRW-10)."""

from __future__ import annotations

import gc
import io
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pendulum
import pytest
from fpdf import FPDF
from pypdf import PdfReader

from cambridge_results.errors import RenderError
from cambridge_results.rendering import (
    FontFace,
    FontSet,
    LetterData,
    LetterRenderer,
    available_renderers,
    load_renderer,
)
from cambridge_results.rendering.fonts import BUNDLED_DIR
from cambridge_results.rendering.fpdf_document import LAYOUT_TABLES, add_fonts, describe
from cambridge_results.rendering.fpdf_letters import FpdfLetterRenderer
from cambridge_results.rendering.pdf_split import PdfStreamWriter, split_pages


def test_the_bundled_fonts_are_small_and_licensed() -> None:
    """SPEC 5: the bundled set stays under 3 MB and ships its licence text."""
    fonts = list(BUNDLED_DIR.glob("*.ttf"))
    assert len(fonts) == 6
    assert sum(f.stat().st_size for f in fonts) < 3 * 1024 * 1024
    assert "SIL OPEN FONT LICENSE" in (BUNDLED_DIR / "OFL.txt").read_text(encoding="utf-8")


def test_the_font_set_knows_which_font_draws_each_character() -> None:
    """SPEC 5: Latin from the regular font, Arabic and Devanagari from bundled fallbacks."""
    fonts = FontSet()
    assert fonts.face_for("Ł") == fonts.regular
    assert fonts.face_for("م") is not None
    assert fonts.face_for("م").family == "NotoSansArabic"  # type: ignore[union-attr]
    assert fonts.face_for("王") is None
    assert fonts.missing("Zoë 王小明 \u200d") == ("U+738B", "U+5C0F", "U+660E")
    assert [f.family for f in fonts.fallbacks_for(["Zoë", "शर्मा", "محمد"])] == [
        "NotoSansArabic",
        "NotoSansDevanagari",
    ]
    assert fonts.plain("Zoë Łukasiewicz")
    assert not fonts.plain("محمد")
    assert not fonts.plain("Zoe\u0308")


def test_a_missing_fallback_font_file_is_an_error(tmp_path: Path) -> None:
    """SPEC 5: a misconfigured fallback fails at once, not at the first CJK name."""
    with pytest.raises(RenderError, match="does not exist"):
        FontFace.file(tmp_path / "nope.ttf", family="Nope")
    with pytest.raises(RenderError, match="does not exist"):
        FontSet([FontFace(family="Nope", path=tmp_path / "nope.ttf")])
    with pytest.raises(RenderError, match="unique"):
        FontSet([FontFace(family="NotoSansArabic", path=BUNDLED_DIR / "NotoSans-Regular.ttf")])


def test_the_default_renderer_is_found_by_name() -> None:
    """CRW-10: "fpdf2" is built in and implements the renderer protocol."""
    renderer = load_renderer()
    assert isinstance(renderer, FpdfLetterRenderer)
    assert isinstance(renderer, LetterRenderer)
    assert "fpdf2" in available_renderers()
    with pytest.raises(RenderError, match=r"no renderer named 'nope'; known: .*fpdf2"):
        load_renderer("nope")


def _install_plugin(path: Path, entries: str) -> None:
    dist = path / "letters_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: letters-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[cambridge_results.renderers]\n{entries}\n")


def test_third_party_renderers_come_from_the_entry_point_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CRW-10: a plugin registers by entry point; a broken one fails alone, with its name."""
    _install_plugin(
        tmp_path,
        "alias = cambridge_results.rendering.fpdf_letters:FpdfLetterRenderer\n"
        "broken = letters_plugin_missing:Renderer\n"
        "notone = cambridge_results.rendering.fonts:FontSet",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert {"alias", "broken", "notone", "fpdf2"} <= set(available_renderers())
    assert isinstance(load_renderer("alias"), FpdfLetterRenderer)
    with pytest.raises(RenderError, match=r"'broken'.*failed to load"):
        load_renderer("broken")
    with pytest.raises(RenderError, match="does not implement LetterRenderer"):
        load_renderer("notone")
    assert isinstance(load_renderer("fpdf2"), FpdfLetterRenderer)
    assert "letters_plugin_missing" not in sys.modules


class _WriteOnly(io.RawIOBase):
    """A stream that can only be written to, like a socket or a zip entry."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b: object) -> int:
        chunk = bytes(b)  # type: ignore[call-overload]
        self.data += chunk
        return len(chunk)


def test_batches_combine_into_one_pdf_on_a_stream_that_cannot_seek(
    renderer: FpdfLetterRenderer,
    sample_letters: list[LetterData],
    created: pendulum.DateTime,
) -> None:
    """CRW-10: two batches make one valid PDF whose pages are the batches' pages in order."""
    first = renderer.render(sample_letters[:2], created=created)
    second = renderer.render(sample_letters[2:], created=created)
    out = _WriteOnly()
    writer = PdfStreamWriter(out)
    writer.add_pdf(first)
    writer.add_pdf(second)
    writer.close()
    combined = PdfReader(io.BytesIO(bytes(out.data)), strict=True)
    expected = [p.extract_text() for b in (first, second) for p in PdfReader(io.BytesIO(b)).pages]
    assert [p.extract_text() for p in combined.pages] == expected
    assert combined.metadata is not None
    assert combined.metadata.title == "Confidential examination results information"


def test_split_pages_share_nothing_but_fonts_and_read_back_whole(
    renderer: FpdfLetterRenderer,
    sample_letters: list[LetterData],
    created: pendulum.DateTime,
) -> None:
    """CRW-10: one single-page PDF per letter, each valid and carrying only its own fonts."""
    batch = renderer.render(sample_letters, created=created)
    singles = list(split_pages(batch))
    assert len(singles) == len(sample_letters)
    source = PdfReader(io.BytesIO(batch))
    for single, page in zip(singles, source.pages, strict=True):
        reader = PdfReader(io.BytesIO(single), strict=True)
        assert len(reader.pages) == 1
        assert reader.pages[0].extract_text() == page.extract_text()
        assert set(reader.pages[0]["/Resources"]["/Font"]) == set(page["/Resources"]["/Font"])
    assert len(singles[0]) < len(singles[1])


def test_an_empty_writer_cannot_close(tmp_path: Path) -> None:
    """CRW-10: a PDF without pages is an error, not a broken file."""
    with pytest.raises(RenderError, match="at least one page"):
        PdfStreamWriter(io.BytesIO()).close()


def _shaped_sample(pdf: FPDF, fallbacks: list[str]) -> bytes:
    """A page of Latin, bold, Arabic, Devanagari and Hebrew text, shaped where needed."""
    describe(pdf, title="t", subject="s", created=pendulum.datetime(2026, 8, 1, tz="UTC"))
    pdf.set_fallback_fonts(fallbacks, exact_match=False)
    pdf.add_page()
    pdf.set_font("NotoSans", "", 11)
    pdf.text(20, 20, "Zoë Łukasiewicz 0123456789")
    pdf.set_font("NotoSans", "B", 11)
    pdf.text(20, 30, "Username k7mq4-2345")
    pdf.set_text_shaping(True)
    pdf.set_font("NotoSans", "", 11)
    for line, text in enumerate(["محمد الأحمد", "प्रिया शर्मा", "דוד לוי"]):
        pdf.text(20, 40 + 10 * line, text)
    return bytes(pdf.output())


def test_embedded_fonts_are_the_same_without_the_layout_tables() -> None:
    """CRW-09: add_fonts drops GSUB/GPOS/GDEF from fpdf2's copy to subset faster; the
    PDF, shaped Arabic and Devanagari included, is byte for byte what fpdf2 alone makes."""
    fonts = FontSet()
    families = [f.family for f in fonts.fallbacks]
    ours = FPDF()
    add_fonts(ours, fonts, fonts.fallbacks)
    assert all(tag not in font.ttfont for font in ours.fonts.values() for tag in LAYOUT_TABLES)
    plain = FPDF()
    for face in (fonts.regular, fonts.bold, *fonts.fallbacks):
        plain.add_font(face.family, face.style, str(face.path))
    assert any(tag in font.ttfont for font in plain.fonts.values() for tag in LAYOUT_TABLES)
    expected = _shaped_sample(plain, families)
    assert _shaped_sample(ours, families) == expected
    text = PdfReader(io.BytesIO(expected)).pages[0].extract_text()
    assert "Łukasiewicz" in text
    assert "k7mq4-2345" in text


# Names drawn from these make a batch's fonts cover far more glyphs than one page uses.
LATIN_GIVEN = ["Zoë", "Łukasz", "François", "Íñigo", "Şebnem", "Dvořák", "Ørjan", "Gößling"]
LATIN_FAMILY = ["Ñúñez", "Œhlenschläger", "Ðorđević", "Þórsdóttir", "Quyền", "Wójcik", "Åberg"]
ARABIC = ["محمد", "فاطمة", "عبد الله", "زينب", "يوسف", "خديجة", "إبراهيم", "غادة", "ضياء", "ظافر"]
DEVANAGARI = ["अनुष्का", "शर्मा", "क्षितिज", "ज्ञानेश्वर", "ऋषि", "ठाकुर", "ढिल्लों", "त्रिपाठी", "श्रेया"]


def _names(count: int, pools: list[list[str]]) -> list[str]:
    names = []
    for i in range(count):
        pool = pools[i % len(pools)]
        names.append(f"{pool[i % len(pool)]} {pool[(i * 7 + 3) % len(pool)]}")
    return names


@pytest.mark.parametrize(
    "pools",
    [[LATIN_GIVEN, LATIN_FAMILY], [ARABIC, DEVANAGARI, LATIN_FAMILY]],
    ids=["latin", "arabic-devanagari"],
)
def test_a_letter_split_from_a_batch_is_no_bigger_than_the_letter_rendered_alone(
    renderer: FpdfLetterRenderer,
    letter_factory: Callable[..., LetterData],
    created: pendulum.DateTime,
    pools: list[list[str]],
) -> None:
    """CRW-10, issue 13: a single from a batch of 300 varied names, whose fonts hold every
    glyph of the batch, takes no more bytes than the same letter rendered on its own."""
    letters = [
        letter_factory(f"{i:04d}", name) for i, name in enumerate(_names(300, pools), start=1)
    ]
    batch = renderer.render(letters, created=created)
    source = PdfReader(io.BytesIO(batch))
    singles = list(split_pages(batch))
    sizes = []
    for index in range(0, 300, 23):
        alone = renderer.render([letters[index]], created=created)
        sizes.append((len(singles[index]), len(alone)))
        page = PdfReader(io.BytesIO(singles[index])).pages[0].extract_text()
        assert page == source.pages[index].extract_text()
    assert all(single <= alone for single, alone in sizes), sizes


def test_the_combined_pdf_takes_no_more_memory_as_pages_are_added(
    renderer: FpdfLetterRenderer,
    sample_letters: list[LetterData],
    created: pendulum.DateTime,
) -> None:
    """Issue 15: the combiner keeps a few bytes a page, not the pages: adding 200 more
    pages grows what it holds by under 64 bytes a page."""
    batch = renderer.render(sample_letters * 4, created=created)
    pages = len(sample_letters) * 4

    class Counting(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, b: object) -> int:
            return len(b)  # type: ignore[arg-type]

    writer = PdfStreamWriter(Counting())
    writer.add_pdf(batch)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(10):
            writer.add_pdf(batch)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert writer.page_count == 11 * pages
    assert grown < 64 * 10 * pages
    writer.close()
