"""`pipeline review`: a reviewed DOCX mapped back into the content, field by field (issue 23).

The DOCX files here are built by the pipeline and edited the way Word records a review
(tests/review_support.py writes the OOXML Word writes: w:ins/w:del with author, date and
rsid, moves, comments with ranges and replies). LibreOffice's own edits are in
test_review_lo.py.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from review_support import Docx, w

from pipeline.content.project import load_project
from pipeline.render.compose import compose_factsheet, compose_handbook, compose_pack
from pipeline.render.docx import render_docx
from pipeline.render.docx_anchors import (
    BOOKMARK_MAX,
    KEY_CODES,
    FieldAnchor,
    decode_path,
    encode_path,
    field_name,
    parse_field_name,
)
from pipeline.translations.fields import fields_of, loaded_doc
from pipeline.translations.status import language_status

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ANN, DATE = "Ann Reviewer", "2026-11-30T10:15:00Z"
BOB, LATER = "Bob Editor", "2026-12-01T09:00:00Z"


def build(content: Path, lang: str, topic: str | None, out: Path) -> Path:
    """The DOCX of a factsheet, the handbook (topic None) or a pack (`pack:<id>`)."""
    project = load_project(content)
    if topic and topic.startswith("pack:"):
        doc = compose_pack(project, lang, topic.removeprefix("pack:"))
    else:
        doc = compose_factsheet(project, lang, topic) if topic else compose_handbook(project, lang)
    out.write_bytes(render_docx(doc))
    return out


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode() + path.read_bytes())
    return digest.hexdigest()


def review(run_cli, content: Path, docx: Path, *args: str):
    return run_cli("--content", content, "review", docx, *args)


def review_json(run_cli, content: Path, docx: Path, *args: str) -> tuple[int, dict]:
    result = review(run_cli, content, docx, "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)


# --- anchors ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [("title",), ("sections", 12, "subsections", 3, "blocks", 15, "table", "rows", 24, 3),
                                  ("intro", 0), ("foreword", 2), ("contact",),
                                  ("sections", 0, "blocks", 1, "quote", "attribution")])
def test_paths_survive_their_compact_form_within_word_bookmark_limits(path):
    code = encode_path(path)
    assert decode_path(code) == path
    name = field_name(FieldAnchor("abc123", 1295, path), occurrence=12)
    assert len(name) <= BOOKMARK_MAX and name.startswith("_F")
    parsed = parse_field_name(name.rsplit("_", 1)[0])
    assert parsed == FieldAnchor("abc123", 1295, path)


def test_key_codes_are_distinct_and_prefix_free():
    codes = list(KEY_CODES.values())
    assert len(set(codes)) == len(codes)
    assert not any(a != b and b.startswith(a) for a in codes for b in codes)
    assert "j" not in codes and all(c.islower() for c in codes)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_content_field_of_the_real_handbook_is_anchored(project, tmp_path, lang):
    """Every translatable text of the topics and the front matter sits in an anchor naming its
    field, and the document properties name edition, language and document."""
    data = render_docx(compose_handbook(project, lang))
    package = Docx_bytes(data, tmp_path)
    props = package.props()
    assert props["PipelineEdition"] == project.edition.edition_date.isoformat()
    assert props["PipelineLanguage"] == lang and props["PipelineDocument"] == "handbook"
    docs = props["PipelineSources"].split()
    anchored = set()
    for start in package.body.iter(w("bookmarkStart")):
        name = start.get(w("name"))
        if name.startswith("_F"):
            anchor = parse_field_name(name.rsplit("_", 1)[0] if name.count("_") > 1 else name)
            anchored.add((docs[anchor.doc_index], anchor.path))
    language = project.languages[lang]
    expected = {(doc, f.path) for doc in ["_frontmatter", *project.topic_ids]
                for f in fields_of(doc, loaded_doc(language, doc).data)}
    assert expected - anchored == set()
    # Besides them only whole numbers typed bare in tables (the same in every language).
    assert all(p[-3] == "rows" for _, p in anchored - expected)


def Docx_bytes(data: bytes, tmp_path: Path) -> Docx:
    path = tmp_path / "doc.docx"
    path.write_bytes(data)
    package = Docx(path)
    package.props = lambda: {p.get("name"): "".join(p.itertext())
                             for p in package.xml("docProps/custom.xml")}
    return package


@pytest.mark.parametrize("content,lang,topic", [
    ("real", "en", None), ("real", "fr", None),
    (FIXTURES / "rich", "en", "ports"), (FIXTURES / "rich", "fr", "ports"),
    (FIXTURES / "edition-ar", "ar", None), (FIXTURES / "packs", "fr", "pack:maritime-seminar"),
])
def test_an_unchanged_docx_reviews_as_unchanged(run_cli, tmp_path, content, lang, topic):
    """The anchors' fingerprints match the text read back: typography (French spaces),
    links, figures' alt texts, tables, quotes, right-to-left runs, handbook front matter."""
    content = Path(__file__).resolve().parent.parent / "content" if content == "real" else content
    docx = build(content, lang, topic, tmp_path / "doc.docx")
    result = review(run_cli, content, docx)
    assert result.exit_code == 0, result.output
    assert "0 field(s) changed, 0 conflict(s), 0 refused, 0 change(s) outside the fields, 0 comment(s)" in result.output
    assert len(result.output.splitlines()) == 2, result.output


# --- a review as Word writes it -----------------------------------------------------------------


@pytest.fixture
def en_alpha(fixture_copy, tmp_path) -> tuple[Path, Docx]:
    docx = build(fixture_copy, "en", "alpha", tmp_path / "alpha-en.docx")
    return fixture_copy, Docx(docx)


def test_word_review_applies_exactly_the_tracked_changes_and_reports_comments(en_alpha, run_cli, tmp_path):
    content, package = en_alpha
    package.insert(" small", "Alpha is a", ANN, DATE)                        # insert
    package.delete("three ", ANN, DATE)                                        # delete
    package.delete("beta", ANN, DATE)                                          # replace inside emphasis
    package.insert("gamma", "beta", BOB, LATER)
    package.move("information ", "operational ", ANN, DATE)                    # a move from one item to another
    package.comment("Over 90%", "Is this still true?", ANN, DATE, reply=("Checked: yes.", BOB, LATER))
    reviewed = package.save(tmp_path / "reviewed.docx")
    before = (content / "en" / "alpha.yaml").read_text()

    code, data = review_json(run_cli, content, reviewed)
    assert code == 0
    by_field = {".".join(map(str, f["field"])): f for f in data["fields"]}
    lead = by_field["lead"]
    assert (lead["built"], lead["accepted"], lead["state"]) == ("Alpha is a test topic.",
                                                                "Alpha is a small test topic.", "changed")
    assert lead["changes"] == [{"kind": "insert", "author": ANN, "date": DATE, "text": " small"}]
    para = by_field["sections.0.blocks.0"]
    assert para["accepted"] == "Alpha networks earn 90% of their income from *gamma* activities."
    assert [(c["kind"], c["author"], c["text"]) for c in para["changes"]] == [("delete", ANN, "beta"),
                                                                              ("insert", BOB, "gamma")]
    assert by_field["sections.0.blocks.1.list.intro"]["accepted"] == "It works through levers:"
    assert by_field["sections.0.blocks.1.list.items.0"]["accepted"] == "sharing"
    moved = by_field["sections.0.blocks.1.list.items.2"]
    assert moved["accepted"] == "operational information support"
    assert [c["kind"] for c in moved["changes"]] == ["move-to"]
    (comment,) = by_field["sections.0.blocks.2.key_figure.value"]["comments"]
    assert (comment["author"], comment["date"], comment["text"]) == (ANN, DATE, "Is this still true?")
    assert [(r["author"], r["text"]) for r in comment["replies"]] == [(BOB, "Checked: yes.")]
    assert (content / "en" / "alpha.yaml").read_text() == before, "review without --apply writes nothing"

    result = review(run_cli, content, reviewed, "--apply")
    assert result.exit_code == 0, result.output
    assert "applied 5 field(s)" in result.output
    assert "comment: Ann Reviewer (2026-11-30T10:15:00Z): Is this still true?" in result.output
    assert "reply: Bob Editor (2026-12-01T09:00:00Z): Checked: yes." in result.output
    after = (content / "en" / "alpha.yaml").read_text()
    expected = (before.replace("lead: Alpha is a test topic.", "lead: Alpha is a small test topic.")
                .replace("*beta*", "*gamma*").replace("through three levers", "through levers")
                .replace("- information sharing", "- sharing")
                .replace("- operational support", "- operational information support"))
    assert after == expected
    assert "Is this still true" not in after, "comments never go into the content"
    again = review(run_cli, content, reviewed, "--apply")
    assert again.exit_code == 0 and "alpha.yaml:3: lead: already in the YAML" in again.output
    assert (content / "en" / "alpha.yaml").read_text() == after
    # The French translations of exactly those fields are now stale.
    stale = {m.other.path for s in language_status(load_project(content), "fr", ["alpha"])
             for m in s.matches if m.state == "stale"}
    assert stale == {("lead",), ("sections", 0, "blocks", 0), ("sections", 0, "blocks", 1, "list", "intro"),
                     ("sections", 0, "blocks", 1, "list", "items", 0),
                     ("sections", 0, "blocks", 1, "list", "items", 2)}


def test_changes_inside_a_link_and_to_its_address_keep_our_link_markup(run_cli, tmp_path):
    content = tmp_path / "rich"
    shutil.copytree(FIXTURES / "rich", content)
    package = Docx(build(content, "en", "ports", tmp_path / "ports.docx"))
    package.insert(" new", "the port", ANN, DATE)                              # inside the hyperlink
    reviewed = package.save(tmp_path / "reviewed.docx")
    result = review(run_cli, content, reviewed, "--apply")
    assert result.exit_code == 0, result.output
    text = (content / "en" / "ports.yaml").read_text()
    assert "lead: Ports move most test goods, as [the port new study](https://example.org/ports) shows." in text


def test_untracked_edit_is_reported_as_such_and_applied(en_alpha, run_cli, tmp_path):
    content, package = en_alpha
    package.run_with("training").find(w("t")).text = "hands-on training"       # Track Changes off
    reviewed = package.save(tmp_path / "reviewed.docx")
    result = review(run_cli, content, reviewed)
    assert "sections[0].blocks[1].list.items[1]: untracked change" in result.output
    assert "in the DOCX: hands-on training" in result.output
    code, data = review_json(run_cli, content, reviewed, "--apply")
    assert code == 0 and data["applied"]["fields"] == 1
    assert "- hands-on training\n" in (content / "en" / "alpha.yaml").read_text()


def test_a_field_changed_in_the_yaml_since_the_build_is_a_conflict_and_the_others_apply(en_alpha, run_cli, tmp_path):
    content, package = en_alpha
    package.insert(" small", "Alpha is a", ANN, DATE)
    package.delete("three ", ANN, DATE)
    reviewed = package.save(tmp_path / "reviewed.docx")
    topic = content / "en" / "alpha.yaml"
    topic.write_text(topic.read_text().replace("lead: Alpha is a test topic.", "lead: Alpha is a sample topic."))
    result = review(run_cli, content, reviewed, "--apply")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    (head,) = [line for line in lines if ": lead: " in line]
    assert head.endswith("alpha.yaml:3: lead: conflict: changed in the YAML since this DOCX was built")
    assert "    YAML now: Alpha is a sample topic." in lines
    assert "    reviewed: Alpha is a small test topic." in lines
    text = topic.read_text()
    assert "lead: Alpha is a sample topic." in text and '"It works through levers:"' in text


def test_changes_in_generated_text_are_reported_not_applied(en_alpha, run_cli, tmp_path):
    content, package = en_alpha
    package.insert(" (draft)", "Factsheet", ANN, DATE)                         # a label, in the body
    footer = next(n for n in package.parts if n.startswith("word/footer"))
    package.insert("Draft! ", None, ANN, DATE, before="Test Organisation", part=footer)   # the running foot
    reviewed = package.save(tmp_path / "reviewed.docx")
    before = tree_digest(content)
    result = review(run_cli, content, reviewed, "--apply")
    assert result.exit_code == 1
    assert "word/document.xml: generated: not applied: inserted ' (draft)' by Ann Reviewer" in result.output
    assert f"{footer}: generated: not applied: inserted 'Draft! ' by Ann Reviewer" in result.output
    assert tree_digest(content) == before


# --- refusals -----------------------------------------------------------------------------------


def test_emptying_a_list_item_is_refused_with_the_rule_and_nothing_else_is_lost(en_alpha, run_cli, tmp_path):
    content, package = en_alpha
    package.delete("training", ANN, DATE)
    package.insert(" small", "Alpha is a", ANN, DATE)
    reviewed = package.save(tmp_path / "reviewed.docx")
    result = review(run_cli, content, reviewed, "--apply")
    assert result.exit_code == 1
    assert ("alpha.yaml:14: sections[0].blocks[1].list.items[1]: refused: the change empties the field; "
            "to remove it, edit the YAML") in result.output
    text = (content / "en" / "alpha.yaml").read_text()
    assert "- training" in text and "Alpha is a small test topic." in text


def test_a_link_changed_to_javascript_is_refused_with_the_link_rule(run_cli, tmp_path):
    content = tmp_path / "rich"
    shutil.copytree(FIXTURES / "rich", content)
    package = Docx(build(content, "en", "ports", tmp_path / "ports.docx"))
    rels = package.xml("word/_rels/document.xml.rels")
    for rel in rels:
        if rel.get("Target") == "https://example.org/ports":
            rel.set("Target", "javascript:alert(1)")
    package.insert(" all", "Test seizures grew in", ANN, DATE)
    reviewed = package.save(tmp_path / "reviewed.docx")
    before = (content / "en" / "ports.yaml").read_text()
    result = review(run_cli, content, reviewed, "--apply")
    assert result.exit_code == 1
    (line,) = [line for line in result.output.splitlines() if ": lead: refused" in line]
    assert "ports.yaml:3: lead: refused:" in line and "javascript" in line
    after = (content / "en" / "ports.yaml").read_text()
    assert "javascript" not in after and "Test seizures grew in all every port" in after
    assert after.replace(" all every", " every") == before


def test_a_paragraph_typed_inside_a_field_is_refused(en_alpha, run_cli, tmp_path):
    content, package = en_alpha
    p = package.paragraph("operational support")
    new = p.__deepcopy__(None)
    for run in new.findall(w("r")):
        run.find(w("t")).text = "new lever"
        ins = package.revision("ins", ANN, DATE)
        run.addprevious(ins)
        ins.append(run)
    rpr = p.find(w("pPr")).find(w("rPr"))
    if rpr is None:
        rpr = p.find(w("pPr")).makeelement(w("rPr"), {})
        p.find(w("pPr")).append(rpr)
    rpr.append(package.revision("ins", ANN, DATE))
    for mark in new.findall(w("bookmarkStart")) + new.findall(w("bookmarkEnd")):
        new.remove(mark)
    p.addnext(new)
    reviewed = package.save(tmp_path / "reviewed.docx")
    before = tree_digest(content)
    result = review(run_cli, content, reviewed, "--apply")
    assert result.exit_code == 1
    assert ("sections[0].blocks[1].list.items[2]: refused: a paragraph or line break inside one field cannot "
            "be written back") in result.output
    assert "reviewed: operational support\nnew lever" in result.output
    assert tree_digest(content) == before


def test_a_docx_the_pipeline_did_not_make_is_refused(fixture_copy, run_cli, tmp_path):
    import docx

    other = tmp_path / "other.docx"
    document = docx.Document()
    document.add_paragraph("Alpha is a test topic.")
    document.save(other)
    result = review(run_cli, fixture_copy, other)
    assert result.exit_code == 1
    assert "other.docx: refused: it was not made by the pipeline (no PipelineAnchors document property)" \
        in result.output


@pytest.mark.parametrize("change,message", [
    (("PipelineEdition", "2025-05-01"),
     "it was built for the edition of 2025-05-01; the content is the edition of 2026-11-24"),
    (("PipelineLanguage", "de"), "it is in 'de', not a language of this edition (en, fr)"),
])
def test_a_docx_of_another_edition_or_language_is_refused(en_alpha, run_cli, tmp_path, change, message):
    content, package = en_alpha
    for prop in package.xml("docProps/custom.xml"):
        if prop.get("name") == change[0]:
            prop[0].text = change[1]
    reviewed = package.save(tmp_path / "reviewed.docx")
    before = tree_digest(content)
    result = review(run_cli, content, reviewed, "--apply")
    assert result.exit_code == 1
    assert f"reviewed.docx: refused: {message}" in result.output
    assert "Traceback" not in result.output
    assert tree_digest(content) == before


def test_lang_option_refuses_a_docx_in_another_language(en_alpha, run_cli, tmp_path):
    content, package = en_alpha
    result = review(run_cli, content, package.save(tmp_path / "reviewed.docx"), "--lang", "fr")
    assert result.exit_code == 1 and "refused: it is in 'en', not 'fr'" in result.output


# --- hostile files: refused, nothing read outside, nothing written ------------------------------


def _rezip(source: Path, target: Path, extra: dict[str, bytes] | None = None,
           replace: dict[str, bytes] | None = None, level: int = 6) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED,
                                                         compresslevel=level) as new:
        for name in old.namelist():
            new.writestr(name, (replace or {}).get(name, old.read(name)))
        for name, data in (extra or {}).items():
            new.writestr(name, data)
    return target


@pytest.fixture
def built(fixture_copy, tmp_path) -> tuple[Path, Path]:
    return fixture_copy, build(fixture_copy, "en", "alpha", tmp_path / "alpha.docx")


def _hostile(run_cli, content: Path, docx: Path, expected: str) -> None:
    before = tree_digest(content)
    around = sorted(p.name for p in docx.parent.iterdir())
    result = review(run_cli, content, docx, "--apply")
    assert result.exit_code == 1
    assert expected in result.output, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert tree_digest(content) == before
    assert sorted(p.name for p in docx.parent.iterdir()) == around, "nothing written beside the file"


def test_zip_bomb_is_refused(built, run_cli, tmp_path):
    content, docx = built
    with zipfile.ZipFile(docx) as package:
        document = package.read("word/document.xml")
    padded = document.replace(b"<w:body>", b"<w:body>" + b" " * (40 * 1024 * 1024), 1)
    bomb = _rezip(docx, tmp_path / "bomb.docx", replace={"word/document.xml": padded}, level=9)
    assert bomb.stat().st_size < 1024 * 1024
    _hostile(run_cli, content, bomb, "refused: entry 'word/document.xml' inflates")


def test_entry_names_pointing_outside_are_refused(built, run_cli, tmp_path):
    content, docx = built
    evil = _rezip(docx, tmp_path / "evil.docx", extra={"../../evil.sh": b"rm -rf /"})
    _hostile(run_cli, content, evil, "refused: entry '../../evil.sh' has a name that points outside the package")


@pytest.mark.parametrize("payload,expected", [
    ('<!DOCTYPE w:document [<!ENTITY x SYSTEM "file://{secret}">]>', "part word/document.xml has a DOCTYPE"),
    ('<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
     '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>', "part word/document.xml has a DOCTYPE"),
])
def test_xxe_and_entity_expansion_are_refused_and_nothing_is_read_outside(built, run_cli, tmp_path, payload,
                                                                          expected):
    content, docx = built
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    with zipfile.ZipFile(docx) as package:
        document = package.read("word/document.xml").decode()
    head, rest = document.split("?>", 1)
    document = head + "?>" + payload.format(secret=secret) + rest.replace("Alpha is a test topic.", "&x;&c;")
    hostile = _rezip(docx, tmp_path / "xxe.docx", replace={"word/document.xml": document.encode()})
    result = review(run_cli, content, hostile)
    assert "TOP-SECRET-VALUE" not in result.output
    _hostile(run_cli, content, hostile, expected)


def test_a_huge_comment_is_refused(built, run_cli, tmp_path):
    content, docx = built
    package = Docx(docx)
    package.comment("Alpha is a test topic.", "x" * 200_000, ANN, DATE)
    huge = package.save(tmp_path / "huge.docx")
    _hostile(run_cli, content, huge, "refused: comment 0 is 200000 characters long (a comment may have 20000)")


def test_safezip_caps_what_it_inflates_whatever_the_header_says(built, tmp_path):
    from pipeline.files.safezip import Limits, RefusedZip, SafeZip

    _, docx = built
    package = SafeZip(docx, Limits(max_entry=1000))
    with pytest.raises(RefusedZip, match="inflates to"):
        package.read("word/document.xml")
    plain = tmp_path / "plain.docx"
    plain.write_text("not a zip")
    with pytest.raises(RefusedZip, match="not a zip package"):
        SafeZip(plain)


# --- languages stay in step --------------------------------------------------------------------


def test_a_french_review_changes_only_the_french_and_its_record(fixture_copy, run_cli, tmp_path):
    content = fixture_copy
    package = Docx(build(content, "fr", "alpha", tmp_path / "alpha-fr.docx"))
    package.delete("Oui", ANN, DATE)
    package.insert("Non", "Oui", ANN, DATE)
    reviewed = package.save(tmp_path / "reviewed.docx")
    english = tree_digest(content / "en")
    states_before = {m.other.path: m.state for s in language_status(load_project(content), "fr", ["alpha"])
                     for m in s.matches if m.other is not None}
    result = review(run_cli, content, reviewed, "--apply")
    assert result.exit_code == 0, result.output
    assert "translation record updated" in result.output
    text = (content / "fr" / "alpha.yaml").read_text()
    # Only the reviewer's word changed: the typed spaces before ; ? ! stay as typed.
    assert "  - Alpha touche tout le monde ; est-ce « grave » ? Non !\n" in text
    assert tree_digest(content / "en") == english
    record = (content / "translations" / "fr.yaml").read_text()
    assert "fr: Alpha touche tout le monde ; est-ce « grave » ? Non !" in record
    states_after = {m.other.path: m.state for s in language_status(load_project(content), "fr", ["alpha"])
                    for m in s.matches if m.other is not None}
    assert states_after == states_before


def test_handbook_review_maps_front_matter_and_chapters(fixture_copy, run_cli, tmp_path):
    package = Docx(build(fixture_copy, "en", None, tmp_path / "handbook.docx"))
    package.insert(" and to train", "end to end", ANN, DATE)                   # foreword
    package.insert("Real ", None, ANN, DATE, before="Beta crime", style="Heading1")   # a chapter title
    reviewed = package.save(tmp_path / "reviewed.docx")
    code, data = review_json(run_cli, fixture_copy, reviewed, "--apply")
    assert code == 0, data
    front = (fixture_copy / "en" / "_frontmatter.yaml").read_text()
    assert "- This fixture exists to test the pipeline end to end and to train." in front
    assert "title: Real Beta crime" in (fixture_copy / "en" / "beta.yaml").read_text()


def test_a_pack_foreword_goes_back_into_the_strings_of_its_language(run_cli, tmp_path):
    """A briefing pack's title and foreword live in _strings.yaml under its id."""
    content = tmp_path / "packs"
    shutil.copytree(FIXTURES / "packs", content)
    package = Docx(build(content, "en", "pack:maritime-seminar", tmp_path / "pack.docx"))
    word = "seminar needs"
    assert word in load_project(content).languages["en"].strings.packs["maritime-seminar"].foreword[0]
    package.insert(" (revised)", word, ANN, DATE)
    code, data = review_json(run_cli, content, package.save(tmp_path / "reviewed.docx"), "--apply")
    assert code == 0, data
    (field,) = data["fields"]
    assert (field["document"], field["field"]) == ("_strings", ["packs", "maritime-seminar", "foreword", 0])
    assert "/en/_strings.yaml:" in field["where"] and field["where"].endswith("packs.maritime-seminar.foreword[0]")
    assert f"{word} (revised)" in (content / "en" / "_strings.yaml").read_text()
