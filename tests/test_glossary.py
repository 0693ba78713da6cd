"""`pipeline validate`'s glossary rule, on the tiny fixture project.

Each test writes a glossary.yaml into a copy of tests/fixtures/valid (English and
French, every French text current) and runs `pipeline validate` from the folder that
holds it, so messages name files as an editor sees them.
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def content(fixture_copy: Path, monkeypatch) -> Path:
    monkeypatch.chdir(fixture_copy.parent)
    return Path("content")


def glossary(content: Path, *entries: str) -> None:
    lines = ["# Agreed terms", *(f"- {entry}" for entry in entries)]
    (content / "glossary.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def edit(content: Path, name: str, old: str, new: str) -> None:
    path = content / name
    text = path.read_text(encoding="utf-8")
    assert old in text, (name, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_terms_used_as_agreed_pass(content, run_cli):
    glossary(content, "{en: Alpha crime, fr: criminalité alpha}",  # case does not matter
             "{en: operational support, fr: appui opérationnel}",
             "{en: information sharing, fr: partage d’informations}")  # nor the apostrophe's shape
    result = run_cli("validate")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("content valid: 2 topics")


def test_a_term_not_used_is_one_located_line_with_both_places(content, run_cli):
    glossary(content, "{en: Alpha crime, fr: Criminalité alpha}", "{en: training, fr: entraînement}")
    result = run_cli("validate")
    assert result.exit_code == 1
    assert result.output == (
        "Error: content/fr/alpha.yaml:14: sections[0].blocks[1].list.items[1]: glossary: "
        "content/en/alpha.yaml:14 says 'training', agreed as 'entraînement' in fr (content/glossary.yaml:3), "
        "which this file never uses\n"
        "1 content problem found\n")


def test_every_file_and_language_is_checked_and_all_problems_are_listed(content, run_cli):
    glossary(content, "{en: training, fr: entraînement}", "{en: Contents, fr: Table des matières}",
             "{en: Contents, es: Índice}")  # no French: not a rule for French
    edit(content, "en/beta.yaml", "title: Beta crime", "title: Beta crime and training")
    edit(content, "fr/beta.yaml", "title: Criminalité bêta", "title: Criminalité bêta et formation")
    run_cli("translations", "accept", "--lang", "fr")
    result = run_cli("validate")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[-1] == "3 content problems found"
    assert [line.split(": glossary: ")[0] for line in lines[:-1]] == [
        "Error: content/fr/_strings.yaml:6: labels.contents",
        "content/fr/alpha.yaml:14: sections[0].blocks[1].list.items[1]",
        "content/fr/beta.yaml:2: title",
    ]
    assert "'Contents', agreed as 'Table des matières' in fr" in lines[0]


def test_the_agreed_term_anywhere_in_the_file_is_enough(content, run_cli):
    """A translator may shorten a term once it has been given in full ("ces domaines")."""
    glossary(content, "{en: Alpha, fr: alpha}")
    edit(content, "fr/alpha.yaml", "Les réseaux alpha tirent", "Ces réseaux tirent")
    assert run_cli("translations", "accept", "--lang", "fr").exit_code == 0
    result = run_cli("validate")
    assert result.exit_code == 0, result.output


def test_whole_words_only_and_a_longer_term_hides_the_shorter_inside_it(content, run_cli):
    glossary(content, "{en: train, fr: former}",  # not a use: "training" is another word
             "{en: operational support, fr: appui opérationnel}",
             "{en: support, fr: soutien}")  # only inside the longer term here: not a use either
    assert run_cli("validate").exit_code == 0
    glossary(content, "{en: support, fr: soutien}")  # alone, it is a use
    result = run_cli("validate")
    assert result.exit_code == 1
    assert "content/fr/alpha.yaml:15: sections[0].blocks[1].list.items[2]: glossary:" in result.output


def test_translations_not_current_are_left_to_translation_status(content, run_cli):
    """A stale French text is not yet a translation of today's English: status reports it."""
    glossary(content, "{en: Alpha crime, fr: Criminalité alpha}", "{en: training, fr: formation}")
    edit(content, "en/alpha.yaml", "            - training", "            - training of investigators")
    edit(content, "fr/alpha.yaml", "            - la formation", "            - l'apprentissage")
    result = run_cli("validate")
    assert result.exit_code == 0, result.output  # a draft: stale is a warning
    assert "warning: translations fr: 1 stale" in result.output
    assert "glossary" not in result.output
    assert run_cli("translations", "accept", "--lang", "fr").exit_code == 0
    result = run_cli("validate")
    assert result.exit_code == 1
    assert "content/fr/alpha.yaml:14: sections[0].blocks[1].list.items[1]: glossary:" in result.output


def test_no_glossary_no_rule(content, run_cli):
    assert not (content / "glossary.yaml").exists()
    result = run_cli("validate")
    assert result.exit_code == 0, result.output
