"""Briefing packs: the rules that tie edition.yaml `packs:` to each language's strings,
and the table `pipeline list` prints.

A pack is declared once, language-neutral, in edition.yaml (`{id, code, topics}`), and
titled in every language's `_strings.yaml` (`packs: {<id>: {title, subtitle}}`, with an
optional foreword), so that translation status and XLIFF cover its words like any
label. These rules run with the other cross-file rules (`pipeline.content.validate`),
so an editor sees every problem of every pack in one run, each located.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from pipeline.content.loader import EDITION_FILE, STRINGS_FILE, Loc, format_loc
from pipeline.errors import Problem

if TYPE_CHECKING:
    from pipeline.content.project import Project

# The words a pack must have in every language.
REQUIRED = ("title", "subtitle")


def check_packs(project: Project, problems: list[Problem]) -> None:
    """Every rule of the packs: their entries in edition.yaml, then their words in each language."""
    _check_entries(project, problems)
    for code in project.edition.languages:
        if code in project.languages:
            _check_strings(project, code, problems)


def _edition_line(project: Project, loc: Loc) -> int:
    return project.edition_source.line_of(loc) if project.edition_source else 1


def _edition_problem(project: Project, loc: Loc, message: str) -> Problem:
    return Problem(project.root / EDITION_FILE, _edition_line(project, loc), format_loc(loc), message)


def _check_entries(project: Project, problems: list[Problem]) -> None:
    known = project.topic_ids
    ids: dict[str, int] = {}
    codes = {project.edition.handbook.code: "the handbook"}
    for i, pack in enumerate(project.edition.packs):
        if pack.id in ids:
            problems.append(_edition_problem(project, ("packs", i, "id"),
                                             f"pack '{pack.id}' is already defined (packs[{ids[pack.id]}])"))
        ids.setdefault(pack.id, i)
        if pack.code in codes:
            problems.append(_edition_problem(project, ("packs", i, "code"),
                                             f"code '{pack.code}' is already used by {codes[pack.code]}: "
                                             "each pack needs a reference code of its own"))
        codes.setdefault(pack.code, f"pack '{pack.id}'")
        if not pack.topics:
            problems.append(_edition_problem(project, ("packs", i, "topics"),
                                             "a pack needs at least one topic"))
        seen: set[str] = set()
        for k, topic in enumerate(pack.topics):
            loc = ("packs", i, "topics", k)
            if topic not in known:
                problems.append(_edition_problem(project, loc, f"unknown topic '{topic}'{_did_you_mean(topic, known)}"))
            elif topic in seen:
                problems.append(_edition_problem(project, loc, f"'{topic}' is listed twice"))
            seen.add(topic)


def _check_strings(project: Project, code: str, problems: list[Problem]) -> None:
    language = project.languages[code]
    path = language.directory / STRINGS_FILE
    source = language.files.get(STRINGS_FILE.removesuffix(".yaml"))

    def line(loc: Loc) -> int:
        return source.line_of(loc) if source else 1

    declared = project.pack_ids
    for i, pack_id in enumerate(declared):
        if pack_id in declared[:i]:
            continue
        words = language.strings.packs.get(pack_id)
        where = f"{EDITION_FILE}:{_edition_line(project, ('packs', i, 'id'))}"
        missing = [name for name in REQUIRED if words is None or getattr(words, name) is None]
        if words is None:  # the whole entry: one problem
            loc: Loc = ("packs", pack_id)
            problems.append(Problem(path, line(loc), format_loc(loc), f"missing: pack '{pack_id}' ({where}) "
                                    f"needs a {' and a '.join(missing)} in every language"))
            continue
        for name in missing:
            loc = ("packs", pack_id, name)
            problems.append(Problem(path, line(loc), format_loc(loc),
                                    f"missing: pack '{pack_id}' ({where}) needs a {name} in every language"))
    for pack_id in language.strings.packs:
        if pack_id not in declared:
            loc = ("packs", pack_id)
            problems.append(Problem(path, line(loc), format_loc(loc),
                                    f"no pack '{pack_id}' in {EDITION_FILE}{_did_you_mean(pack_id, declared)}"))


def _did_you_mean(value: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(value, choices, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def pack_rows(project: Project) -> list[tuple[str, ...]]:
    """A table for `pipeline list`: pack id, code, topics, then its title in each language."""
    codes = list(project.edition.languages)
    rows = [("pack", "code", "topics", *(f"title ({c})" for c in codes))]
    for pack in project.edition.packs:
        titles = [project.languages[c].strings.packs[pack.id].title or "" for c in codes]
        rows.append((pack.id, pack.code, ", ".join(pack.topics), *titles))
    return rows
