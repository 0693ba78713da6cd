"""A normal editorial act never breaks the code's tests (issue 26): add a topic.

On a copy of the project (its content, its tests), an editor starts a topic with
`pipeline new`, writes it in English, translates it into French, and accepts the
translation. Then `pipeline validate` passes, and so do, run on that copy, the tests
that used to fail on such an edit (the topic count, the source sentences and the
glossary, now content checks and a validate rule) and the code's other fast tests that
read the real content.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

ENGLISH = """\
id: environmental-crime
title: Environmental crime
lead: Crimes against the environment harm communities, wildlife and economies.
intro:
  - Environmental crime covers the illegal trade in wildlife, timber and waste.
sections:
  - heading: The problem
    blocks:
      - Organised crime groups profit from these activities with little risk,
        and often rely on corruption and money laundering.
      - list:
          intro: "Police work on three fronts:"
          items:
            - intelligence sharing
            - joint operations
            - training of officers
related: [corruption, money-laundering]
"""

FRENCH = """\
id: environmental-crime
title: Criminalité environnementale
lead: Les atteintes à l'environnement nuisent aux populations, à la faune et aux économies.
intro:
  - La criminalité environnementale recouvre le commerce illégal d'espèces sauvages, de bois et de déchets.
sections:
  - heading: Problématique
    blocks:
      - Les groupes criminels organisés tirent profit de ces activités à peu de risques,
        et recourent souvent à la corruption et au blanchiment d'argent.
      - list:
          intro: "La police agit sur trois fronts :"
          items:
            - le partage de renseignements
            - les opérations conjointes
            - la formation des agents
related: [corruption, money-laundering]
"""

# The tests that failed on such an edit before (issue 26), and the code's fast tests that
# read content/: run on the copy, as `make check` and `make check-content` would.
ON_THE_COPY = [
    "tests/content_checks/test_content.py",
    "tests/test_schema_export.py",
    "tests/test_typography.py",
    "tests/test_translations.py::test_real_content_translations_are_current",
    "tests/test_translations.py::test_yaml_edits_change_only_the_edited_value_in_every_real_french_file",
]


def pipeline(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=project, capture_output=True, text=True,
                          check=False, timeout=300)


def copy_project(tmp_path: Path) -> Path:
    """The content, the tests and their configuration (the code is the installed one)."""
    project = tmp_path / "project"
    for name in ("content", "tests"):
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "pyproject.toml", project / "pyproject.toml")
    return project


def run_tests(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """pytest on the copy, in one process (xdist's workers would only add start-up here);
    the caller's PYTEST_ADDOPTS (e.g. --durations) stays out of the inner run's report."""
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "-q", *args],
                          cwd=project, capture_output=True, text=True, check=False, timeout=600, env=env)


def fill(path: Path, text: str) -> None:
    """Replace the skeleton's values, keeping its schema line (the first)."""
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("# yaml-language-server: $schema=")
    path.write_text(f"{header}\n{text}", encoding="utf-8")


@pytest.mark.slow
def test_a_new_topic_filled_in_and_translated_breaks_no_test(tmp_path):
    project = copy_project(tmp_path)

    new = pipeline(project, "new", "environmental-crime", "--code", "ENV", "--title", "Environmental crime")
    assert new.returncode == 0, new.stderr
    fill(project / "content" / "en" / "environmental-crime.yaml", ENGLISH)
    fill(project / "content" / "fr" / "environmental-crime.yaml", FRENCH)
    accepted = pipeline(project, "translations", "accept", "--lang", "fr")
    assert accepted.returncode == 0, accepted.stderr
    valid = pipeline(project, "validate")
    assert valid.returncode == 0, valid.stderr
    assert valid.stdout.startswith("content valid: 12 topics, 2 languages")

    result = run_tests(project, *ON_THE_COPY)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ passed(, \d+ (warnings?|skipped|deselected|xfailed|xpassed))* in [\d.]+s( \(.*\))?",
                        summary), summary


@pytest.mark.slow
def test_the_copy_really_checks_its_own_content(tmp_path):
    """The run above can fail: on the copy, a French text without the agreed term fails
    validate and the glossary check, and an English sentence of the source removed fails
    the source check."""
    project = copy_project(tmp_path)
    french = project / "content" / "fr" / "money-laundering.yaml"
    text = re.sub(r"blanchiment d['’]argent", "lessivage", french.read_text(encoding="utf-8"), flags=re.I)
    french.write_text(text, encoding="utf-8")
    english = project / "content" / "en" / "corruption.yaml"
    text = english.read_text(encoding="utf-8").replace("lead: Corruption is universal.", "lead: It is universal.")
    english.write_text(text, encoding="utf-8")
    assert pipeline(project, "translations", "accept", "--lang", "fr").returncode == 0
    valid = pipeline(project, "validate")
    assert valid.returncode == 1
    assert "content/fr/money-laundering.yaml:3: title: glossary:" in valid.stderr

    result = run_tests(project, "tests/content_checks/test_content.py")
    assert result.returncode == 1
    assert "FAILED tests/content_checks/test_content.py::test_glossary_terms_are_used_consistently" in result.stdout
    assert "FAILED tests/content_checks/test_content.py::test_every_source_sentence_is_in_the_english_content" \
        in result.stdout
