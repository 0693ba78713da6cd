"""Typography rules, driven by each language's _strings.yaml (no language in code)."""

from __future__ import annotations

import pytest

from pipeline.content.model import Span
from pipeline.render.typography import Typographer, parse_inline

NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.fixture(scope="module")
def fr(project):
    return Typographer(project.languages["fr"].strings.typography)


@pytest.fixture(scope="module")
def en(project):
    return Typographer(project.languages["en"].strings.typography)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Vraiment ? Oui !", f"Vraiment{NNBSP}? Oui{NNBSP}!"),
        ("Vraiment? Oui!", f"Vraiment{NNBSP}? Oui{NNBSP}!"),
        ("trois axes : le partage", f"trois axes{NNBSP}: le partage"),
        ("trois axes: le partage; la formation", f"trois axes{NNBSP}: le partage{NNBSP}; la formation"),
        ("les « loups solitaires »", f"les «{NNBSP}loups solitaires{NNBSP}»"),
        ("les «loups solitaires»", f"les «{NNBSP}loups solitaires{NNBSP}»"),
        ('les "cols blancs"', f"les «{NNBSP}cols blancs{NNBSP}»"),
        ("Plus de 90 % des biens", f"Plus de 90{NNBSP}% des biens"),
        ("90% des biens", f"90{NNBSP}% des biens"),
        ("10 000 victimes et 250000 euros", f"10{NNBSP}000 victimes et 250{NNBSP}000 euros"),
        ("résolution 1540 (2004)", f"résolution 1540{NBSP}(2004)"),
        ("des Nations Unies et", f"des Nations{NBSP}Unies et"),
        ("en 2004 1540 (2004)", f"en 2004 1540{NBSP}(2004)"),
        ("10 000 (2004)", f"10{NNBSP}000{NBSP}(2004)"),
        ("l'argent d'autres", "l’argent d’autres"),
        ("à 10:30 précises", "à 10:30 précises"),
    ],
)
def test_french(fr, raw, expected):
    assert fr(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('So-called "white collar criminals"', "So-called “white collar criminals”"),
        ("radicalised 'lone wolves'", "radicalised ‘lone wolves’"),
        ("the world's goods", "the world’s goods"),
        ("Over 90% of goods", "Over 90% of goods"),
        ("from 2019-2021", "from 2019–2021"),
        ("illegally! So", "illegally! So"),
        ("three areas: a; b", "three areas: a; b"),
        ("cross-sector partnerships", "cross-sector partnerships"),
        ("this - that", "this – that"),
        ("resolution 1540 (2004), which", f"resolution 1540{NBSP}(2004), which"),
        ("the United Nations", f"the United{NBSP}Nations"),
        ("1540 (2004x)", "1540 (2004x)"),
    ],
)
def test_english(en, raw, expected):
    assert en(raw) == expected


def test_typography_is_idempotent(fr, en):
    text = 'Il dit : « non » ; "oui" ? 90 % de 12345 cas.'
    assert fr(fr(text)) == fr(text)
    assert en(en(text)) == en(text)


def test_inline_emphasis():
    assert parse_inline("a *b* and **c** d") == (
        Span("a "), Span("b", italic=True), Span(" and "), Span("c", bold=True), Span(" d"))
    assert parse_inline("5 * 3") == (Span("5 * 3"),)


def test_composed_french_document_has_french_spacing(project):
    from pipeline.content.model import plain
    from pipeline.render.compose import compose_factsheet

    doc = compose_factsheet(project, "fr", "financial-crime")
    text = " ".join(plain(b.spans) for b in doc.chapters[0].sections[0].blocks if hasattr(b, "spans"))
    assert f"pas{NNBSP}!" in text
    assert f"«{NNBSP}criminels en col blanc{NNBSP}»" in text
    assert "'" not in text
    assert doc.meta.edition_label == "novembre 2026"
    assert doc.meta.reference == "COM/FS/2026-11/FIN-01"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Report COM/FS/2026-11/COR-01 in 2026-2027", "Report COM/FS/2026-11/COR-01 in 2026–2027"),
        ("(1990-2000)", "(1990–2000)"),
        ("see 2026-11/COR", "see 2026-11/COR"),
    ],
)
def test_ranges_are_en_dashed_but_codes_are_not(en, raw, expected):
    assert en(raw) == expected


def test_a_quotation_may_open_after_spanish_opening_marks(fr):
    """¿ and ¡ open a question or an exclamation: a straight quote after them opens."""
    assert fr('¿"Limpias"?') == f"¿«{NNBSP}Limpias{NNBSP}»{NNBSP}?"
    assert fr('¡"Basta"!') == f"¡«{NNBSP}Basta{NNBSP}»{NNBSP}!"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("المرجع COM/FS/2026-11/COR-01، كي", "المرجع \u2066COM/FS/2026-11/COR-01\u2069، كي"),
        ("خدمات VPN وبطاقات SIM مسروقة", "خدمات \u2066VPN\u2069 وبطاقات \u2066SIM\u2069 مسروقة"),
        ("شركة Europol Ltd. ثم", "شركة \u2066Europol Ltd\u2069. ثم"),  # the full stop is the sentence's
        ("(Europol) نص", "(\u2066Europol\u2069) نص"),
        ("و 2026-11/COR تجربة", "و \u20662026-11/COR\u2069 تجربة"),
        ("عام 2024 بنسبة 90%", "عام 2024 بنسبة 90%"),  # numbers alone need no isolate
        ("نص عربي فقط", "نص عربي فقط"),
        ("already \u2066isolated\u2069 نص", "already \u2066isolated\u2069 نص"),  # the writer's own
    ],
)
def test_left_to_right_runs_are_isolated_in_right_to_left_text(raw, expected):
    from pipeline.render.typography import isolate_ltr_runs

    assert isolate_ltr_runs(raw) == expected


def test_only_right_to_left_languages_isolate(project):
    rules = project.languages["en"].strings.typography
    assert Typographer(rules, "ltr").isolate("نص COM/FS/2026-11/COR-01") == "نص COM/FS/2026-11/COR-01"
    assert Typographer(rules, "rtl").isolate("نص COM/FS") == "نص \u2066COM/FS\u2069"


def test_no_break_phrases_come_from_the_strings_file():
    """A language's `no_break` phrases are data: any phrase, `{number}` for a number."""
    from pipeline.content.schema import Typography

    rules = Typography(double_quotes=["«", "»"], single_quotes=["“", "”"], apostrophe="’",
                       no_break=["art. {number}", "Bundes Amt"])
    typeset = Typographer(rules)
    assert typeset("voir art. 12 et le Bundes  Amt") == f"voir art.{NBSP}12 et le Bundes{NBSP}Amt"
    assert typeset("le Bundes Amtes") == "le Bundes Amtes"  # never inside a longer word


def test_french_spaces_are_fixed_width(project):
    """French spaces before punctuation and inside « » are U+202F, which a justified line
    does not stretch (WeasyPrint and Word stretch U+0020, WeasyPrint also U+00A0)."""
    rules = project.languages["fr"].strings.typography
    assert set(rules.space_before.values()) == {NNBSP}
    assert rules.space_after_open_guillemet == rules.space_before_close_guillemet == NNBSP
