"""`pipeline new`: a registered topic with skeletons that validation points at, or nothing at all."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from pipeline.content.scaffold import new_topic

ROOT = Path(__file__).resolve().parent.parent


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_new_topic_registers_and_scaffolds(fixture_copy, run_cli):
    before = (fixture_copy / "edition.yaml").read_text(encoding="utf-8")
    result = run_cli("--content", fixture_copy, "new", "cyber-crime", "--code", "CYB", "--title", "Cybercrime")
    assert result.exit_code == 0, result.output
    after = (fixture_copy / "edition.yaml").read_text(encoding="utf-8")
    # Round trip: every line kept as it was (flow mappings, order), one line added at the end of topics.
    assert after == before + "  - {id: cyber-crime, code: CYB, revision: 1}\n"
    en = (fixture_copy / "en" / "cyber-crime.yaml").read_text(encoding="utf-8")
    fr = (fixture_copy / "fr" / "cyber-crime.yaml").read_text(encoding="utf-8")
    assert en.startswith("# A new topic, started by `pipeline new`.")
    assert 'title: "Cybercrime"' in en and 'title: "TO TRANSLATE: Cybercrime"' in fr
    assert "# A block is a paragraph" in en and "content/en/cyber-crime.yaml" in fr


def test_validate_points_at_exactly_what_is_left_to_write(fixture_copy, run_cli):
    assert run_cli("--content", fixture_copy, "new", "cyber-crime", "--code", "CYB").exit_code == 0
    result = run_cli("--content", fixture_copy, "validate")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == f"{len(lines) - 1} content problems found"
    located = [re.fullmatch(r"(?:Error: )?(.+):(\d+): ([\w.\[\]]+): to write \(.*\)", line) for line in lines[:-1]]
    assert all(located), lines
    for match in located:
        path, line, _ = match.groups()
        text = Path(path).read_text(encoding="utf-8").splitlines()[int(line) - 1]
        assert "TO WRITE" in text, f"{path}:{line} does not hold a placeholder: {text}"
    fields = {(Path(m[1]).parent.name, m[3]) for m in located}
    # The translation skeleton is valid text: what is left to translate is translation status.
    expected = {"title", "lead", "intro[0]", "sections[0].heading", "sections[0].blocks[0]"}
    assert fields == {("en", f) for f in expected}


def _write_english(content: Path) -> None:
    """The reference text of the new topic, with a structure of its own (a list the skeleton lacks)."""
    path = content / "en" / "cyber-crime.yaml"
    path.write_text(
        "id: cyber-crime\ntitle: Cybercrime\nlead: Crime without borders.\nsections:\n"
        "  - heading: The problem\n    blocks:\n      - Criminals exploit the *anonymity* of the internet.\n"
        "      - list:\n          items: [attacks on computer systems, online fraud]\nrelated: []\n",
        encoding="utf-8")


def test_translation_skeleton_is_missing_until_translated_through_xliff(fixture_copy, run_cli, tmp_path):
    from lxml import etree

    assert run_cli("--content", fixture_copy, "new", "cyber-crime", "--code", "CYB").exit_code == 0
    _write_english(fixture_copy)
    assert run_cli("--content", fixture_copy, "validate").exit_code == 0  # a draft: a warning, not an error
    status = run_cli("--content", fixture_copy, "translations", "--topic", "cyber-crime")
    assert status.exit_code == 1
    assert status.stdout.splitlines()[1].split() == ["fr", "cyber-crime", "0", "0", "6", "1"]
    assert "fr/cyber-crime.yaml:6: title: missing: still the placeholder of 'pipeline new'" in status.stdout
    # Accepting records nothing for a placeholder.
    assert run_cli("--content", fixture_copy, "translations", "accept", "--lang", "fr").exit_code == 0
    again = run_cli("--content", fixture_copy, "translations", "--topic", "cyber-crime")
    assert again.stdout.splitlines()[1].split() == ["fr", "cyber-crime", "0", "0", "6", "1"]
    # Exported without targets; translated in a CAT tool; imported: current.
    xlf = tmp_path / "cy.xlf"
    assert run_cli("--content", fixture_copy, "translations", "export", "--lang", "fr", "--topic", "cyber-crime",
                   "-o", xlf).exit_code == 0
    ns = {"x": "urn:oasis:names:tc:xliff:document:2.0"}
    tree = etree.parse(str(xlf))
    units = tree.findall(".//x:unit", ns)
    assert len(units) == 6 and not tree.findall(".//x:target", ns)
    french = {"title": "Cybercriminalité", "lead": "Une criminalité sans frontières.",
              "sections.0.heading": "Problématique",
              "sections.0.blocks.1.list.items.0": "les attaques contre des systèmes informatiques",
              "sections.0.blocks.1.list.items.1": "la fraude en ligne"}
    for unit in units:
        segment = unit.find("x:segment", ns)
        key = unit.get("id").split(":", 1)[1]
        if key == "sections.0.blocks.0":  # keep the inline code of the emphasis
            source = segment.find("x:source", ns)
            target = etree.fromstring(etree.tostring(source).replace(b"source", b"target"))
            target.text, target[0].text = "Les criminels exploitent l’", "anonymat"
            target[0].tail = " d’Internet."
            segment.append(target)
        else:
            etree.SubElement(segment, f"{{{ns['x']}}}target").text = french[key]
        segment.set("state", "translated")
    tree.write(str(xlf), xml_declaration=True, encoding="UTF-8")
    result = run_cli("--content", fixture_copy, "translations", "import", xlf)
    assert result.exit_code == 0, result.output
    path = fixture_copy / "fr" / "cyber-crime.yaml"
    text = path.read_text(encoding="utf-8")
    assert "*anonymat*" in text and 'title: "Cybercriminalité"' in text
    # The skeleton's intro has no English any more: obsolete, named, to be removed by hand.
    status = run_cli("--content", fixture_copy, "translations", "--topic", "cyber-crime")
    assert status.stdout.splitlines()[1].split() == ["fr", "cyber-crime", "6", "0", "0", "1"], status.output
    assert "intro[0]: obsolete: its en was deleted; remove it" in status.stdout
    path.write_text(text.replace('intro:\n  - "TO TRANSLATE: an opening paragraph"\n', ""), encoding="utf-8")
    final = run_cli("--content", fixture_copy, "translations", "--topic", "cyber-crime")
    assert final.exit_code == 0 and "TO TRANSLATE:" not in path.read_text(encoding="utf-8"), final.output


def test_a_filled_in_topic_builds(fixture_copy, run_cli, tmp_path):
    assert run_cli("--content", fixture_copy, "new", "cyber-crime", "--code", "CYB").exit_code == 0
    for lang, word in (("en", "Online"), ("fr", "En ligne")):
        path = fixture_copy / lang / "cyber-crime.yaml"
        text = path.read_text(encoding="utf-8")
        text = re.sub(r'"TO (?:WRITE|TRANSLATE): ([^"]*)"', lambda m, w=word: f'"{w}: {m[1]}."', text)
        path.write_text(text, encoding="utf-8")
    assert run_cli("--content", fixture_copy, "validate").exit_code == 0
    out = tmp_path / "cyber-fr.pdf"
    result = run_cli("--content", fixture_copy, "factsheet", "cyber-crime", "--lang", "fr", "-o", out)
    assert result.exit_code == 0, result.output
    text = PdfReader(out).pages[0].extract_text().replace("\xa0", " ")
    assert "En ligne : one sentence that sums up the topic" in text, text  # French typography applied
    assert "FS/2026-11/CYB-01" in text


@pytest.mark.parametrize(("args", "message"), [
    (("alpha", "--code", "NEW"), "Error: topic 'alpha' already exists in "),
    (("gamma", "--code", "BET"), "Error: code 'BET' is already used by topic 'beta' in "),
    (("gamma", "--code", "ALL"), "Error: code 'ALL' is the handbook's code in "),
    (("Gamma_1", "--code", "GAM"), "Error: invalid topic id 'Gamma_1': lower-case letters"),
    (("gamma", "--code", "gam"), "Error: invalid topic code 'gam': 2 to 4 capital letters"),
])
def test_refusals_write_nothing(fixture_copy, run_cli, args, message):
    before = snapshot(fixture_copy)
    result = run_cli("--content", fixture_copy, "new", *args)
    assert result.exit_code == 1
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1, result.stderr
    assert snapshot(fixture_copy) == before


def test_an_unregistered_file_is_not_overwritten(fixture_copy, run_cli):
    shutil.copy(fixture_copy / "fr" / "alpha.yaml", fixture_copy / "fr" / "gamma.yaml")
    before = snapshot(fixture_copy)
    result = run_cli("--content", fixture_copy, "new", "gamma", "--code", "GAM")
    assert result.exit_code == 1
    assert "fr/gamma.yaml already exists (not listed in " in result.stderr
    assert snapshot(fixture_copy) == before


def test_refuses_to_reformat_edition_yaml(fixture_copy, run_cli):
    edition = fixture_copy / "edition.yaml"
    edition.write_text(edition.read_text(encoding="utf-8").replace("topics:\n  - ", "topics:\n  -   "),
                       encoding="utf-8")
    before = snapshot(fixture_copy)
    result = run_cli("--content", fixture_copy, "new", "gamma", "--code", "GAM")
    assert result.exit_code == 1
    assert "without reformatting it; add {id: gamma, code: GAM, revision: 1} to topics: by hand" in result.stderr
    assert snapshot(fixture_copy) == before


def test_translation_hook_sees_every_other_language(fixture_copy):
    seen = []
    done = new_topic(fixture_copy, "gamma", "GAM", on_translation=lambda lang, path: seen.append((lang, path)))
    assert seen == [("fr", fixture_copy / "fr" / "gamma.yaml")]
    assert done.reference == fixture_copy / "en" / "gamma.yaml"


def test_skeleton_names_its_schema_when_the_content_has_schemas(fixture_copy, run_cli):
    assert run_cli("--content", fixture_copy, "schema").exit_code == 0
    assert run_cli("--content", fixture_copy, "new", "gamma", "--code", "GAM").exit_code == 0
    first = (fixture_copy / "fr" / "gamma.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schemas/topic.schema.json"
