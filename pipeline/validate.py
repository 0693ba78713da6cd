"""Cross-file content rules: what no single file's schema can see.

Each rule appends located problems (`path:line: field: message`) to one list, so an
editor sees everything wrong in one run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from pipeline import schema
from pipeline.content import EDITION_FILE, FRONT_FILE, format_loc
from pipeline.errors import Problem
from pipeline.loader import Loc

if TYPE_CHECKING:
    from pipeline.content import Language, Project


def cross_check(project: Project, problems: list[Problem]) -> None:
    """Run every cross-file rule over a project whose files each passed the schema."""
    _check_languages(project, problems)
    for language in project.languages.values():
        _check_topic_files(project, language, problems)
        _check_duplicates(language, problems)
    _check_parity(project, problems)
    _check_credits(project, problems)


def _edition_line(project: Project, loc: Loc) -> int:
    return project.edition_source.line_of(loc) if project.edition_source else 1


def _check_languages(project: Project, problems: list[Problem]) -> None:
    edition_path = project.root / EDITION_FILE
    for code in project.edition.languages:
        if code not in project.languages:
            i = project.edition.languages.index(code)
            problems.append(Problem(edition_path, _edition_line(project, ("languages", i)),
                                    f"languages[{i}]", f"no folder content/{code}/ with a _strings.yaml"))
    for code, language in project.languages.items():
        if code not in project.edition.languages:
            problems.append(Problem(language.directory / "_strings.yaml", 1, "language",
                                    f"'{code}' is not listed in {EDITION_FILE} languages"))
        if project.edition.classification not in language.strings.classification:
            problems.append(Problem(language.directory / "_strings.yaml", 1, "classification",
                                    f"no label for classification '{project.edition.classification}'"))


def _check_topic_files(project: Project, language: Language, problems: list[Problem]) -> None:
    known = project.topic_ids
    for stem, loaded in language.sources.items():
        topic = language.topics.get(stem)
        if stem not in known:
            problems.append(Problem(loaded.path, 1, "id", f"topic '{stem}' is not listed in {EDITION_FILE}"))
        if topic is None:
            continue
        if topic.id != stem:
            problems.append(Problem(loaded.path, loaded.line_of(("id",)), "id",
                                    f"'{topic.id}' does not match the file name '{stem}.yaml'"))
        seen: set[str] = set()
        for i, related in enumerate(topic.related):
            loc = ("related", i)
            if related not in known:
                hint = _did_you_mean(related, known)
                problems.append(Problem(loaded.path, loaded.line_of(loc), format_loc(loc),
                                        f"unknown topic '{related}'{hint}"))
            elif related == topic.id:
                problems.append(Problem(loaded.path, loaded.line_of(loc), format_loc(loc),
                                        "a topic cannot be related to itself"))
            elif related in seen:
                problems.append(Problem(loaded.path, loaded.line_of(loc), format_loc(loc),
                                        f"'{related}' is listed twice"))
            seen.add(related)
    for i, topic_id in enumerate(known):
        if topic_id not in language.sources:
            others = [c for c, lang in project.languages.items() if topic_id in lang.sources]
            where = f" (present in {', '.join(others)})" if others else ""
            problems.append(Problem(project.root / EDITION_FILE, _edition_line(project, ("topics", i, "id")),
                                    f"topics[{i}].id",
                                    f"topic '{topic_id}' has no {language.code} file "
                                    f"content/{language.code}/{topic_id}.yaml{where}"))


def _did_you_mean(value: str, choices: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(value, choices, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def _check_duplicates(language: Language, problems: list[Problem]) -> None:
    """The same paragraph twice in a language is a copy-paste slip (the source has several)."""
    seen: dict[str, str] = {}
    for stem, topic in language.topics.items():
        loaded = language.sources[stem]
        for loc, text in _paragraphs(topic):
            key = _normalise(text)
            if len(key) < 40:  # short items (list entries, headings) may legitimately recur
                continue
            if key in seen:
                problems.append(Problem(loaded.path, loaded.line_of(loc), format_loc(loc),
                                        f"duplicated paragraph (also at {seen[key]})"))
            else:
                seen[key] = f"{stem}.yaml {format_loc(loc)}"


def _paragraphs(topic: schema.Topic) -> Iterator[tuple[Loc, str]]:
    yield from _block_texts(topic.intro, ("intro",))
    for s, section in enumerate(topic.sections):
        yield from _block_texts(section.blocks, ("sections", s, "blocks"))
        for u, sub in enumerate(section.subsections):
            yield from _block_texts(sub.blocks, ("sections", s, "subsections", u, "blocks"))


def _block_texts(blocks: list, base: Loc) -> Iterator[tuple[Loc, str]]:
    for b, block in enumerate(blocks):
        loc = (*base, b)
        if isinstance(block, str):
            yield loc, block
        elif isinstance(block, schema.FocusBlock):
            for p, text in enumerate(block.focus.body):
                yield (*loc, "focus", "body", p), text
        elif isinstance(block, schema.QuoteBlock):
            yield (*loc, "quote", "text"), block.quote.text


def structure(topic: schema.Topic) -> list[tuple[Loc, str]]:
    """The shape of a topic, element by element, for comparing languages."""
    shape: list[tuple[Loc, str]] = []
    shape += _blocks_shape(topic.intro, ("intro",))
    shape.append((("sections",), f"{len(topic.sections)} sections"))
    for s, section in enumerate(topic.sections):
        shape += _blocks_shape(section.blocks, ("sections", s, "blocks"))
        shape.append((("sections", s, "subsections"), f"{len(section.subsections)} subsections"))
        for u, sub in enumerate(section.subsections):
            shape += _blocks_shape(sub.blocks, ("sections", s, "subsections", u, "blocks"))
    shape.append((("related",), "related [" + ", ".join(topic.related) + "]"))
    return shape


def _blocks_shape(blocks: list, base: Loc) -> list[tuple[Loc, str]]:
    shape: list[tuple[Loc, str]] = [(base, f"{len(blocks)} blocks")]
    for b, block in enumerate(blocks):
        loc = (*base, b)
        if isinstance(block, str):
            shape.append((loc, "a paragraph"))
        elif isinstance(block, schema.ListBlock):
            intro = "with" if block.list.intro else "without"
            shape.append(((*loc, "list", "items"), f"a list of {len(block.list.items)} items {intro} intro"))
        elif isinstance(block, schema.FocusBlock):
            shape.append(((*loc, "focus", "body"), f"a focus of {len(block.focus.body)} paragraphs"))
        elif isinstance(block, schema.QuoteBlock):
            who = "with" if block.quote.attribution else "without"
            shape.append((loc, f"a quote {who} attribution"))
        else:
            shape.append((loc, "a key figure"))
    return shape


def _language_pairs(project: Project) -> Iterator[tuple[Language, Language]]:
    """(reference language, other language) for each language after the first."""
    codes = [c for c in project.edition.languages if c in project.languages]
    for code in codes[1:]:
        yield project.languages[codes[0]], project.languages[code]


def _check_parity(project: Project, problems: list[Problem]) -> None:
    """Every language must link the same related topics as the reference language.

    Differences in text structure (an English paragraph inserted, deleted or moved, a
    list item added) are not errors here: they are translation status, reported field
    by field by `pipeline.translations` (missing, obsolete), which lets a draft build
    and refuses a final edition. Links are not translated, so they must simply agree.
    """
    for reference, other in _language_pairs(project):
        for topic_id, ref_topic in reference.topics.items():
            topic = other.topics.get(topic_id)
            if topic is None or topic.related == ref_topic.related:
                continue
            loaded = other.sources[topic_id]
            want, got = ", ".join(ref_topic.related), ", ".join(topic.related)
            problems.append(Problem(loaded.path, loaded.line_of(("related",)), "related",
                                    f"structure differs from {reference.code}: related [{got}] here, "
                                    f"related [{want}] in content/{reference.code}/{topic_id}.yaml"))


# Optional front-matter lines that every language must give, or none: an edition
# whose English prints a contact and whose French does not is a slip.
CREDIT_FIELDS = ("contact", "source")


def _check_credits(project: Project, problems: list[Problem]) -> None:
    for reference, other in _language_pairs(project):
        path = other.directory / FRONT_FILE
        for name in CREDIT_FIELDS:
            want = getattr(reference.front, name) is not None
            got = getattr(other.front, name) is not None
            if want and not got:
                problems.append(Problem(path, 1, name, f"missing: content/{reference.code}/{FRONT_FILE} "
                                        f"gives a {name}, so every language must"))
            elif got and not want:
                front_src = other.files.get(FRONT_FILE.removesuffix(".yaml"))
                line = front_src.line_of((name,)) if front_src else 1
                problems.append(Problem(path, line, name, f"content/{reference.code}/{FRONT_FILE} gives "
                                        f"no {name}: give it in every language or in none"))
