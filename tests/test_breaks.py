"""Line breaks a print editor signs off (issue 21): the checker and the layout rules.

The checker (`pipeline.checks.breaks`, `pipeline check-pdf`) is proven on small PDFs
crafted for each kind of bad break, each line placed by hand (`<br>`, a typed U+2010
where WeasyPrint would put its hyphenation hyphen), with the look-alikes it must leave
alone. The rules (`pipeline.render.breaks`) are proven on real output: every PDF of a
real build, screen A4 and print Letter, has no bad break; generated paragraphs of many
lengths, in both languages, break badly without the rules and never with them; a
document that had no bad break comes out byte for byte as it did; a rule that cannot be
met is said in one line. (The rich and right-to-left editions are checked in
test_rich.py and test_languages.py, where they are built.)
"""

from __future__ import annotations

import contextlib
import dataclasses
import random
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.checks import breaks as checker
from pipeline.cli import cli
from pipeline.content import model
from pipeline.render import breaks as rules
from pipeline.render.compose import compose_factsheet
from pipeline.render.pdf import render_pdf

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
H = checker.HYPHENATION_HYPHEN

needs_poppler = pytest.mark.skipif(not shutil.which("pdftohtml"), reason="poppler-utils not installed")
pytestmark = needs_poppler


# --- crafted PDFs: one kind of bad break each ------------------------------------------

PAGE = """<html lang="en"><head><style>
@page { size: 210mm 160mm; margin: 12mm; }
body { font: 10pt/1.4 "Noto Serif"; color: #1a1a1a; hyphens: manual; margin: 0; }
.col { position: absolute; top: 0; width: 82mm; }
.left { left: 0; } .right { left: 96mm; }
p { margin: 0 0 6pt; }
h1 { font: bold 20pt/1.15 "Noto Sans"; color: #1f3a5f; margin: 0 0 6pt; }
.band { background: #1f3a5f; color: #fff; padding: 2mm; font-size: 10.5pt; line-height: 1.3; }
</style></head><body>%s</body></html>"""


def crafted(tmp_path: Path, body: str, name: str = "crafted.pdf") -> Path:
    """A PDF of `body` laid out by WeasyPrint alone (no line-breaking rules)."""
    from weasyprint import HTML

    path = tmp_path / name
    HTML(string=PAGE % body).write_pdf(path)
    return path


def rules_found(path: Path) -> list[tuple[str, int | None]]:
    return [(finding.rule, finding.page) for finding in checker.check(path)]


def test_checker_finds_a_hyphen_at_a_column_end(tmp_path):
    pdf = crafted(tmp_path, f"""
<div class="col left"><p>Stolen funds cross several physical<br>and virtual borders before their<br>
reaching the final destin{H}</p></div>
<div class="col right"><p>ation. This is where police networks<br>play a crucial role, as they do.</p>
<p>A cross-border case spans borders and<br>jurisdictions on many cross-</p></div>""")
    findings = checker.check(pdf)
    assert [(f.rule, f.page) for f in findings] == [("column-end", 1)], findings
    assert f"destin{H}" in findings[0].message
    # A typed hyphen ("cross-") ending a column is a real hyphen, not a hyphenation.


def test_checker_finds_a_hyphenated_last_word(tmp_path):
    pdf = crafted(tmp_path, f"""
<div class="col left"><p>It is often only one component of<br>other, more serious crimes, such<br>as money laun{H}<br>
dering.</p><p>The next paragraph starts here and<br>it runs on for a second line of text.</p>
<p>Here a word is hyphen{H}<br>ated, but more words follow it.</p></div>""")
    findings = checker.check(pdf)
    assert [(f.rule, f.page) for f in findings] == [("last-word", 1)], findings
    assert f"laun{H} / dering." in findings[0].message


def test_checker_finds_ladders_of_more_than_two_hyphens(tmp_path):
    pdf = crafted(tmp_path, f"""
<div class="col left"><p>Corruption is a breeding ground for activi{H}<br>ties including terro{H}<br>
rism, as criminals benefit from the compli{H}<br>city of corrupt officials in their many<br>
illicit activities here.</p><p>Two in a row are allowed by the rule:{H}<br>
here is the second such line of{H}<br>text, and that is all.</p></div>""")
    findings = checker.check(pdf)
    assert [(f.rule, f.page) for f in findings] == [("ladder", 1)], findings
    assert f"activi{H} / terro{H} / compli{H}" in findings[0].message


def test_checker_finds_a_lone_word_on_the_last_line_of_display_text(tmp_path):
    pdf = crafted(tmp_path, """
<div class="col left"><h1>Trafficking in human<br>beings</h1><h1>Trafficking in<br>human beings</h1>
<p class="band">Financial crime affects us all and has<br>progress.</p>
<p>A body paragraph may end with a word<br>alone.</p>
<p>And this one runs over two lines of<br>text as well.</p></div>""")
    found = checker.check(pdf)
    assert sorted(f.rule for f in found) == ["lone-word", "lone-word"], found
    assert {re.search(r"'(\w+)\.?'", f.message).group(1) for f in found} == {"beings", "progress"}


def test_check_pdf_command_names_page_and_words(tmp_path, run_cli):
    bad = crafted(tmp_path, f"""<div class="col left"><p>One line of the paragraph and then<br>
a second which ends in a move{H}</p></div>
<div class="col right"><p>ment, and then more<br>text.</p></div>""", "bad.pdf")
    good = crafted(tmp_path, """<div class="col left"><p>One line of the paragraph and then<br>
a second, which ends well.</p></div>""", "good.pdf")
    result = run_cli("check-pdf", "--only", "breaks", bad, good)
    assert result.exit_code == 1
    assert result.output.strip() == (f"{bad}:p.1: breaks: column-end: 'move{H}' is hyphenated across a column "
                                     "or page end")
    result = run_cli("check-pdf", "--only", "breaks", good)
    assert result.exit_code == 0, result.output


def test_libreoffice_hyphens_can_be_named(tmp_path):
    """A PDF from another tool that draws its hyphens as U+002D can be checked for ladders."""
    pdf = crafted(tmp_path, """<div class="col left"><p>Le trafic de drogue est généralement<br>
associé à d'autres formes de crimi-<br>nalité, et les itinéraires de trafic peu-<br>
vent être utilisés par les réseaux crimi-<br>nels pour acheminer des produits.</p></div>""")
    assert rules_found(pdf) == []
    assert [f.rule for f in checker.check(pdf, hyphens="-" + H)] == ["ladder"]


# --- the rules on real output ------------------------------------------------------------


def findings_in(folder: Path) -> list[str]:
    pdfs = sorted(folder.rglob("*.pdf"))
    assert pdfs, folder
    return [finding.line(pdf) for pdf in pdfs for finding in checker.check(pdf)]


@pytest.mark.slow
def test_no_bad_break_in_the_real_build(real_build):
    """Screen PDFs on A4, both languages: every factsheet and the handbooks."""
    assert len(list(real_build.rglob("*.pdf"))) == 24
    assert findings_in(real_build) == []


@pytest.mark.slow
def test_no_bad_break_in_print_letter_pdfs(tmp_path):
    """The print-shop PDFs on US Letter (another measure and page height), both languages."""
    result = CliRunner().invoke(cli, ["--content", str(CONTENT), "--build-dir", str(tmp_path), "-q", "build",
                                      "--format", "pdf", "--print", "--paper", "letter"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "rule could not be met" not in result.output
    assert findings_in(tmp_path) == []


@contextlib.contextmanager
def without_rules():
    """WeasyPrint's own line breaking, as before issue 21 (and no report of the bad breaks)."""
    enforced, report = rules.enforced, rules.report
    rules.enforced, rules.report = (lambda: contextlib.nullcontext(False)), (lambda pages, what: [])
    try:
        yield
    finally:
        rules.enforced, rules.report = enforced, report


def vocabulary(project, lang: str) -> list[str]:
    """The words of a language's real topics: long ones hyphenate, short ones fill."""
    text = " ".join(model.plain(block.spans) for topic in project.topic_ids
                    for block in model.chapter_blocks(compose_factsheet(project, lang, topic).chapters[0])
                    if isinstance(block, model.Paragraph))
    return [word for word in re.findall(r"[^\W\d_][\w’'-]*", text) if len(word) > 1]


def generated(doc: model.Document, words: list[str], seed: int) -> model.Document:
    """`doc` with its text replaced by paragraphs, titles and call-outs of random words."""
    rng = random.Random(seed)

    def text(count: int, end: str = ".") -> model.Inline:
        chosen = [rng.choice(words) for _ in range(count)]
        return (model.Span(" ".join(chosen).capitalize() + end),)

    def paragraph() -> model.Paragraph:
        return model.Paragraph(text(rng.randint(8, 70)))

    sections = tuple(
        model.Section(text(rng.randint(1, 6), ""), f"gen-s{i}",
                      (paragraph(), model.Focus(text(rng.randint(2, 9), ""), (paragraph(),)), paragraph()))
        for i in range(3))
    chapter = dataclasses.replace(doc.chapters[0], title=" ".join(w for w in [rng.choice(words) for _ in range(
        rng.randint(2, 5))]).capitalize(), lead=text(rng.randint(10, 30)), intro=(paragraph(),), sections=sections)
    return dataclasses.replace(doc, chapters=(chapter,))


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_generated_paragraphs_never_break_badly(project, tmp_path, lang):
    """Random paragraphs of real words through a factsheet: bad breaks without the rules,
    none with them; so the rules hold for any text, not just today's."""
    words = vocabulary(project, lang)
    base = compose_factsheet(project, lang, project.topic_ids[0])
    before = after = 0
    for seed in range(3):
        doc = generated(base, words, seed)
        with without_rules():
            plain = tmp_path / f"plain-{seed}.pdf"
            plain.write_bytes(render_pdf(doc))
        ruled = tmp_path / f"ruled-{seed}.pdf"
        ruled.write_bytes(render_pdf(doc))
        before += len(checker.check(plain))
        found = checker.check(ruled)
        after += len(found)
        assert found == [], (seed, found)
    assert before > 0, "the generated text should have broken badly without the rules"
    assert after == 0


@pytest.mark.parametrize(("lang", "topic"), [("en", "maritime-crime"), ("fr", "maritime-crime"), ("en", "firearms")])
def test_a_document_without_bad_breaks_is_unchanged(project, tmp_path, lang, topic):
    """The rules make a line again only where a rule was broken: a factsheet whose plain
    layout had no bad break comes out byte for byte the same."""
    doc = compose_factsheet(project, lang, topic)
    with without_rules():
        plain = render_pdf(doc)
    path = tmp_path / "plain.pdf"
    path.write_bytes(plain)
    if checker.check(path):
        pytest.skip(f"{topic} ({lang}) breaks badly without the rules: not a case for this test")
    assert render_pdf(doc) == plain


def test_a_rule_that_cannot_be_met_is_said_in_one_line(fixture_copy, tmp_path, caplog):
    """A word longer than three column widths must be hyphenated on consecutive lines (it
    would overflow the column otherwise): the build says so, in one line naming the
    document, page, topic, rule and words (on standard error, through the log)."""
    word = "pneumonoultramicroscopicsilicovolcanoconiosis" * 5
    topic = fixture_copy / "en" / "alpha.yaml"
    text = topic.read_text(encoding="utf-8")
    first = re.search(r"^( +- )(\S.*)$", text, re.M)
    topic.write_text(text.replace(first.group(0), f"{first.group(1)}It is {word} indeed.", 1), encoding="utf-8")
    out = tmp_path / "alpha.pdf"
    with caplog.at_level("WARNING", logger="pipeline.pdf"):
        result = CliRunner().invoke(cli, ["--content", str(fixture_copy), "factsheet", "alpha", "--lang", "en",
                                          "--format", "pdf", "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    said = [record.getMessage() for record in caplog.records if "rule could not be met" in record.getMessage()]
    assert len(said) == 1, said
    assert re.fullmatch(r"factsheet COM/FS/\S+ \(en, a4\): p\.1, topic 'alpha': ladder: more than 2 lines in "
                        r"a row end in a hyphen, up to '\w+\u2010' \(a line-breaking rule could not be met\)",
                        said[0]), said[0]
    assert [f.rule for f in checker.check(out)] == ["ladder"]
    # Never at the cost of an overflowing line: the word's lines end where the column does.
    lines = checker.read_lines(out)
    pieces = [line for line in lines if "coniosis" in line.text or "pneumono" in line.text]
    column = [line for line in lines if line.left == pieces[0].left and line not in pieces]
    assert len(pieces) >= 4 and max(p.right for p in pieces) <= max(line.right for line in column) + 3


def test_the_docx_asks_word_for_the_same_hyphenation(project):
    """settings.xml: automatic hyphenation, at most two hyphenated lines in a row, no
    hyphens in capitals, a hyphenation zone; display text and the other styles the PDF
    does not hyphenate carry w:suppressAutoHyphens, running text does not."""
    import io
    import zipfile

    from lxml import etree

    from pipeline.render.docx import render_docx

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    package = zipfile.ZipFile(io.BytesIO(render_docx(compose_factsheet(project, "fr", "terrorism"))))
    settings = etree.fromstring(package.read("word/settings.xml"))
    assert settings.find(f"{w}autoHyphenation") is not None
    assert settings.find(f"{w}doNotHyphenateCaps") is not None
    assert settings.find(f"{w}consecutiveHyphenLimit").get(f"{w}val") == str(checker.MAX_HYPHENATED_LINES)
    assert int(settings.find(f"{w}hyphenationZone").get(f"{w}val")) == round(5 * 1440 / 25.4)
    order = [child.tag.removeprefix(w) for child in settings]
    assert order.index("autoHyphenation") < order.index("consecutiveHyphenLimit") < order.index(
        "hyphenationZone") < order.index("doNotHyphenateCaps")  # the schema's order: Word is strict
    styles = etree.fromstring(package.read("word/styles.xml"))
    suppressed = {style.get(f"{w}styleId"): style.find(f"{w}pPr/{w}suppressAutoHyphens") is not None
                  for style in styles.iter(f"{w}style") if style.get(f"{w}type") == "paragraph"}
    for display in ("Heading1", "Lead", "Heading2", "CalloutTitle", "KeyFigure", "Title", "TOC1"):
        assert suppressed[display], display
    for running in ("Normal", "CalloutBody", "Quote"):
        assert not suppressed[running], running
