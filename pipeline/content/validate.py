"""Cross-file content rules: what no single file's schema can see.

Each rule appends located problems (`path:line: field: message`) to one list, so an
editor sees everything wrong in one run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.content import model, schema
from pipeline.content.glyphs import check_fonts, check_glyphs
from pipeline.content.loader import EDITION_FILE, FRONT_FILE, STRINGS_FILE, Loaded, Loc, format_loc
from pipeline.content.packs import check_packs
from pipeline.errors import Problem

if TYPE_CHECKING:
    from pipeline.content.project import Language, Project


def cross_check(project: Project, problems: list[Problem]) -> None:
    """Run every cross-file rule over a project whose files each passed the schema."""
    _check_languages(project, problems)
    for language in project.languages.values():
        _check_topic_files(project, language, problems)
        _check_duplicates(language, problems)
        _check_tables(language, problems)
    _check_parity(project, problems)
    _check_block_parity(project, problems)
    _check_credits(project, problems)
    check_packs(project, problems)
    check_fonts(project, problems)
    check_glyphs(project, problems)


def _edition_line(project: Project, loc: Loc) -> int:
    return project.edition_source.line_of(loc) if project.edition_source else 1


def _check_languages(project: Project, problems: list[Problem]) -> None:
    edition_path = project.root / EDITION_FILE
    for code in project.edition.languages:
        if code not in project.languages and not (project.root / code / STRINGS_FILE).is_file():
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
        if not (language.directory / f"{topic_id}.yaml").is_file():  # (a file that failed is named already)
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


def located_blocks(topic: schema.Topic) -> Iterator[tuple[Loc, object]]:
    """Every block of a topic with its path, in reading order."""
    for b, block in enumerate(topic.intro):
        yield ("intro", b), block
    for s, section in enumerate(topic.sections):
        for b, block in enumerate(section.blocks):
            yield ("sections", s, "blocks", b), block
        for u, sub in enumerate(section.subsections):
            for b, block in enumerate(sub.blocks):
                yield ("sections", s, "subsections", u, "blocks", b), block


def _paragraphs(topic: schema.Topic) -> Iterator[tuple[Loc, str]]:
    for loc, block in located_blocks(topic):
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
        elif isinstance(block, (schema.FigureBlock, schema.TableBlock)):
            shape.append((loc, _block_shape(block)))
        else:
            shape.append((loc, "a key figure"))
    return shape


def _block_shape(block: schema.FigureBlock | schema.TableBlock) -> str:
    """The language-neutral part of a figure or table, which every language must share."""
    if isinstance(block, schema.FigureBlock):
        return f"figure {block.figure.src} at {block.figure.width}% of the column"
    table = block.table
    columns = len(table.header)
    align = " ".join(table.align or ["start"] * columns)
    return f"{len(table.rows)} rows x {columns} columns, aligned {align}"


def _check_tables(language: Language, problems: list[Problem]) -> None:
    """Every row of a table has one cell per header column, and `align` one value per column."""
    for stem, topic in language.topics.items():
        loaded = language.sources[stem]
        for loc, block in located_blocks(topic):
            if not isinstance(block, schema.TableBlock):
                continue
            table, columns = block.table, len(block.table.header)
            for r, row in enumerate(table.rows):
                if len(row) != columns:
                    where = (*loc, "table", "rows", r)
                    problems.append(Problem(loaded.path, loaded.line_of(where), format_loc(where),
                                            f"{len(row)} cells, but the header has {columns} columns"))
            if table.align is not None and len(table.align) != columns:
                where = (*loc, "table", "align")
                problems.append(Problem(loaded.path, loaded.line_of(where), format_loc(where),
                                        f"{len(table.align)} values, but the header has {columns} columns"))


def _check_block_parity(project: Project, problems: list[Problem]) -> None:
    """The n-th figure and the n-th table of a topic agree in every language on what is
    not translated: a figure's file and width, a table's rows, columns and alignment.

    A language shows its own version of a picture through content/assets/<lang>/, never
    through another file name; a table is translated cell by cell, not reshaped. When a
    language has more or fewer figures or tables than the reference, translation status
    reports the missing or obsolete blocks instead.
    """
    for reference, other in _language_pairs(project):
        for topic_id, ref_topic in reference.topics.items():
            topic = other.topics.get(topic_id)
            if topic is None:
                continue
            for kind in (schema.FigureBlock, schema.TableBlock):
                want = [(loc, b) for loc, b in located_blocks(ref_topic) if isinstance(b, kind)]
                got = [(loc, b) for loc, b in located_blocks(topic) if isinstance(b, kind)]
                if len(want) != len(got):
                    continue
                for (ref_loc, ref_block), (loc, block) in zip(want, got, strict=True):
                    if _block_shape(block) == _block_shape(ref_block):
                        continue
                    name = "figure" if kind is schema.FigureBlock else "table"
                    loaded, ref_loaded = other.sources[topic_id], reference.sources[topic_id]
                    problems.append(Problem(
                        loaded.path, loaded.line_of(loc), format_loc((*loc, name)),
                        f"differs from {reference.code}: {_block_shape(block)} here, {_block_shape(ref_block)} "
                        f"in content/{reference.code}/{topic_id}.yaml:{ref_loaded.line_of(ref_loc)}"))


def check_assets(project: Project, problems: list[Problem]) -> dict[tuple[str, str], model.Asset]:
    """Check every picture the content names (figures in each language, the logo) and
    return them by (language, name); each refusal is a located problem."""
    from pipeline.content import assets

    found: dict[tuple[str, str], model.Asset] = {}
    inspected: dict[Path, model.Asset | str] = {}

    def check(lang: str, src: str, loaded: Loaded, loc: Loc) -> None:
        result: model.Asset | str
        try:
            path = assets.locate(project.root, src, lang)
        except assets.AssetError as exc:
            result = str(exc)
        else:
            if path not in inspected:
                shown = "assets/" + path.relative_to(assets.assets_root(project.root).resolve()).as_posix()
                try:
                    inspected[path] = assets.inspect(path, shown)
                except assets.AssetError as exc:
                    inspected[path] = str(exc)
            result = inspected[path]
        if isinstance(result, model.Asset):
            found[(lang, src)] = result
            return
        problem = Problem(loaded.path, loaded.line_of(loc), format_loc(loc), result)
        if problem not in problems:  # the shared logo is checked once per language
            problems.append(problem)

    for code, language in project.languages.items():
        if project.branding.logo is not None and project.branding_source is not None:
            check(code, project.branding.logo, project.branding_source, ("logo",))
        for stem, topic in language.topics.items():
            for loc, block in located_blocks(topic):
                if isinstance(block, schema.FigureBlock):
                    check(code, block.figure.src, language.sources[stem], (*loc, "figure", "src"))
    return found


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
