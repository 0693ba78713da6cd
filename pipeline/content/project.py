"""Load the whole `content/` tree into a validated `Project`.

Gather and validate everything first, then build: every file is parsed and checked
against the schema, every problem is collected with its file, line and field, and the
cross-file rules run (`pipeline.content.validate`) before a single output is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from pipeline.content import limits, model, schema, theme
from pipeline.content.loader import (
    BRANDING_FILE,
    EDITION_FILE,
    FRONT_FILE,
    GLOSSARY_FILE,
    SIGNOFF_FILE,
    STRINGS_FILE,
    Loaded,
    Loc,
    format_loc,
    load_yaml,
    outside,
    texts,
)
from pipeline.content.validate import check_assets, cross_check
from pipeline.errors import ContentError, PipelineError, Problem

M = TypeVar("M")


@dataclass
class Language:
    """One language's content: strings, front matter and topics, with their sources."""

    code: str
    directory: Path
    strings: schema.Strings
    front: schema.FrontMatter
    topics: dict[str, schema.Topic]
    sources: dict[str, Loaded] = field(default_factory=dict)
    # The parsed `_strings.yaml` and `_frontmatter.yaml`, for tools that need their lines.
    files: dict[str, Loaded] = field(default_factory=dict)


@dataclass
class Project:
    """Validated content of a whole edition: what every document is built from."""

    root: Path
    edition: schema.Edition
    branding: schema.Branding
    glossary: list[dict[str, str]]
    languages: dict[str, Language]
    edition_source: Loaded | None = None
    branding_source: Loaded | None = None
    # Every picture the content shows, checked, by (language, name under content/assets/):
    # filled in by `pipeline.content.validate.check_assets` before any document is composed.
    assets: dict[tuple[str, str], model.Asset] = field(default_factory=dict)
    # content/signoffs.yaml (optional): who approved which text, oldest first.
    signoffs: list[schema.SignOff] = field(default_factory=list)
    signoffs_source: Loaded | None = None

    @property
    def topic_ids(self) -> list[str]:
        """Topic ids in handbook order."""
        return [entry.id for entry in self.edition.topics]

    def topic_entry(self, topic_id: str) -> schema.TopicEntry:
        return next(entry for entry in self.edition.topics if entry.id == topic_id)

    @property
    def pack_ids(self) -> list[str]:
        """Briefing pack ids in edition order."""
        return [pack.id for pack in self.edition.packs]

    def pack_entry(self, pack_id: str) -> schema.PackEntry:
        return next(pack for pack in self.edition.packs if pack.id == pack_id)

    @property
    def template_override(self) -> Path | None:
        """The folder whose templates override the built-in ones (branding `templates:`)."""
        folder = self.branding.templates
        return (self.root / folder).resolve() if folder else None


def validate_model(loaded: Loaded, model: type[M] | Any, problems: list[Problem]) -> M | None:
    """Check one parsed file against a schema type; append located problems on failure."""
    adapter = TypeAdapter(model)
    try:
        return adapter.validate_python(loaded.data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = _clean_loc(error["loc"])
            problems.append(
                Problem(loaded.path, loaded.line_of(loc), format_loc(loc), _message(error, loc, model))
            )
        return None


def _clean_loc(loc: tuple[Any, ...]) -> Loc:
    """Drop pydantic's union tags (e.g. 'list' after a block index) from an error path."""
    cleaned: list[str | int] = []
    for i, part in enumerate(loc):
        after_index = i > 0 and isinstance(loc[i - 1], int)
        if after_index and part in schema.BLOCK_TAGS and (part == "paragraph" or loc[i + 1 : i + 2] == (part,)):
            continue
        cleaned.append(part)
    return tuple(cleaned)




def _message(error: dict[str, Any], loc: Loc, model: Any) -> str:
    kind = error["type"]
    if not loc and kind in ("model_type", "dict_type"):
        return _whole_file_message(error.get("input"), model)
    if kind == "missing" and loc[-2:] == ("figure", "alt"):
        return "field required: every figure needs a text alternative, in every language (what it shows)"
    if kind == "missing":
        return "field required"
    if kind == "extra_forbidden":
        return "unknown key (check its spelling)"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def _whole_file_message(found: Any, model: Any) -> str:
    """A file that is not a mapping at all: say what it holds and which keys it should start with.

    An empty file is the usual case (a save caught halfway, a new file not yet written);
    pydantic's own words ("Input should be a valid dictionary or instance of Topic") name a
    class the writer never sees.
    """
    what = ("nothing (the file is empty or only comments)" if found is None
            else "a list" if isinstance(found, list) else f"the single value {str(found)[:40]!r}")
    fields = getattr(model, "model_fields", {})
    keys = [name for name, info in fields.items() if info.is_required()][:4] or list(fields)[:4]
    wanted = f"keys such as {', '.join(f'{key}:' for key in keys)}" if keys else "keys"
    return f"expected {wanted} at the top of the file, found {what}"


def load_project(root: Path) -> Project:
    """Load and validate everything under `root` (the `content/` folder) or raise ContentError."""
    if not root.is_dir():
        raise PipelineError(f"content folder not found: {root} (run from the project root, or pass --content DIR)")
    problems: list[Problem] = []
    edition_src = _load(root, root / EDITION_FILE, problems)
    branding_src = _load(root, root / BRANDING_FILE, problems)
    glossary_src = _load(root, root / GLOSSARY_FILE, problems, optional=True)
    edition = validate_model(edition_src, schema.Edition, problems) if edition_src else None
    branding = validate_model(branding_src, schema.Branding, problems) if branding_src else None
    glossary: list[dict[str, str]] = []
    if glossary_src is not None:
        glossary = validate_model(glossary_src, list[schema.GlossaryEntry], problems) or []
    signoffs_src = _load(root, root / SIGNOFF_FILE, problems, optional=True)
    signoffs = (validate_model(signoffs_src, schema.SignOffs, problems)
                if signoffs_src and signoffs_src.data is not None else None)
    if branding is not None and branding_src is not None:
        _check_template_folder(root, branding, branding_src, problems)

    languages = {}
    lang_dirs = sorted(p.parent for p in root.glob(f"*/{STRINGS_FILE}"))
    if not lang_dirs:
        problems.append(Problem(root, 1, "", f"no language folder with a {STRINGS_FILE}"))
    for directory in lang_dirs:
        language = _load_language(root, directory, problems)
        if language is not None:
            languages[language.code] = language
    if edition is None or branding is None:
        raise ContentError(problems)
    # The cross-file rules and the pictures run even when some files failed above, on
    # what did load, so one run names every problem: a bad link in one topic must not
    # hide a missing picture in another. A file that failed is left out of the rules.
    project = Project(root, edition, branding, glossary, languages, edition_src, branding_src,
                      signoffs=list(signoffs.signoffs) if signoffs else [], signoffs_source=signoffs_src)
    cross_check(project, problems)
    project.assets = check_assets(project, problems)
    if problems:
        raise ContentError(problems)
    return project


def _check_template_folder(root: Path, branding: schema.Branding, source: Loaded,
                           problems: list[Problem]) -> None:
    """The theme folder named in branding.yaml must be a folder inside the content folder
    whose files all stay inside it and within the limits (`pipeline.content.theme`)."""
    if branding.templates is None:
        return
    try:
        theme.files(theme.locate(root, branding.templates), branding.templates.rstrip("/"))
    except theme.ThemeError as exc:
        problems.append(Problem(source.path, source.line_of(("templates",)), "templates", str(exc)))


def _load(root: Path, path: Path, problems: list[Problem], optional: bool = False,
          topic: bool = False) -> Loaded | None:
    """One content file, or None with its problems: it must lie inside the content folder
    (links followed) and within the size limits (`pipeline.content.limits`)."""
    if optional and not (path.exists() or path.is_symlink()):
        return None
    problem = outside(root, path)
    if problem is not None:
        problems.append(problem)
        return None
    try:
        loaded = load_yaml(path, limits.TOPIC_FILE_BYTES, "a topic file") if topic else load_yaml(path)
    except ContentError as exc:
        problems.extend(exc.problems)
        return None
    return loaded if _within_limits(loaded, problems, topic) else None


def _within_limits(loaded: Loaded, problems: list[Problem], topic: bool) -> bool:
    """No text over `limits.FIELD_CHARS`; a topic's text in all within `limits.TOPIC_CHARS`
    (beyond it, its factsheet cannot fit two pages). Appends a problem for each excess."""
    before, total = len(problems), 0
    for loc, text in texts(loaded.data):
        total += len(text)
        if len(text) > limits.FIELD_CHARS:
            problems.append(Problem(loaded.path, loaded.line_of(loc), format_loc(loc),
                                    f"text of {len(text):,} characters: a text may have at most "
                                    f"{limits.FIELD_CHARS:,}"))
    if topic and total > limits.TOPIC_CHARS and len(problems) == before:
        problems.append(Problem(loaded.path, 1, "", f"the topic has {total:,} characters of text: a factsheet "
                                f"holds about {limits.FACTSHEET_CHARS:,} on its two pages (limit "
                                f"{limits.TOPIC_CHARS:,}): shorten it"))
    return len(problems) == before


def _load_language(root: Path, directory: Path, problems: list[Problem]) -> Language | None:
    strings_src = _load(root, directory / STRINGS_FILE, problems)
    front_src = _load(root, directory / FRONT_FILE, problems)
    strings = validate_model(strings_src, schema.Strings, problems) if strings_src else None
    front = validate_model(front_src, schema.FrontMatter, problems) if front_src else None
    topics: dict[str, schema.Topic] = {}
    sources: dict[str, Loaded] = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        loaded = _load(root, path, problems, topic=True)
        if loaded is None:
            continue
        topic = validate_model(loaded, schema.Topic, problems)
        sources[path.stem] = loaded
        if topic is not None:
            topics[path.stem] = topic
    if strings is not None and strings.language != directory.name:
        line = strings_src.line_of(("language",)) if strings_src else 1
        problems.append(
            Problem(directory / STRINGS_FILE, line, "language",
                    f"'{strings.language}' does not match the folder name '{directory.name}'")
        )
    if strings is None or front is None or strings.language != directory.name:
        return None
    assert strings_src is not None and front_src is not None
    files = {STRINGS_FILE.removesuffix(".yaml"): strings_src, FRONT_FILE.removesuffix(".yaml"): front_src}
    return Language(directory.name, directory, strings, front, topics, sources, files)
