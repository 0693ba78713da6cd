"""The glossary rule of `pipeline validate`: each translation uses the agreed terms.

`content/glossary.yaml` maps a term of the reference language to the agreed term of
each other language. The rule, per language and per document (one YAML file: a topic,
`_strings` or `_frontmatter`): where the reference text of the document uses a term,
its translation uses the agreed one somewhere in the same document. A document, not a
field, because a translator may rightly write "ces domaines" for "these crime areas"
once the full term has been given; the problem is located at the first translated
field whose reference text uses the term, which is where a translator looks first.

Only current translations are checked: a field that is stale, missing or still a
`pipeline new` placeholder is already reported by translation status, and its text is
not a translation of today's reference yet. Terms are matched as whole words, ignoring
case and the shape of apostrophes; a longer term hides the shorter ones inside it
("related crime areas" is not also a use of "crime areas").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.content.loader import GLOSSARY_FILE, load_yaml
from pipeline.content.project import Project, format_loc
from pipeline.errors import Problem, display_path
from pipeline.translations.align import CURRENT
from pipeline.translations.fields import Field
from pipeline.translations.status import DocStatus, language_status, reference, translated_languages

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})


@dataclass(frozen=True)
class Term:
    """One glossary entry for one language pair, with the line it is agreed on."""

    source: str
    target: str
    line: int

    def used_in(self, text: str) -> bool:
        return _pattern(self.source).search(text) is not None

    def hide_in(self, text: str) -> str:
        """`text` with this term's uses blanked out, so a shorter term inside it does not count."""
        return _pattern(self.source).sub(" ", text)

    def target_in(self, text: str) -> bool:
        return _pattern(self.target).search(text) is not None


def _pattern(term: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(_plain(term))}(?!\w)", re.IGNORECASE)


def _plain(text: str) -> str:
    return text.translate(_APOSTROPHES)


def terms(project: Project, lang: str) -> list[Term]:
    """The glossary's terms from the reference language into `lang`, longest first."""
    ref = reference(project)
    path = project.root / GLOSSARY_FILE
    lines = load_yaml(path).lines if path.exists() else {}
    found = [Term(entry[ref], entry[lang], lines.get((i, lang), lines.get((i,), 1)))
             for i, entry in enumerate(project.glossary) if ref in entry and lang in entry]
    return sorted(found, key=lambda term: -len(term.source))


def check_glossary(project: Project) -> list[Problem]:
    """One located problem per document, language and term the translation does not use."""
    problems: list[Problem] = []
    for lang in translated_languages(project):
        agreed = terms(project, lang)
        if not agreed:
            continue
        for status in language_status(project, lang):
            problems += _check_document(status, agreed, display_path(project.root / GLOSSARY_FILE))
    return problems


def _check_document(status: DocStatus, terms: list[Term], glossary: str) -> list[Problem]:
    pairs: list[tuple[Field, Field]] = [(m.english, m.other) for m in status.matches
                                        if m.state == CURRENT and m.english is not None and m.other is not None]
    sources = [_plain(english.text) for english, _ in pairs]
    translation = " ".join(_plain(other.text) for _, other in pairs)
    problems = []
    for term in terms:
        first = next((i for i, text in enumerate(sources) if term.used_in(text)), None)
        if first is None:
            continue
        sources = [term.hide_in(text) for text in sources]
        if term.target_in(translation):
            continue
        english, other = pairs[first]
        english_at = f"{display_path(status.english.path)}:{status.english.line_of(english.path)}"
        problems.append(Problem(
            status.other.path, status.other.line_of(other.path), format_loc(other.path),
            f"glossary: {english_at} says '{term.source}', agreed as '{term.target}' in {status.lang} "
            f"({glossary}:{term.line}), which this file never uses"))
    return problems
