"""PDF/UA-1 (issue 22): the checker and the tagging pass, on real output.

The tiny fixture's factsheet and handbook (a draft: they carry the draft mark) are
rendered once for the module, as the pipeline writes them and as WeasyPrint alone
wrote them (the tagging pass switched off). The checker must find in WeasyPrint's
files the problems the issue found by hand, and nothing in ours; each of its rules
is then shown to fire on one of our files broken in exactly that way (a checker that
cannot fail would prove nothing). The PyPI package `pdfua` reads the same files as
an independent second opinion. The release, rich-content and right-to-left editions
are checked where they are built (tests/test_release.py, test_rich.py,
test_languages.py).
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from lxml import etree
from pdfua_support import problems, second_opinion
from pikepdf import Array, Dictionary, Name

from pipeline.checks import CHECKS
from pipeline.checks.pdfread import MCR, read_content, read_tree
from pipeline.checks.pdfua import bands, check
from pipeline.content.links import describe_address, describe_page
from pipeline.content.project import load_project
from pipeline.render import pdf_finish
from pipeline.render.compose import compose_factsheet, compose_handbook
from pipeline.render.docx import render_docx
from pipeline.render.pdf import render_pdf
from pipeline.render.pdf_tags import _absorb, _same_line, identify_pdfua

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "valid"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


# --- the documents, rendered once -------------------------------------------------------------


@pytest.fixture(scope="module")
def project():
    return load_project(FIXTURE)


@pytest.fixture(scope="module")
def files(project, tmp_path_factory) -> dict[str, Path]:
    """`factsheet` (en) and `handbook` (fr) as the pipeline writes them; `raw-*` as
    WeasyPrint alone wrote them."""
    out = tmp_path_factory.mktemp("pdfua")
    docs = {"factsheet": compose_factsheet(project, "en", "alpha"), "handbook": compose_handbook(project, "fr")}
    paths = {}
    for name, doc in docs.items():
        paths[name] = out / f"{name}.pdf"
        paths[name].write_bytes(render_pdf(doc))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf_finish, "complete_tags", lambda pdf, doc, links=True: None)
        for name, doc in docs.items():
            paths[f"raw-{name}"] = out / f"raw-{name}.pdf"
            paths[f"raw-{name}"].write_bytes(render_pdf(doc))
    return paths


def rules(findings) -> set[str]:
    """The rule ids of some findings ("18-001 §7.8" -> "18-001")."""
    return {finding.rule.split()[0] for finding in findings}


# --- before and after ---------------------------------------------------------------------------


def test_checker_is_registered_for_check_pdf():
    assert CHECKS["pdfua"] == "pipeline.checks.pdfua:check"


def test_weasyprint_alone_fails_what_the_issue_found(files):
    """Running feet tagged, their elements unreachable, link descriptions that are ids,
    nested links: in both kinds of document."""
    factsheet, handbook = rules(check(files["raw-factsheet"])), rules(check(files["raw-handbook"]))
    assert {"18-001", "ST-1", "ST-3"} <= factsheet
    assert {"18-001", "ST-1", "ST-3", "LK-1", "LK-2"} <= handbook
    # WeasyPrint's descriptions are the raw targets: an anchor id, an address as typed.
    with pikepdf.open(files["raw-handbook"]) as pdf:
        descriptions = [str(a.Contents) for page in pdf.pages for a in page.get("/Annots", [])]
    assert descriptions and all(re.fullmatch(r"[a-z0-9-]+|mailto:\S+|https://\S+", text) for text in descriptions)


def test_the_pipeline_s_files_pass(files):
    for name in ("factsheet", "handbook"):
        assert check(files[name]) == [], name


def test_the_second_opinion_agrees(files, tmp_path):
    assert problems([files["factsheet"], files["handbook"]]) == []
    # ... and it does read the files: without a language, it says so.
    with pikepdf.open(files["factsheet"]) as pdf:
        del pdf.Root["/Lang"]
        pdf.save(tmp_path / "no-language.pdf")
    assert any(": UA-06-001: " in line for line in second_opinion(tmp_path / "no-language.pdf"))


def test_check_pdf_reports_each_finding_on_a_located_line(files, run_cli):
    result = run_cli("check-pdf", "--only", "pdfua", files["raw-factsheet"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines and all(re.match(rf"{re.escape(str(files['raw-factsheet']))}(:p\.\d+)?: pdfua: \S+ §[\d.]+: ",
                                   line) for line in lines)
    assert any(": 18-001 §7.8: the running foot " in line for line in lines)
    result = run_cli("check-pdf", "--only", "pdfua", files["factsheet"], files["handbook"])
    assert result.exit_code == 0, result.output
    assert "2 file(s) checked (pdfua): no problem found" in result.output


def test_the_pass_is_deterministic(project):
    """Two renders of a document give the same bytes (the pass adds no randomness)."""
    doc = compose_factsheet(project, "fr", "beta")
    assert render_pdf(doc) == render_pdf(doc)


# --- what the pass makes ---------------------------------------------------------------------------


def pagination_artifacts(path: Path, draft_mark: str = "") -> dict[str, int]:
    """How many text pieces of each pagination subtype the PDF has; asserts that every
    text in the running heads' and feet's bands is one, and that a watermark is the
    draft mark."""
    seen = {"Header": 0, "Footer": 0, "Watermark": 0}
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            top, bottom = bands(page)
            for paint in read_content(page).paints:
                if not paint.strings or not paint.text.strip():
                    continue
                artifact = paint.artifact
                if paint.y > top or paint.y < bottom:
                    assert artifact is not None and artifact.prop("/Type") == "/Pagination", paint.text
                    seen[artifact.prop("/Subtype")[1:]] += 1
                elif artifact is not None and artifact.prop("/Subtype") == "/Watermark":
                    assert paint.text.replace(" ", "") in draft_mark.replace(" ", "")
                    seen["Watermark"] += 1
    return seen


def test_running_feet_and_the_draft_mark_are_pagination_artifacts(files, project):
    doc = compose_handbook(project, "fr")
    seen = pagination_artifacts(files["handbook"], doc.labels["draft_mark"])
    assert seen["Footer"] and seen["Watermark"] == len(pikepdf.open(files["handbook"]).pages)
    # No structure element is left for them: the tree's text has no running foot (the
    # imprint's reference and classification are content, apart).
    with pikepdf.open(files["handbook"]) as pdf:
        tagged = _tagged_text(pdf)
    assert f"{doc.meta.reference} · {doc.meta.classification}" not in tagged
    assert doc.labels["draft_mark"] not in tagged


@pytest.mark.slow  # renders a document of its own
def test_running_heads_of_a_chapter_over_several_pages_are_headers(project, tmp_path):
    """A chapter's opening page has no running head; its next pages do."""
    doc = compose_handbook(project, "en")
    first = doc.chapters[0]
    sections = tuple(dataclasses.replace(section, anchor=f"{section.anchor}-{i}", subsections=())
                     for i in range(12) for section in first.sections)
    doc = dataclasses.replace(doc, chapters=(dataclasses.replace(first, sections=sections), *doc.chapters[1:]))
    path = tmp_path / "long.pdf"
    path.write_bytes(render_pdf(doc))
    seen = pagination_artifacts(path, doc.labels["draft_mark"])
    assert seen["Header"] and seen["Footer"], seen
    assert check(path) == []


def _tagged_text(pdf: pikepdf.Pdf) -> str:
    texts = {}
    for page in pdf.pages:
        for paint in read_content(page).paints:
            if paint.mcid is not None and paint.artifact is None:
                texts.setdefault((page.obj.objgen, paint.mcid), []).append(paint.text)
    tree = read_tree(pdf)
    return " ".join("".join(texts.get((item.page, item.mcid), [])) for root in tree.roots
                    for item in root.contents() if isinstance(item, MCR))


def test_mcids_are_numbered_in_page_order_each_in_one_reachable_element(files):
    for name in ("factsheet", "handbook"):
        with pikepdf.open(files[name]) as pdf:
            tree = read_tree(pdf)
            owners: dict = {}
            for element in tree.elements():
                for kid in element.kids:
                    if isinstance(kid, MCR):
                        owners.setdefault((kid.page, kid.mcid), []).append(element)
            for page in pdf.pages:
                mcids = [mark.mcid for mark in read_content(page).sequences]
                assert mcids == list(range(len(mcids)))
                assert all(len(owners.get((page.obj.objgen, m), [])) == 1 for m in mcids)


def test_factsheet_reads_title_band_lead_body_then_related(files, project):
    doc = compose_factsheet(project, "en", "alpha")
    chapter = doc.chapters[0]
    with pikepdf.open(files["factsheet"]) as pdf:
        text = " ".join(_tagged_text(pdf).split())
    order = [doc.labels["factsheet"].upper(), chapter.title, "".join(s.text for s in chapter.lead)]
    order += ["".join(s.text for s in section.heading) for section in chapter.sections]
    order += [doc.labels["related"].upper(), chapter.related[0].title]
    positions = [text.find(" ".join(part.split())) for part in order]
    assert -1 not in positions, list(zip(order, positions, strict=True))
    assert positions == sorted(positions)


def test_one_annotation_per_reference_that_says_where_it_leads(files, project):
    doc = compose_handbook(project, "fr")
    titles = {chapter.anchor: chapter.title for chapter in doc.chapters}
    with pikepdf.open(files["handbook"]) as pdf:
        numbers = {page.obj.objgen: number for number, page in enumerate(pdf.pages, start=1)}
        texts = {(page.obj.objgen, p.mcid): p.text for page in pdf.pages for p in read_content(page).paints
                 if p.mcid is not None}
        opens = {}  # chapter title -> the page its H1 is on
        for heading in (e for e in read_tree(pdf).elements() if e.type == "/H1"):
            text = "".join(texts.get((item.page, item.mcid), "") for item in heading.contents())
            opens.setdefault(text, numbers[heading.page])
        annotations = [a for page in pdf.pages for a in page.get("/Annots", [])]
        descriptions = [str(a.Contents) for a in annotations if "/Dest" in a]
        links = [e for e in read_tree(pdf).elements() if e.type == "/Link"]
    expected = {describe_page(doc.labels["link_page"], title, opens[title]) for title in titles.values()}
    # The contents (one line a chapter), each related area and the imprint's contact
    # address: one annotation and one Link element each.
    related = sum(len(chapter.related) for chapter in doc.chapters)
    assert len(descriptions) == len(doc.chapters) + related
    assert len(annotations) == len(links) == len(descriptions) + 1
    assert set(descriptions) == expected
    assert descriptions[0] == f"{doc.chapters[0].title}, page {opens[doc.chapters[0].title]}"


@pytest.mark.slow  # renders a document of its own
def test_print_files_are_tagged_without_links(project, tmp_path):
    from pipeline.content import model

    doc = compose_handbook(project, "en", model.Layout(print_mode=True, variant="print"))
    path = tmp_path / "print.pdf"
    path.write_bytes(render_pdf(doc))
    assert check(path) == []
    with pikepdf.open(path) as pdf:
        assert all("/Annots" not in page.obj for page in pdf.pages)
        types = {element.type for element in read_tree(pdf).elements()}
        assert "/Link" not in types and {"/H1", "/P"} <= types
        assert pdf.open_metadata()["pdfuaid:part"] == "1"
        marks = [p.artifact.prop("/Type") for page in pdf.pages for p in read_content(page).paints
                 if p.artifact is not None and p.op == "S"]
        assert "/Page" in marks  # the crop marks


# --- each rule, shown to fire -------------------------------------------------------------------------


def _content(pdf: pikepdf.Pdf, index: int = 0) -> list:
    return list(pikepdf.parse_content_stream(pdf.pages[index]))


def _write(pdf: pikepdf.Pdf, instructions: list, index: int = 0) -> None:
    pdf.pages[index].obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))


def _op(operator: str, *operands) -> pikepdf.ContentStreamInstruction:
    return pikepdf.ContentStreamInstruction(list(operands), pikepdf.Operator(operator))


def _first(pdf: pikepdf.Pdf, kind: str):
    return next(e for e in read_tree(pdf).elements() if e.type == kind)


def _new_element(pdf: pikepdf.Pdf, kind: str, parent, kids=(), **extra) -> pikepdf.Object:
    obj = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name("/" + kind), P=parent, K=Array(list(kids)),
                                       **extra))
    parent.K.append(obj)
    return obj


def _footer_index(pdf: pikepdf.Pdf) -> int:
    return next(i for i, ins in enumerate(_content(pdf)) if str(ins.operator) == "BDC"
                and str(ins.operands[0]) == "/Artifact" and ins.operands[1].get("/Subtype") == "/Footer")


def _retag_footer(pdf, operands):
    instructions = _content(pdf)
    instructions[_footer_index(pdf)] = _op("BDC", *operands)
    _write(pdf, instructions)


def _unmarked_path(pdf):
    _write(pdf, [*_content(pdf), _op("re", 0, 0, 5, 5), _op("f")])


def _artifact_in_tagged(pdf):
    instructions = _content(pdf)
    at = next(i for i, ins in enumerate(instructions) if "/MCID" in str(ins.operands))
    instructions[at + 1:at + 1] = [_op("BMC", Name.Artifact), _op("re", 0, 0, 1, 1), _op("f"), _op("EMC")]
    _write(pdf, instructions)


def _tagged_in_artifact(pdf):
    _write(pdf, [*_content(pdf), _op("BMC", Name.Artifact), _op("BDC", Name.Span, Dictionary(MCID=999)),
                 _op("re", 0, 0, 1, 1), _op("f"), _op("EMC"), _op("EMC")])


def _drop_heading(pdf):
    heading = _first(pdf, "/H1")
    heading.parent.obj.K = Array([k for k in heading.parent.obj.K if k.objgen != heading.obj.objgen])


def _swap_parent_tree(pdf):
    array = pdf.Root.StructTreeRoot.ParentTree.Nums[1]
    array[0], array[1] = array[1], array[0]


def _list_twice(pdf):
    document = pdf.Root.StructTreeRoot.K[0]
    document.K.append(document.K[0])


def _rename(kind: str, new: str):
    def mutate(pdf):
        _first(pdf, kind).obj.S = Name("/" + new)
    return mutate


def _empty_heading(pdf):
    _new_element(pdf, "H2", _first(pdf, "/Sect").obj)


def _paragraph_in_list(pdf):
    _new_element(pdf, "P", _first(pdf, "/L").obj)


def _table(pdf, cell_extra: dict, kind: str = "TH"):
    document = pdf.Root.StructTreeRoot.K[0]
    table = _new_element(pdf, "Table", document)
    row = _new_element(pdf, "TR", table)
    _new_element(pdf, kind, row, **cell_extra)


def _figure(pdf, **extra):
    _new_element(pdf, "Figure", pdf.Root.StructTreeRoot.K[0], Pg=pdf.pages[0].obj, **extra)


def _xmp(key: str):
    def mutate(pdf):
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
            del xmp[key]
    return mutate


def _font(mutate_font: Callable):
    def mutate(pdf):
        for font in pdf.pages[0].Resources.Font.values():
            mutate_font(font)
    return mutate


def _truncate_tounicode(font):
    data = font.ToUnicode.read_bytes()
    font.ToUnicode.write(re.sub(rb"\d+ beginbfchar.*?endbfchar", b"0 beginbfchar\nendbfchar", data, flags=re.S))


def _link(mutate_link: Callable):
    def mutate(pdf):
        page, annotation = next((p, a) for p in pdf.pages for a in p.obj.get("/Annots", []) if "/Dest" in a)
        mutate_link(pdf, page, annotation)
    return mutate


def _duplicate_link(pdf, page, annotation):
    page.obj.Annots.append(pdf.make_indirect(annotation.copy()))


def _unlink_element(pdf, page, annotation):
    link = next(e for e in read_tree(pdf).elements() if e.type == "/Link")
    link.obj.S = Name.Span


def _reverse_pages(pdf):
    document = pdf.Root.StructTreeRoot.K[0]
    document.K = Array(list(reversed(list(document.K))))


MUTATIONS: dict[str, tuple[str, Callable]] = {
    "01-005": ("factsheet", _unmarked_path),
    "01-003": ("factsheet", _artifact_in_tagged),
    "01-004": ("factsheet", _tagged_in_artifact),
    "18-001": ("factsheet", lambda pdf: _retag_footer(pdf, [Name.Span, Dictionary(MCID=990)])),
    "18-002": ("factsheet", lambda pdf: _retag_footer(pdf, [Name.Artifact, Dictionary(Type=Name.Layout)])),
    "ST-1": ("factsheet", _drop_heading),
    "ST-2": ("factsheet", _swap_parent_tree),
    "ST-3": ("factsheet", _list_twice),
    "ST-4": ("handbook", _reverse_pages),
    "02-001": ("factsheet", _rename("/P", "Paragraph")),
    "14-002": ("factsheet", _rename("/H1", "H2")),
    "14-003": ("factsheet", _rename("/H2", "H4")),
    "14-007": ("factsheet", _rename("/H2", "H")),
    "HD-1": ("factsheet", _empty_heading),
    "09-005": ("factsheet", _paragraph_in_list),
    "09-004": ("factsheet", lambda pdf: _table(pdf, {}, kind="P")),
    "15-003": ("factsheet", lambda pdf: _table(pdf, {"A": Dictionary(O=Name.Table)})),
    "TB-1": ("factsheet", lambda pdf: _table(pdf, {"A": Dictionary(O=Name.Table, Headers=Array(["nowhere"]))},
                                             kind="TD")),
    "13-004": ("factsheet", lambda pdf: _figure(pdf, A=Dictionary(O=Name.Layout, BBox=Array([0, 0, 9, 9])))),
    "FG-1": ("factsheet", lambda pdf: _figure(pdf, Alt=pikepdf.String("A chart"),
                                              A=Dictionary(O=Name.Layout, BBox=Array([-900, 0, -800, 9])))),
    "19-003": ("factsheet", lambda pdf: _new_element(pdf, "Note", pdf.Root.StructTreeRoot.K[0])),
    "06-002": ("factsheet", _xmp("pdfuaid:part")),
    "06-003": ("factsheet", _xmp("dc:title")),
    "07-001": ("factsheet", lambda pdf: pdf.Root.ViewerPreferences.__delitem__("/DisplayDocTitle")),
    "07-002": ("factsheet", lambda pdf: pdf.Root.ViewerPreferences.__setitem__("/DisplayDocTitle", False)),
    "MK-1": ("factsheet", lambda pdf: pdf.Root.MarkInfo.__setitem__("/Marked", False)),
    "11-001": ("factsheet", lambda pdf: pdf.Root.__delitem__("/Lang")),
    "31-027": ("factsheet", _font(lambda font: font.__delitem__("/ToUnicode"))),
    "10-001": ("factsheet", _font(_truncate_tounicode)),
    "31-009": ("factsheet", _font(lambda font: font.DescendantFonts[0].FontDescriptor.__delitem__("/FontFile2"))),
    "28-008": ("handbook", _link(lambda pdf, page, a: page.obj.__delitem__("/Tabs"))),
    "28-011": ("handbook", _link(_unlink_element)),
    "28-012": ("handbook", _link(lambda pdf, page, a: a.__delitem__("/Contents"))),
    "LK-1": ("handbook", _link(lambda pdf, page, a: a.__setitem__("/Contents", a.Dest))),
    "LK-2": ("handbook", _link(_duplicate_link)),
}


@pytest.mark.parametrize("rule", list(MUTATIONS))
def test_each_rule_fires_on_a_file_broken_that_way(files, tmp_path, rule):
    name, mutate = MUTATIONS[rule]
    with pikepdf.open(files[name]) as pdf:
        mutate(pdf)
        pdf.save(tmp_path / "broken.pdf")
    assert rule in rules(check(tmp_path / "broken.pdf"))


def test_an_unreadable_file_is_one_finding(tmp_path):
    path = tmp_path / "not.pdf"
    path.write_text("not a PDF", encoding="utf-8")
    (finding,) = check(path)
    assert finding.rule == "read" and "cannot read" in finding.message


# --- the pass's helpers ------------------------------------------------------------------------------


def test_annotations_on_one_line_merge_and_lines_apart_do_not():
    assert _same_line([0, 100, 50, 112], [55, 101, 80, 112])
    assert not _same_line([0, 100, 50, 112], [0, 86, 50, 98])
    annotation = Dictionary(Rect=Array([10, 100, 50, 112]))
    _absorb(annotation, [55, 100, 80, 112])
    assert [float(v) for v in annotation.Rect] == [10, 100, 80, 112]
    assert [float(v) for v in annotation.QuadPoints] == [10, 112, 50, 112, 10, 100, 50, 100,
                                                         55, 112, 80, 112, 55, 100, 80, 100]


def test_link_descriptions_from_the_labels():
    assert describe_page("{title}, page {page}", "Organised\ncrime", 13) == "Organised crime, page 13"
    assert describe_address("{text} ({address})", "the port study", "https://www.example.org/study/") == \
        "the port study (example.org/study)"
    assert describe_address("{text} ({address})", "unit@example.org", "mailto:unit@example.org") == \
        "unit@example.org"


def test_pdfua_identification_is_added_once_with_the_pdfa_extension_schema(files, tmp_path):
    with pikepdf.open(files["factsheet"]) as pdf:
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
            del xmp["pdfuaid:part"]
            xmp["pdfaid:part"] = "2"
        identify_pdfua(pdf)
        identify_pdfua(pdf)
        data = pdf.Root.Metadata.read_bytes()
        pdf.save(tmp_path / "a.pdf")
    assert data.count(b'pdfuaid:part="1"') == 1
    assert data.count(b"<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>") == 1
    with pikepdf.open(tmp_path / "a.pdf") as pdf:
        assert pdf.open_metadata()["pdfuaid:part"] == "1"


# --- the DOCX says the same ---------------------------------------------------------------------------


def test_docx_links_have_the_pdf_s_descriptions_as_tooltips(project):
    doc = compose_handbook(project, "fr")
    data = render_docx(doc)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        body = etree.fromstring(package.read("word/document.xml"))
        rels = etree.fromstring(package.read("word/_rels/document.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target") for rel in rels}
    links = body.iter(f"{W}hyperlink")
    titles = {chapter.anchor: chapter.title for chapter in doc.chapters}
    checked = 0
    for link in links:
        tooltip = link.get(f"{W}tooltip")
        text = "".join(t.text or "" for t in link.iter(f"{W}t"))
        if link.get(f"{R}id"):
            assert tooltip == describe_address(doc.labels["link_address"], text, targets[link.get(f"{R}id")])
        else:
            page = re.search(r"(\d+)$", text)
            title = next(title for title in titles.values() if text.startswith(title))
            if page:  # a contents line ends with its page number
                assert tooltip == describe_page(doc.labels["link_page"], title, int(page.group(1)))
            else:
                assert tooltip is not None and tooltip.startswith(f"{title}, page ")
        checked += 1
    assert checked >= len(doc.chapters)


# --- the two readers of the tagging pass ------------------------------------------------------------


def test_fast_and_general_readers_of_the_pass_agree(files):
    """WeasyPrint's pages read with regular expressions (the fast way) and through
    pikepdf's parser give the same sequences, text, positions and rewritten stream."""
    from pipeline.render.pdf_marks import _FastMarks, _ParsedMarks

    for name in ("raw-factsheet", "raw-handbook"):
        with pikepdf.open(files[name]) as pdf:
            for page in pdf.pages:
                fast, parsed = _FastMarks.of(page, {}), _ParsedMarks(page)
                assert fast is not None and fast.sequences == parsed.sequences and fast.base == parsed.base
                middle = float(page.mediabox[3]) / 2
                for mcid in fast.sequences:
                    assert (fast.tag(mcid), fast.one_glyph(mcid), fast.text(mcid)) == \
                        (parsed.tag(mcid), parsed.one_glyph(mcid), parsed.text(mcid))
                    ys = fast.first_y(mcid), parsed.first_y(mcid)
                    assert ys[0] is None if ys[1] is None else (ys[0] > middle) == (ys[1] > middle)
                artifacts = {fast.sequences[0]: Dictionary(Type=Name.Layout)}
                renumbered = {mcid: i for i, mcid in enumerate(fast.sequences[1:])}
                streams = [pikepdf.parse_content_stream(pdf.make_stream(marks.rewritten(artifacts, renumbered)))
                           for marks in (fast, parsed)]
                assert [(str(i.operator), [str(o) for o in i.operands]) for i in streams[0]] == \
                       [(str(i.operator), [str(o) for o in i.operands]) for i in streams[1]]


@pytest.mark.slow  # renders a document of its own
def test_a_page_the_fast_reader_cannot_read_is_tagged_all_the_same(project, monkeypatch, tmp_path):
    from pipeline.render import pdf_marks

    monkeypatch.setattr(pdf_marks._FastMarks, "of", classmethod(lambda cls, page, fonts: None))
    path = tmp_path / "general.pdf"
    path.write_bytes(render_pdf(compose_handbook(project, "en")))
    assert check(path) == []
    # And the fast reader refuses a stream with a literal string (it reads only hex ones).
    with pikepdf.open(path) as pdf:
        page = pdf.pages[0]
        page.obj.Contents = pdf.make_stream(page.obj.Contents.read_bytes() + b"\nBT (x) Tj ET\n")
        monkeypatch.undo()
        assert pdf_marks._FastMarks.of(page, {}) is None
