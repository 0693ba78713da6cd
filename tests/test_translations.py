"""Translation status, accept, XLIFF export/import and the build gate, as users meet them.

Most tests edit a copy of the tiny fixture (`tests/fixtures/valid`, a draft edition
whose French is recorded as current); one checks that the real content is current.
"""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from pipeline.content.project import load_project
from pipeline.translations.status import check_build, counts, language_status

NS = "urn:oasis:names:tc:xliff:document:2.0"


def q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under the content folder, by relative path: for byte-identity checks."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def pending(root: Path, lang: str = "fr") -> list[tuple[str, str, str]]:
    """(state, document, field path) of every field that is not current."""
    statuses = language_status(load_project(root), lang)
    return [(m.state, s.doc, (m.other or m.english).unit_id) for s in statuses for m in s.pending]


def add_language(root: Path, code: str = "de") -> None:
    """A third language: French copied as-is (with its record), so it starts current."""
    shutil.copytree(root / "fr", root / code)
    edit(root, f"{code}/_strings.yaml", "language: fr", f"language: {code}")
    edit(root, f"{code}/_strings.yaml", "locale: fr-FR", f"locale: {code}-DE")
    record = (root / "translations" / "fr.yaml").read_text(encoding="utf-8")
    (root / "translations" / f"{code}.yaml").write_text(record.replace("\n  fr: ", f"\n  {code}: "),
                                                        encoding="utf-8")
    edit(root, "edition.yaml", "languages: [en, fr]", f"languages: [en, fr, {code}]")


ALPHA_P = "      - Alpha networks earn 90% of their income from *beta* activities.\n"


# --- status -------------------------------------------------------------------------------


def test_fixture_is_current_and_status_exits_0(fixture_copy, run_cli):
    result = run_cli("--content", fixture_copy, "translations")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["language", "document", "current", "stale", "missing", "obsolete"]
    assert lines[-2].split() == ["fr", "(total)", "87", "0", "0", "0"]


def test_editing_one_english_paragraph_flags_exactly_that_field_in_every_language(fixture_copy, run_cli):
    add_language(fixture_copy)
    assert pending(fixture_copy, "de") == []
    edit(fixture_copy, "en/alpha.yaml", "earn 90% of", "earn 80% of")
    for lang in ("fr", "de"):
        assert pending(fixture_copy, lang) == [("stale", "alpha", "sections.0.blocks.0")]
    result = run_cli("--content", fixture_copy, "translations")
    assert result.exit_code == 1
    assert f"{fixture_copy}/fr/alpha.yaml:9: sections[0].blocks[0]: stale: its en changed since it was " \
           f"translated ({fixture_copy}/en/alpha.yaml:9)" in result.stdout
    assert f"{fixture_copy}/de/alpha.yaml:9: sections[0].blocks[0]: stale" in result.stdout


def test_diff_shows_english_then_and_now_and_the_translation(fixture_copy, run_cli):
    edit(fixture_copy, "en/alpha.yaml", "earn 90% of", "earn 80% of")
    result = run_cli("--content", fixture_copy, "translations", "--lang", "fr", "--topic", "alpha", "--diff")
    assert result.exit_code == 1
    out = result.stdout
    assert "en then: Alpha networks earn 90% of their income from *beta* activities." in out
    assert "en now:  Alpha networks earn 80% of their income from *beta* activities." in out
    assert "Alpha networks earn [-90-]{+80+}% of their income" in out
    assert "    fr:      Les réseaux alpha tirent 90 % de leurs revenus d'activités *bêta*." in out
    assert "beta" not in [line.split()[1] for line in out.splitlines()[1:] if line.startswith("fr ")]


def test_inserting_an_english_block_flags_only_that_block(fixture_copy, run_cli):
    edit(fixture_copy, "en/alpha.yaml", ALPHA_P, "      - A new paragraph in the middle.\n" + ALPHA_P)
    assert pending(fixture_copy) == [("missing", "alpha", "sections.0.blocks.0")]
    # A draft still validates and builds, with one warning line for the language.
    result = run_cli("--content", fixture_copy, "validate")
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == ("warning: translations fr: 1 missing "
                                     "(list them: pipeline translations --lang fr)")


def test_moving_blocks_flags_nothing(fixture_copy, run_cli):
    figure = "      - key_figure:\n          value: Over 90%\n          text: of test goods travel by sea.\n"
    edit(fixture_copy, "en/alpha.yaml", figure, "")
    edit(fixture_copy, "en/alpha.yaml", "intro:\n", "intro:\n" + figure.replace("      ", "  ", 1)
         .replace("          ", "      "))
    edit(fixture_copy, "en/alpha.yaml", "            - information sharing\n            - training\n",
         "            - training\n            - information sharing\n")
    assert load_project(fixture_copy).languages["en"].topics["alpha"].intro[0].key_figure.value == "Over 90%"
    assert pending(fixture_copy) == []
    result = run_cli("--content", fixture_copy, "translations", "--diff")
    assert result.exit_code == 0
    assert f"{fixture_copy}/fr/alpha.yaml:17: sections[0].blocks[2].key_figure.value: note: moved in en " \
           "(now intro[0].key_figure.value); current, its place here is unchanged" in result.stdout


def test_deleting_an_english_block_makes_its_translation_obsolete(fixture_copy):
    edit(fixture_copy, "en/alpha.yaml", ALPHA_P, "")
    assert pending(fixture_copy) == [("obsolete", "alpha", "sections.0.blocks.0")]


def test_accept_clears_and_changes_only_what_it_accepts(fixture_copy, run_cli):
    edit(fixture_copy, "en/alpha.yaml", "earn 90% of", "earn 80% of")
    edit(fixture_copy, "en/beta.yaml", "title: Beta crime", "title: Beta offences")
    record = fixture_copy / "translations" / "fr.yaml"
    before = record.read_text(encoding="utf-8").splitlines()
    result = run_cli("--content", fixture_copy, "translations", "accept", "--lang", "fr", "--topic", "alpha")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("accepted 1 field in fr; record")
    assert pending(fixture_copy) == [("stale", "beta", "title")]
    after = record.read_text(encoding="utf-8").splitlines()
    changed = [line for line in after if line not in before]
    assert changed == ["- en: Alpha networks earn 80% of their income from *beta* activities."]
    assert run_cli("--content", fixture_copy, "translations", "accept", "--lang", "fr").exit_code == 0
    assert run_cli("--content", fixture_copy, "translations").exit_code == 0


@pytest.mark.slow
def test_a_language_without_a_record_is_all_missing_and_a_draft_still_builds(fixture_copy, tmp_path, run_cli):
    add_language(fixture_copy)
    (fixture_copy / "translations" / "de.yaml").unlink()
    statuses = language_status(load_project(fixture_copy), "de")
    assert counts(statuses) == {"current": 0, "stale": 0, "missing": 87, "obsolete": 0}
    result = run_cli("--content", fixture_copy, "--build-dir", tmp_path / "build", "build", "--lang", "de",
                     "--format", "pdf", "--no-handbook")
    assert result.exit_code == 0, result.output
    assert "warning: translations de: 87 missing (list them: pipeline translations --lang de)" in result.stderr
    assert (tmp_path / "build/de/factsheets/alpha-de.pdf").exists()


def test_unknown_language_or_topic_is_a_usage_error(fixture_copy, run_cli):
    result = run_cli("--content", fixture_copy, "translations", "--lang", "en")
    assert result.exit_code == 2
    assert "unknown language 'en'. Valid: fr." in result.stderr
    result = run_cli("--content", fixture_copy, "translations", "--topic", "alpah")
    assert "unknown topic 'alpah'. Did you mean 'alpha'? Valid: _strings, _frontmatter, alpha, beta." in result.stderr


# --- build gate -----------------------------------------------------------------------------


@pytest.mark.slow  # a build of every document, with its worker pool
def test_final_edition_with_one_stale_field_does_not_build(fixture_copy, tmp_path, run_cli):
    edit(fixture_copy, "edition.yaml", "status: draft", "status: final")
    edit(fixture_copy, "en/beta.yaml", "title: Beta crime", "title: Beta offences")
    build_dir = tmp_path / "build"
    result = run_cli("--content", fixture_copy, "--build-dir", build_dir, "build")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"Error: {fixture_copy}/fr/beta.yaml:2: title: stale: its en changed since it was translated "
        f"({fixture_copy}/en/beta.yaml:2)",
        "1 translation not current: a final edition needs every language in step "
        "(see: pipeline translations --lang fr --diff)",
    ]
    assert not build_dir.exists() or not any(build_dir.rglob("*.pdf"))
    # The same gate in validate and in single-document commands; English alone still builds.
    assert run_cli("--content", fixture_copy, "validate").exit_code == 1
    assert run_cli("--content", fixture_copy, "factsheet", "beta", "--lang", "fr", "-o",
                   tmp_path / "x.pdf").exit_code == 1
    assert check_build(load_project(fixture_copy), ["en"]) == []


def test_real_content_translations_are_current(project):
    from pipeline.translations.status import translated_languages

    for lang in translated_languages(project):
        statuses = language_status(project, lang)
        assert [str(m) for s in statuses for m in s.pending] == []
        assert counts(statuses)["current"] > 100
    assert check_build(project, list(project.edition.languages)) == []


# --- XLIFF export -----------------------------------------------------------------------------


@pytest.fixture
def exported(fixture_copy, tmp_path, run_cli):
    """The fixture's French exported after one English edit: (content, xliff path)."""
    edit(fixture_copy, "en/alpha.yaml", "earn 90% of", "earn 80% of")
    out = tmp_path / "fr.xlf"
    result = run_cli("--content", fixture_copy, "translations", "export", "--lang", "fr", "-o", out)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"wrote {out}: 87 units (fr)"
    return fixture_copy, out


def test_translate_toolkit_reads_the_export(exported):
    from translate.storage.xliff2 import Xliff2File

    _, path = exported
    store = Xliff2File.parsefile(str(path))
    assert store.getsourcelanguage() == "en" and store.gettargetlanguage() == "fr"
    units = {u.getid(): u for u in store.units}
    assert len(units) == 87
    title = units["alpha:title"]
    assert (title.source, title.target, title.istranslated(), title.isfuzzy()) == \
        ("Alpha crime", "Criminalité alpha", True, False)
    stale = units["alpha:sections.0.blocks.0"]
    assert stale.source == "Alpha networks earn 80% of their income from beta activities."
    assert stale.target == "Les réseaux alpha tirent 90 % de leurs revenus d'activités bêta."
    assert stale.isfuzzy() and not stale.istranslated()
    notes = {n.get("category"): n.text for n in stale.getunitelement().iter(q("note"))}
    assert notes["previous-source"] == "Alpha networks earn 90% of their income from *beta* activities."
    # Emphasis is an inline code that the toolkit sees as such, not asterisks.
    pcs = [(pc.get("subType"), pc.text) for pc in stale.xmlelement.find(q("source")).iter(q("pc"))]
    assert pcs == [("xlf:i", "beta")]
    placeholder = units["_strings:labels.page_of"].xmlelement.find(q("source"))
    assert [ph.get("disp") for ph in placeholder.iter(q("ph"))] == ["{page}", "{pages}"]


def test_export_glossary_notes_and_only_stale(exported, tmp_path, run_cli):
    content, _ = exported
    glossary = content / "glossary.yaml"
    glossary.write_text("- {en: test goods, fr: marchandises de test}\n", encoding="utf-8")
    out = tmp_path / "stale.xlf"
    result = run_cli("--content", content, "translations", "export", "--lang", "fr", "--only-stale", "-o", out)
    assert result.stdout.strip() == f"wrote {out}: 1 unit (fr)"
    assert [u.get("id") for u in etree.parse(str(out)).iter(q("unit"))] == ["alpha:sections.0.blocks.0"]
    run_cli("--content", content, "translations", "export", "--lang", "fr", "--topic", "alpha", "-o", out)
    unit = next(u for u in etree.parse(str(out)).iter(q("unit")) if u.get("id").endswith("key_figure.text"))
    assert [(n.get("category"), n.text) for n in unit.iter(q("note"))] == \
        [("glossary", "test goods = marchandises de test")]


# --- XLIFF import -----------------------------------------------------------------------------


def fill(path: Path, targets: dict[str, str], state: str = "translated", out: Path | None = None) -> Path:
    """Edit an XLIFF file as a CAT tool would: new targets (inline codes as XML), state set."""
    tree = etree.parse(str(path))
    for unit in tree.iter(q("unit")):
        if unit.get("id") not in targets:
            continue
        segment = unit.find(q("segment"))
        old = segment.find(q("target"))
        if old is not None:
            segment.remove(old)
        segment.append(etree.fromstring(f'<target xmlns="{NS}">{targets[unit.get("id")]}</target>'))
        segment.set("state", state)
    out = out or path
    tree.write(str(out), xml_declaration=True, encoding="UTF-8")
    return out


def test_export_then_import_unchanged_leaves_every_file_byte_identical(exported, run_cli):
    content, path = exported
    before = snapshot(content)
    result = run_cli("--content", content, "translations", "import", path)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "imported 86 units into fr (no file changed); 1 not marked translated"
    assert snapshot(content) == before
    # The same after a CAT tool re-serialised the file and marked every unit translated.
    tree = etree.parse(str(path))
    for segment in tree.iter(q("segment")):
        segment.set("state", "translated")
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    assert run_cli("--content", content, "translations", "import", path).exit_code == 0
    changed = [rel for rel, data in snapshot(content).items() if before[rel] != data]
    assert changed == ["translations/fr.yaml"]  # the stale unit is now recorded as translated


I_BETA = '<pc id="1" type="fmt" subType="xlf:i">bêta</pc>'


def test_cat_edited_file_imports_and_the_french_pdf_shows_it(exported, tmp_path, run_cli):
    content, path = exported
    fill(path, {"alpha:sections.0.blocks.0":
                f"Les réseaux alpha tirent désormais l'essentiel de leurs revenus d'activités {I_BETA}."})
    fr_before = (content / "fr/alpha.yaml").read_text(encoding="utf-8").splitlines()
    result = run_cli("--content", content, "translations", "import", path)
    assert result.exit_code == 0, result.output
    fr_after = (content / "fr/alpha.yaml").read_text(encoding="utf-8").splitlines()
    assert [(a, b) for a, b in zip(fr_before, fr_after, strict=True) if a != b] == [(
        "      - Les réseaux alpha tirent 90 % de leurs revenus d'activités *bêta*.",
        "      - Les réseaux alpha tirent désormais l'essentiel de leurs revenus d'activités *bêta*.")]
    assert pending(content) == []
    pdf = tmp_path / "alpha-fr.pdf"
    result = run_cli("--content", content, "factsheet", "alpha", "--lang", "fr", "-o", pdf)
    assert result.exit_code == 0, result.output
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "désormais l’essentiel de leurs revenus" in " ".join(text.split())


def test_import_adds_blocks_and_items_the_english_gained(fixture_copy, tmp_path, run_cli):
    edit(fixture_copy, "en/beta.yaml", "      - quote:\n",
         "      - A new *English* paragraph.\n      - list:\n          intro: \"New list:\"\n"
         "          items:\n            - one\n            - two\n      - quote:\n")
    item = "            - training\n"
    edit(fixture_copy, "en/alpha.yaml", item, item + "            - a new item\n")
    assert len(pending(fixture_copy)) == 5
    path = tmp_path / "fr.xlf"
    run_cli("--content", fixture_copy, "translations", "export", "--lang", "fr", "--only-stale", "-o", path)
    fill(path, {"beta:sections.0.blocks.1": 'Un nouveau paragraphe <pc id="1" type="fmt" subType="xlf:i">'
                                            'français</pc>.',
                "beta:sections.0.blocks.2.list.intro": "Nouvelle liste :",
                "beta:sections.0.blocks.2.list.items.0": "un",
                "beta:sections.0.blocks.2.list.items.1": "deux",
                "alpha:sections.0.blocks.1.list.items.2": "un nouvel élément"})
    beta_before = (fixture_copy / "fr/beta.yaml").read_text(encoding="utf-8")
    result = run_cli("--content", fixture_copy, "translations", "import", path)
    assert result.exit_code == 0, result.output
    assert pending(fixture_copy) == []
    beta_after = (fixture_copy / "fr/beta.yaml").read_text(encoding="utf-8")
    assert beta_after == beta_before.replace("      - quote:\n", (
        "      - Un nouveau paragraphe *français*.\n      - list:\n          intro: 'Nouvelle liste :'\n"
        "          items:\n            - un\n            - deux\n      - quote:\n"))
    assert "            - la formation\n            - un nouvel élément\n" in \
        (fixture_copy / "fr/alpha.yaml").read_text(encoding="utf-8")


def test_a_new_block_needs_all_its_units(fixture_copy, tmp_path, run_cli):
    edit(fixture_copy, "en/beta.yaml", "      - quote:\n",
         "      - list:\n          items:\n            - one\n            - two\n      - quote:\n")
    path = tmp_path / "fr.xlf"
    run_cli("--content", fixture_copy, "translations", "export", "--lang", "fr", "--only-stale", "-o", path)
    fill(path, {"beta:sections.0.blocks.1.list.items.0": "un"})
    before = snapshot(fixture_copy)
    result = run_cli("--content", fixture_copy, "translations", "import", path)
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"Error: {path}: a new part of the English needs all its units translated "
                                     "to be added; not translated: beta:sections.0.blocks.1.list.items.1")
    assert snapshot(fixture_copy) == before


# --- refusals: one line, exit 1, content byte-identical -----------------------------------------


def _older_english(content: Path, path: Path) -> None:
    edit(content, "en/alpha.yaml", "title: Alpha crime", "title: Alpha offences")
    edit(content, "en/beta.yaml", "lead: Beta is the second test topic.", "lead: Beta is the second topic.")


def _unknown_unit(content: Path, path: Path) -> None:
    text = path.read_text(encoding="utf-8").replace('id="alpha:lead"', 'id="alpha:sections.7.heading"')
    text = text.replace("<source>Alpha is a test topic.</source>", "<source>Not in the content.</source>")
    path.write_text(text.replace('<file id="beta"', '<file id="gamma"'), encoding="utf-8")


def _missing_code(content: Path, path: Path) -> None:
    fill(path, {"alpha:sections.0.blocks.0": "Les réseaux alpha tirent 80 % de leurs revenus d'activités bêta."})


def _broken_code(content: Path, path: Path) -> None:
    fill(path, {"alpha:sections.0.blocks.0": 'Les réseaux alpha tirent <pc id="1" type="fmt" subType="xlf:b">'
                                             '80 %</pc> de leurs revenus d\'activités.'})


def _literal_star(content: Path, path: Path) -> None:
    fill(path, {"alpha:title": "Criminalité *alpha*"})


def _empty_target(content: Path, path: Path) -> None:
    fill(path, {"alpha:lead": ""})


def _wrong_language(content: Path, path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace('trgLang="fr"', 'trgLang="de"'), encoding="utf-8")


def _malformed(content: Path, path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace("</target>", "</targt>", 3), encoding="utf-8")


def _billion_laughs(content: Path, path: Path) -> None:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    text = path.read_text(encoding="utf-8").replace(
        "<xliff ", f"<!DOCTYPE xliff [{entities}]>\n<xliff ", 1).replace("<target>Criminalité alpha", "<target>&lol9;")
    path.write_text(text, encoding="utf-8")


def _external_entity(content: Path, path: Path) -> None:
    text = path.read_text(encoding="utf-8").replace(
        "<xliff ", '<!DOCTYPE xliff [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<xliff ', 1)
    path.write_text(text.replace("<target>Criminalité alpha", "<target>&x;"), encoding="utf-8")


REFUSALS = [
    (_older_english, "{x}: exported from an older en: the source of these units changed since (export again): "
                     "alpha:title, beta:lead"),
    (_unknown_unit, "{x}: unknown units (not in this content): alpha:sections.7.heading, gamma:beta:title, "
                    "gamma:beta:lead, gamma:beta:sections.0.heading, gamma:beta:sections.0.blocks.0.focus.title, "
                    "gamma:beta:sections.0.blocks.0.focus.body.0, gamma:beta:sections.0.blocks.1.quote.text, "
                    "gamma:beta:sections.0.subsections.0.heading, gamma:beta:sections.0.subsections.0.blocks.0"),
    (_missing_code, "{x}: missing or broken inline codes: alpha:sections.0.blocks.0 (inline code 1 missing)"),
    (_broken_code, "{x}: missing or broken inline codes: alpha:sections.0.blocks.0 "
                   "(inline code 1 changed its formatting)"),
    (_literal_star, "{x}: missing or broken inline codes: alpha:title ('*' in the text would read as emphasis)"),
    (_empty_target, "{x}: empty target in units marked translated: alpha:lead"),
    (_wrong_language, "{x}: target language 'de' is not a translated language of this edition (fr)"),
    (_malformed, "{x}:7: malformed XML: mismatched tag (column 27)"),
    (_billion_laughs, "{x}: refused: the file has a DOCTYPE (entity declarations can expand without limit or "
                      "read local files); XLIFF needs none"),
    (_external_entity, "{x}: refused: the file has a DOCTYPE (entity declarations can expand without limit or "
                       "read local files); XLIFF needs none"),
]


@pytest.mark.parametrize(("spoil", "message"), REFUSALS, ids=[f.__name__.strip("_") for f, _ in REFUSALS])
def test_bad_xliff_is_refused_in_one_line_and_changes_nothing(fixture_copy, tmp_path, run_cli, spoil, message):
    path = tmp_path / "fr.xlf"
    assert run_cli("--content", fixture_copy, "translations", "export", "--lang", "fr", "-o", path).exit_code == 0
    fill(path, {"alpha:sections.0.blocks.0": f"Les réseaux alpha tirent 80 % de leurs revenus d'activités {I_BETA}."})
    spoil(fixture_copy, path)
    before = snapshot(fixture_copy)
    result = run_cli("--content", fixture_copy, "translations", "import", path)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.strip() == "Error: " + message.format(x=path)
    assert snapshot(fixture_copy) == before


def test_import_lang_option_refuses_another_language(fixture_copy, tmp_path, run_cli):
    add_language(fixture_copy)
    path = tmp_path / "de.xlf"
    run_cli("--content", fixture_copy, "translations", "export", "--lang", "de", "-o", path)
    result = run_cli("--content", fixture_copy, "translations", "import", "--lang", "fr", path)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {path}: the file translates into 'de', not 'fr'"


def test_unit_ids_survive_an_english_structure_edit(fixture_copy, tmp_path, run_cli):
    """A file exported before an English paragraph was inserted still imports: units are found by source."""
    path = tmp_path / "fr.xlf"
    run_cli("--content", fixture_copy, "translations", "export", "--lang", "fr", "-o", path)
    fill(path, {"alpha:sections.0.blocks.1.list.items.1": "l'entraînement"})
    edit(fixture_copy, "en/alpha.yaml", ALPHA_P, "      - A new paragraph first.\n" + ALPHA_P)
    result = run_cli("--content", fixture_copy, "translations", "import", path)
    assert result.exit_code == 0, result.output
    assert "            - l'entraînement\n" in (fixture_copy / "fr/alpha.yaml").read_text(encoding="utf-8")
    assert pending(fixture_copy) == [("missing", "alpha", "sections.0.blocks.0")]


def test_an_import_that_would_make_content_invalid_is_refused(fixture_copy, tmp_path, run_cli):
    path = tmp_path / "fr.xlf"
    run_cli("--content", fixture_copy, "translations", "export", "--lang", "fr", "-o", path)
    # Both placeholders kept, but in an order the label's schema refuses.
    fill(path, {"_strings:labels.page_of": '<ph id="2" type="other" disp="{pages}" equiv="{pages}"/> pages, '
                                           'page <ph id="1" type="other" disp="{page}" equiv="{page}"/>'})
    before = snapshot(fixture_copy)
    result = run_cli("--content", fixture_copy, "translations", "import", path)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: {fixture_copy}/fr/_strings.yaml:8: labels.page_of: String should match pattern "
        "'\\{page\\}.*\\{pages\\}'",
        f"{path}: not imported: the result would not be valid"]
    assert snapshot(fixture_copy) == before


def changed_lines(old: list[str], new: list[str]) -> tuple[list[str], list[str]]:
    """The lines that differ, as (old, new): what lies between the lines both versions
    start with and the lines both end with."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    return old[start:len(old) - end], new[start:len(new) - end]


def test_yaml_edits_change_only_the_edited_value_in_every_real_french_file():
    """Each French text of the real content replaced in turn (quoted, plain, in flow lists, with
    characters YAML must quote): the file parses to exactly the intended data and only that
    value's line changes."""
    import yaml

    from pipeline.translations import yamlwrite
    from pipeline.translations.fields import fields_of

    root = Path(__file__).resolve().parent.parent / "content" / "fr"
    checked = 0
    for path in sorted(root.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        data = yaml.load(text, Loader=yaml.CSafeLoader)  # libyaml: an independent reader, and fast
        for n, field in enumerate(fields_of(path.stem, data)):
            new_value = field.text + (" – revu: « 2 » # ok, [x]" if n % 2 else " revu")
            new_text = yamlwrite.apply(text, [yamlwrite.Replace(field.path, new_value)])
            expected = copy.deepcopy(data)
            target = expected
            for part in field.path[:-1]:
                target = target[part]
            target[field.path[-1]] = new_value
            assert yaml.load(new_text, Loader=yaml.CSafeLoader) == expected, (path.name, field.path)
            # Only the value's line changes, every other line is kept (a value the content
            # writes over several lines, as YAML allows, is written on one).
            removed, added = changed_lines(text.splitlines(), new_text.splitlines())
            assert len(added) == 1 and len(removed) >= 1, (path.name, field.path, removed, added)
            assert all(line.strip() and not line.lstrip().startswith("#") for line in removed), removed
            checked += 1
    assert checked > 100


# --- pipeline list: modified dates ----------------------------------------------------------------


def _list_dates(run_cli, content: Path) -> dict[str, list[str]]:
    result = run_cli("--content", content, "list")
    assert result.exit_code == 0, result.output
    return {line.split()[0]: [w for w in line.split() if w[:2] == "20" and len(w) == 10]
            for line in result.stdout.splitlines()[1:]}


def test_list_dates_come_from_git_commits_and_fall_back_to_mtime(fixture_copy, tmp_path_factory, run_cli):
    import datetime as dt
    import os

    repo = fixture_copy.parent
    env = {**os.environ, "GIT_AUTHOR_DATE": "2020-01-02T12:00:00", "GIT_COMMITTER_DATE": "2020-01-02T12:00:00"}
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "content"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "content"], cwd=repo, check=True, env=env)
    # Every mtime says today (as after a fresh clone); the commit date wins.
    assert _list_dates(run_cli, fixture_copy) == {"alpha": ["2020-01-02"] * 2, "beta": ["2020-01-02"] * 2}
    # An uncommitted change shows the file's own modification time.
    edit(fixture_copy, "fr/beta.yaml", "Bêta est souvent", "Bêta est fréquemment")
    os.utime(fixture_copy / "fr/beta.yaml", (1_700_000_000, 1_700_000_000))
    day = dt.date.fromtimestamp(1_700_000_000).isoformat()
    assert _list_dates(run_cli, fixture_copy)["beta"] == ["2020-01-02", day]
    # Outside git: modification times.
    plain = tmp_path_factory.mktemp("outside-git") / "content"
    shutil.copytree(fixture_copy, plain)
    for path in plain.rglob("*.yaml"):
        os.utime(path, (1_600_000_000, 1_600_000_000))
    old = dt.date.fromtimestamp(1_600_000_000).isoformat()
    assert _list_dates(run_cli, plain) == {"alpha": [old] * 2, "beta": [old] * 2}


def test_a_translation_with_other_emphasis_than_its_english_round_trips(fixture_copy, tmp_path, run_cli):
    """Unchanged targets import unchanged even when their inline codes differ from the source's."""
    edit(fixture_copy, "fr/beta.yaml", "Bêta est souvent lié à alpha.", "Bêta est *souvent* lié à **alpha**.")
    run_cli("--content", fixture_copy, "translations", "accept", "--lang", "fr")
    path = tmp_path / "fr.xlf"
    run_cli("--content", fixture_copy, "translations", "export", "--lang", "fr", "-o", path)
    tree = etree.parse(str(path))
    for segment in tree.iter(q("segment")):
        segment.set("state", "reviewed")
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    before = snapshot(fixture_copy)
    result = run_cli("--content", fixture_copy, "translations", "import", path)
    assert result.exit_code == 0, result.output
    assert snapshot(fixture_copy) == before


def test_accept_says_what_it_cannot_accept(fixture_copy, run_cli):
    edit(fixture_copy, "en/alpha.yaml", ALPHA_P, "      - A new paragraph in the middle.\n" + ALPHA_P)
    edit(fixture_copy, "en/beta.yaml", "title: Beta crime", "title: Beta offences")
    result = run_cli("--content", fixture_copy, "translations", "accept", "--lang", "fr")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1] == "still not current (no translation to accept): fr: 1 missing"
    assert pending(fixture_copy) == [("missing", "alpha", "sections.0.blocks.0")]


def test_a_block_added_by_hand_in_both_languages_is_missing_until_accepted(fixture_copy, run_cli):
    """The editor's everyday path: the new paragraph typed in both files, then accepted."""
    edit(fixture_copy, "en/alpha.yaml", ALPHA_P, ALPHA_P + "      - A new English paragraph.\n")
    fr_p = "      - Les réseaux alpha tirent 90 % de leurs revenus d'activités *bêta*.\n"
    edit(fixture_copy, "fr/alpha.yaml", fr_p, fr_p + "      - Un nouveau paragraphe.\n")
    assert pending(fixture_copy) == [("missing", "alpha", "sections.0.blocks.1")]
    assert run_cli("--content", fixture_copy, "translations", "accept", "--lang", "fr").exit_code == 0
    assert pending(fixture_copy) == []
    record = (fixture_copy / "translations" / "fr.yaml").read_text(encoding="utf-8")
    assert "- en: A new English paragraph.\n  fr: Un nouveau paragraphe.\n" in record


def test_revising_a_translation_alone_keeps_it_current(fixture_copy):
    edit(fixture_copy, "fr/alpha.yaml", "tirent 90 % de leurs revenus", "tirent 90 % de l'ensemble de leurs revenus")
    edit(fixture_copy, "fr/beta.yaml", "title: Criminalité bêta", "title: Délinquance bêta")
    assert pending(fixture_copy) == []
