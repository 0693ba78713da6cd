"""Each kind of bad input gives one line naming file, line and field, exit 1, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


CASES = [
    # (case id, file, old text, new text, expected "file:line: field: message" tail)
    ("missing-field", "en/alpha.yaml", "  - heading: The problem\n    blocks:", "  - blocks:",
     "en/alpha.yaml:7: sections[0].heading: field required"),
    ("unknown-key", "en/alpha.yaml", "title: Alpha crime", "titel: Alpha crime",
     "en/alpha.yaml:2: titel: unknown key (check its spelling)"),
    ("duplicate-key", "en/alpha.yaml", "lead: Alpha is a test topic.\n",
     "lead: Alpha is a test topic.\nlead: Again.\n", "en/alpha.yaml:4: duplicate key 'lead'"),
    ("id-mismatch", "fr/beta.yaml", "id: beta", "id: betta",
     "fr/beta.yaml:1: id: 'betta' does not match the file name 'beta.yaml'"),
    ("unknown-related", "en/alpha.yaml", "related: [beta]", "related: [betta]",
     "en/alpha.yaml:19: related[0]: unknown topic 'betta' (did you mean 'beta'?)"),
    ("self-related", "en/alpha.yaml", "related: [beta]", "related: [beta, alpha]",
     "en/alpha.yaml:19: related[1]: a topic cannot be related to itself"),
    ("structure-related", "fr/beta.yaml", "related: [alpha]", "related: []",
     "fr/beta.yaml:17: related: structure differs from en: related [] here, related [alpha]"),
    ("empty-string", "fr/alpha.yaml", "lead: Alpha est un thème de test.", 'lead: "  "',
     "fr/alpha.yaml:3: lead: must not be empty"),
    ("control-character", "en/beta.yaml", "lead: Beta is the second test topic.",
     'lead: "Beta is the \\a second test topic."',
     "en/beta.yaml:3: lead: contains control character U+0007"),
    ("raw-control-character", "en/beta.yaml", "lead: Beta is", "lead: Beta\x07 is",
     "en/beta.yaml:3: invalid YAML"),
    ("not-a-string", "en/alpha.yaml", "title: Alpha crime", "title: 1540",
     "en/alpha.yaml:2: title: Input should be a valid string"),
    ("bad-block", "en/alpha.yaml", "      - list:\n", "      - lists:\n",
     "en/alpha.yaml:10: sections[0].blocks[1]: a block is a paragraph (text) or a mapping with one key"),
    ("anchor", "en/alpha.yaml", "title: Alpha crime", "title: &t Alpha crime",
     "en/alpha.yaml:2: quote this text: a text that starts with & is read as a YAML anchor"),
    ("python-tag", "en/alpha.yaml", "title: Alpha crime", "title: !!python/object/apply:os.system [echo]",
     "en/alpha.yaml:2: quote this text: a text that starts with ! is read as a YAML tag "
     "(unsupported YAML tag tag:yaml.org,2002:python/object/apply:os.system)"),
    ("syntax", "en/alpha.yaml", "related: [beta]", "related: [beta",
     "en/alpha.yaml:19: this text starts with [ and YAML looks for its closing ] in vain"),
    ("duplicated-paragraph", "en/beta.yaml", "          - Beta is often linked to alpha.",
     "          - Alpha networks earn 90% of their income from *beta* activities.",
     "en/beta.yaml:16: sections[0].subsections[0].blocks[0]: duplicated paragraph "
     "(also at alpha.yaml sections[0].blocks[0])"),
    ("unlisted-topic", "edition.yaml", "  - {id: beta, code: BET, revision: 2}\n", "",
     "en/beta.yaml:1: id: topic 'beta' is not listed in edition.yaml"),
    ("bad-date", "edition.yaml", "edition_date: 2026-11-24", "edition_date: 2026-13-24",
     "edition.yaml:1: invalid value '2026-13-24': month must be in 1..12"),
    ("bad-label-placeholder", "fr/_strings.yaml", 'page_of: "Page {page} sur {pages}"', 'page_of: "Page"',
     "fr/_strings.yaml:8: labels.page_of: String should match pattern"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_located(case, fixture_copy, run_cli):
    _, rel, old, new, expected = case
    edit(fixture_copy, rel, old, new)
    result = run_cli("--content", fixture_copy, "validate")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert any(line.endswith(expected) or expected in line for line in lines), result.stderr
    # The located line starts with the full path of the file.
    located = next(line for line in lines if expected in line)
    assert located.startswith(("Error: " + str(fixture_copy), str(fixture_copy)))
    assert lines[-1].endswith("found")


@pytest.mark.parametrize(("rel", "text", "expected"), [
    ("en/alpha.yaml", "", "en/alpha.yaml:1: expected keys such as id:, title:, lead:, sections: at the top of "
     "the file, found nothing (the file is empty or only comments)"),
    ("fr/beta.yaml", "# to be translated\n", "fr/beta.yaml:1: expected keys such as id:, title:, lead:, "
     "sections: at the top of the file, found nothing (the file is empty or only comments)"),
    ("edition.yaml", "- alpha\n- beta\n", "edition.yaml:1: expected keys such as edition_date:, languages:, "
     "unit:, status: at the top of the file, found a list"),
    ("branding.yaml", "blue\n", "branding.yaml:1: expected keys such as colours:, fonts:, margins: at the top "
     "of the file, found the single value 'blue'"),
])
def test_a_file_without_keys_says_which_keys_it_needs(rel, text, expected, fixture_copy, run_cli):
    (fixture_copy / rel).write_text(text, encoding="utf-8")
    result = run_cli("--content", fixture_copy, "validate")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "instance of" not in result.stderr
    assert f"{fixture_copy / expected}" in result.stderr.splitlines()[0], result.stderr


def test_missing_translation_names_both_sides(fixture_copy, run_cli):
    (fixture_copy / "fr" / "beta.yaml").unlink()
    result = run_cli("--content", fixture_copy, "validate")
    assert result.exit_code == 1
    assert "edition.yaml:10: topics[1].id: topic 'beta' has no fr file content/fr/beta.yaml (present in en)" \
        in result.stderr


def test_all_problems_reported_at_once(fixture_copy, run_cli):
    edit(fixture_copy, "en/alpha.yaml", "title: Alpha crime", "titel: Alpha crime")
    edit(fixture_copy, "fr/beta.yaml", "lead: Bêta est le second thème de test.", 'lead: ""')
    result = run_cli("--content", fixture_copy, "validate")
    assert result.exit_code == 1
    assert "en/alpha.yaml:2: titel: unknown key" in result.stderr
    assert "fr/beta.yaml:3: lead: must not be empty" in result.stderr
    assert result.stderr.strip().endswith("content problems found")


def test_alias_bomb_is_refused_quickly(fixture_copy, run_cli):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(12)
    )
    (fixture_copy / "en" / "alpha.yaml").write_text(bomb, encoding="utf-8")
    result = run_cli("--content", fixture_copy, "validate")
    assert result.exit_code == 1
    assert "en/alpha.yaml:1: quote this text: a text that starts with & is read as a YAML anchor" in result.stderr


def test_valid_fixture_summary(fixture_copy, run_cli):
    result = run_cli("--content", fixture_copy, "validate")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "content valid: 2 topics, 2 languages (en 79 words, fr 89 words)"
