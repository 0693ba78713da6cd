"""The `pipeline` command line: parse options, call the library, report; nothing else.

Heavy modules (pydantic, Jinja2, WeasyPrint, python-docx) are imported inside the
commands, so `pipeline --help` answers in a fraction of a second.
Exit status: 0 success, 1 build or content error, 2 usage error.
"""

from __future__ import annotations

import contextlib
import difflib
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pipeline.engine.plan import FORMATS

if TYPE_CHECKING:
    from pipeline.content.project import Project
    from pipeline.engine.run import Outcome


class Context:
    """Options shared by every command."""

    def __init__(self, content: Path, build_dir: Path, quiet: bool):
        self.content = content
        self.build_dir = build_dir
        self.quiet = quiet
        self._project: Project | None = None

    def project(self) -> Project:
        if self._project is None:
            from pipeline.content.project import load_project

            self._project = load_project(self.content)
        return self._project

    def say(self, message: str) -> None:
        if not self.quiet:
            click.echo(message)


pass_ctx = click.make_pass_decorator(Context)


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """`--version`: the installed distribution's version, looked up only when asked."""
    if not value or ctx.resilient_parsing:
        return
    from pipeline import version

    click.echo(f"pipeline, version {version()}")
    ctx.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the version and exit.")
@click.option("--content", type=click.Path(file_okay=False, path_type=Path), default=Path("content"),
              show_default=True, envvar="PIPELINE_CONTENT", help="Content folder to read.")
@click.option("--build-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("build"),
              show_default=True, envvar="PIPELINE_BUILD_DIR", help="Folder for outputs.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@click.pass_context
def cli(ctx: click.Context, content: Path, build_dir: Path, quiet: bool) -> None:
    """Build multilingual crime-area factsheets and handbooks as PDF and DOCX.

    \b
    Examples:
      pipeline build                     everything, in every language and format
      pipeline factsheet terrorism --lang fr --format pdf
      pipeline validate
    """
    ctx.obj = Context(content, build_dir, quiet)


# --- shared option checks ------------------------------------------------------------


def _choose(ctx: Context, kind: str, given: tuple[str, ...], valid: list[str], param: str) -> list[str]:
    """Check user choices against the content's own list, with a 'did you mean'."""
    for value in given:
        if value not in valid:
            close = difflib.get_close_matches(value, valid, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise click.BadParameter(f"unknown {kind} '{value}'.{hint} Valid: {', '.join(valid)}.",
                                     param_hint=param)
    return list(given) or valid


def _langs(ctx: Context, given: tuple[str, ...]) -> list[str]:
    return _choose(ctx, "language", given, list(ctx.project().edition.languages), "'--lang'")


def _topics(ctx: Context, given: tuple[str, ...], param: str = "'--topic'") -> list[str]:
    return _choose(ctx, "topic", given, ctx.project().topic_ids, param)


def _pack(ctx: Context, given: str, param: str = "'ID'") -> str:
    if not ctx.project().pack_ids:
        raise click.BadParameter(f"no pack '{given}': the edition defines no packs (edition.yaml packs:).",
                                 param_hint=param)
    return _choose(ctx, "pack", (given,), ctx.project().pack_ids, param)[0]


lang_option = click.option("--lang", "langs", multiple=True, metavar="L",
                           help="Language code (repeatable); default: all.")
format_option = click.option("--format", "formats", multiple=True, type=click.Choice(FORMATS),
                             help="Output format (repeatable); default: all.")
paper_option = click.option("--paper", type=click.Choice(["a4", "letter"]), default="a4", show_default=True,
                            help="Paper size.")
print_option = click.option("--print", "print_mode", is_flag=True,
                            help="Print-shop PDF (PDF/X-4, 3 mm bleed, crop marks) under build/print/; the "
                                 "handbook padded to a multiple of 4 pages, ending with a back cover. PDF only.")


def _set_quiet(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.find_object(Context).quiet = True


quiet_option = click.option("-q", "--quiet", is_flag=True, expose_value=False, callback=_set_quiet,
                            help="Print only errors (same as 'pipeline -q').")


def single_document_options(func):
    """The options of commands that build one document: language, format, output, paper."""
    output_option = click.option(
        "-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
        help="Write one file here instead of the build folder (needs one --lang and one format).")
    for option in (quiet_option, print_option, paper_option, output_option, format_option, lang_option):
        func = option(func)
    return func


# --- build -----------------------------------------------------------------------------


@cli.command()
@lang_option
@format_option
@click.option("--topic", "topics", multiple=True, metavar="ID", help="Topic id (repeatable); default: all.")
@click.option("--handbook/--no-handbook", default=True, help="Build the handbooks.")
@click.option("--factsheets/--no-factsheets", default=True, help="Build the factsheets.")
@click.option("--packs/--no-packs", default=True, help="Build the briefing packs (edition.yaml packs:).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes; default: one per core.")
@click.option("--force", is_flag=True, help="Rebuild even documents that are up to date.")
@paper_option
@print_option
@quiet_option
@pass_ctx
def build(ctx: Context, langs, formats, topics, handbook, factsheets, packs, jobs, force, paper,
          print_mode) -> None:
    """Build factsheets, handbooks and briefing packs (everything by default).

    Only documents whose inputs changed are rebuilt; --force rebuilds all.

    \b
    Example:
      pipeline build --lang fr --format pdf --topic terrorism --no-handbook --no-packs
    """
    from pipeline.engine.plan import plan
    from pipeline.engine.record import RECORD_NAME
    from pipeline.engine.workers import Workers, default_workers

    workers = jobs or default_workers()
    pool = None
    if workers > 1 and (force or not (ctx.build_dir / RECORD_NAME).exists()):
        # Start the workers now: their WeasyPrint import overlaps loading the content.
        pool = Workers(workers, tuple(formats or FORMATS))
    try:
        project = ctx.project()
        jobs_list = plan(ctx.build_dir, _langs(ctx, langs), formats or FORMATS, _topics(ctx, topics),
                         handbook=handbook, factsheets=factsheets, variant=_variant(print_mode),
                         packs=project.pack_ids if packs else ())
        _check_translations(ctx, project, {job.lang for job in jobs_list})
    except BaseException:
        if pool is not None:
            pool.close(cancel=True)
        raise
    _run(ctx, jobs_list, paper, workers, force, project, pool=pool)


@cli.command()
@click.argument("topic_id", metavar="ID")
@single_document_options
@pass_ctx
def factsheet(ctx: Context, topic_id, langs, formats, output, paper, print_mode) -> None:
    """Build one topic's factsheet.

    \b
    Examples:
      pipeline factsheet corruption                      all languages and formats
      pipeline factsheet corruption --lang fr -o fr.pdf  one file
    """
    topic = _topics(ctx, (topic_id,), "'ID'")[0]
    _single(ctx, "factsheet", topic, langs, formats, output, paper, print_mode)


@cli.command()
@single_document_options
@pass_ctx
def handbook(ctx: Context, langs, formats, output, paper, print_mode) -> None:
    """Build the combined handbook.

    \b
    Example:
      pipeline handbook --lang en --format docx
    """
    _single(ctx, "handbook", None, langs, formats, output, paper, print_mode)


@cli.command()
@click.argument("pack_id", metavar="ID")
@single_document_options
@pass_ctx
def pack(ctx: Context, pack_id, langs, formats, output, paper, print_mode) -> None:
    """Build one briefing pack: a handbook of chosen topics (edition.yaml packs:).

    \b
    Examples:
      pipeline pack financial-investigations                        all languages and formats
      pipeline pack financial-investigations --lang fr -o pack.pdf  one file
    """
    _single(ctx, "pack", _pack(ctx, pack_id), langs, formats, output, paper, print_mode)


def _single(ctx: Context, kind, topic, langs, formats, output, paper, print_mode) -> None:
    from pipeline.engine.plan import Job, plan

    lang_list = _langs(ctx, langs)
    fmt_list = list(formats)
    if output is not None:
        if not fmt_list and output.suffix.lstrip(".") in FORMATS:
            fmt_list = [output.suffix.lstrip(".")]
        if len(lang_list) != 1 or len(fmt_list) != 1:
            raise click.UsageError("with -o/--output, name exactly one --lang and one --format "
                                   "(or an output ending in .pdf or .docx)")
        jobs_list = [Job(kind, lang_list[0], fmt_list[0], topic, output, explicit=True,
                         variant=_variant(print_mode))]
    else:
        jobs_list = plan(ctx.build_dir, lang_list, fmt_list or FORMATS, [topic] if kind == "factsheet" else [],
                         handbook=kind == "handbook", factsheets=kind == "factsheet",
                         variant=_variant(print_mode), packs=[topic] if kind == "pack" else [])
    explicit = output is not None
    _check_translations(ctx, ctx.project(), set(lang_list))
    _run(ctx, jobs_list, paper, None, explicit, ctx.project(), remember=not explicit)


def _check_translations(ctx: Context, project: Project, langs: set[str]) -> None:
    """One warning line per language with translations not current; a final edition refuses."""
    from pipeline.translations.status import check_build

    for warning in check_build(project, [lang for lang in project.edition.languages if lang in langs]):
        if not ctx.quiet:
            click.echo(warning, err=True)


def _variant(print_mode: bool) -> str:
    return "print" if print_mode else "screen"


def _run(ctx: Context, jobs_list, paper, workers, force, project, remember=True, pool=None) -> None:
    from pipeline.content.model import Layout
    from pipeline.engine.run import run
    from pipeline.engine.workers import default_workers

    layout = Layout(paper=paper)
    report = _Reporter(ctx, len(jobs_list))
    # A polite kill (SIGTERM) unwinds like Ctrl-C, so temporary files are removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        summary = run(project, jobs_list, ctx.build_dir, layout, workers or default_workers(), force,
                      report=report, on_wait=lambda: click.echo("waiting for another build to finish...",
                                                                err=True),
                      remember=remember, pool=pool)
    finally:
        report.close()
    for outcome in summary.failed:
        click.echo(f"Error: {outcome.job.name}: {outcome.message}", err=True)
    ctx.say(summary.line())
    if summary.failed:
        sys.exit(1)


class _Reporter:
    """A progress bar on a terminal, one line per document otherwise."""

    def __init__(self, ctx: Context, total: int):
        self.ctx = ctx
        self.bar = None
        if not ctx.quiet and sys.stdout.isatty() and total > 1:
            self.bar = click.progressbar(length=total, label="Building", show_pos=True, item_show_func=str)
            self.bar.__enter__()

    def __call__(self, outcome: Outcome) -> None:
        if self.bar is not None:
            self.bar.update(1, outcome.job.name)
        elif outcome.status == "built":
            self.ctx.say(f"built   {outcome.job.name} ({outcome.seconds:.2f} s)")
        elif outcome.status == "current":
            self.ctx.say(f"current {outcome.job.name}")
        else:
            self.ctx.say(f"FAILED  {outcome.job.name}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


# --- release ------------------------------------------------------------------------------


@cli.command()
@lang_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("dist"),
              show_default=True, help="Folder that receives the set (as <edition-date>/).")
@click.option("--allow-draft", is_flag=True, help="Release a draft edition (the set is marked draft).")
@click.option("--allow-unsigned", is_flag=True,
              help="A draft set before its languages are signed off (never a final one).")
@click.option("--replace", is_flag=True,
              help="Replace a set of the same edition already in --out whose files differ (else refused).")
@click.option("--verify", "verify_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Check a release folder against its manifest and checksums instead.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes; default: one per core.")
@quiet_option
@pass_ctx
def release(ctx: Context, langs, out_dir, allow_draft, allow_unsigned, replace, verify_dir, jobs) -> None:
    """Build and assemble the distribution set of the edition, or verify one.

    Writes dist/<edition-date>/ (with -draft for a draft edition): screen PDFs, DOCX and
    a ZIP per language, print/ (PDF/X-4) and archive/ (PDF/A-2u) PDFs, manifest.json,
    README.txt and SHA256SUMS. Refuses, naming every cause, unless the edition is final
    (or --allow-draft), every language is signed off (pipeline signoff; or, for a draft,
    --allow-unsigned), the content is valid and every document builds. A final release
    is recorded in content/editions.yaml. A set already there is never replaced
    silently: same files, nothing to do; other files, refused unless --replace (the new
    set is then swapped in whole).

    \b
    Examples:
      pipeline release
      pipeline release --allow-draft --out /tmp/dist
      pipeline release --verify dist/2026-11-24
    """
    from pipeline.engine.workers import default_workers
    from pipeline.release import assemble as rel

    if verify_dir is not None:
        problems = rel.verify(verify_dir)
        for problem in problems:
            click.echo(f"Error: {problem}", err=True)
        if problems:
            sys.exit(1)
        ctx.say(f"{verify_dir}: every file matches the manifest")
        return
    from pipeline.errors import ContentError

    try:
        lang_list = tuple(_langs(ctx, langs)) if langs else ()
    except ContentError:
        lang_list = tuple(langs)  # the release names the content problems with every other cause
    request = rel.Request(ctx.content, ctx.build_dir, out_dir, lang_list, allow_draft, jobs or default_workers(),
                          allow_unsigned=allow_unsigned, replace=replace)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    report = _Reporter(ctx, 0)
    done = rel.release(request, report=report)
    ctx.say(done.line())


# --- editions: history, changes, sign-off ---------------------------------------------------


@cli.command()
@pass_ctx
def editions(ctx: Context) -> None:
    """List the editions released so far (content/editions.yaml), oldest first.

    \b
    Example:
      pipeline editions
    """
    from pipeline.editions.log import listing, load_log

    for line in listing(load_log(ctx.content)):
        click.echo(line)


@cli.command()
@click.option("--since", metavar="EDITION|REF|DIR",
              help="An edition of the log, a git commit/tag/branch, or a release set folder; "
                   "default: the last edition released.")
@lang_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Report format.")
@click.option("--pdf", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the redline PDF of one language (needs one --lang) here.")
@click.option("--pdf-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also write a redline PDF per language here (changes-<lang>.pdf).")
@pass_ctx
def changes(ctx: Context, since, langs, fmt, pdf, pdf_dir) -> None:
    """What changed since an edition: documents and fields per language, word by word.

    \b
    Examples:
      pipeline changes                                  since the last edition released
      pipeline changes --since 2026-11-24 --lang fr --format json
      pipeline changes --since dist/2026-11-24          content outside git: a release set
      pipeline changes --lang en --pdf changes-en.pdf   the redline PDF for reviewers
    """
    import json

    from pipeline.editions import changes as ch

    if pdf is not None and pdf_dir is not None:
        raise click.UsageError("--pdf and --pdf-dir: choose one")
    project = ctx.project()
    lang_list = _langs(ctx, langs)
    if pdf is not None and len(lang_list) != 1:
        raise click.UsageError("--pdf writes one language: name one --lang (or use --pdf-dir)")
    report = ch.changes(project, ch.resolve_base(project, since), lang_list)
    if fmt == "json":
        click.echo(json.dumps(ch.json_data(project, report), indent=2, ensure_ascii=False))
    else:
        for line in ch.text_lines(project, report):
            click.echo(line)
    if pdf is not None or pdf_dir is not None:
        from pipeline.editions.redline import write_redlines

        for lang, path in write_redlines(project, report, pdf, pdf_dir).items():
            click.echo(f"{lang}: {path if path else 'no change: no redline written'}", err=True)


@cli.command()
@click.option("--lang", "lang", metavar="L", help="The language approved.")
@click.option("--by", "by", metavar="NAME", help="Who approves it (recorded and printed as given).")
@click.option("--role", metavar="ROLE", help="In what role, e.g. Reviser (printed on the imprint if asked).")
@click.option("--doc", "docs", multiple=True, metavar="ID",
              help="Only this document (topic id, _strings or _frontmatter; repeatable); default: all.")
@click.option("--status", "show_status", is_flag=True,
              help="Show what is signed, stale (with what changed since) and unsigned, instead.")
@pass_ctx
def signoff(ctx: Context, lang, by, role, docs, show_status) -> None:
    """Record that NAME approved a language's text as it now is (content/signoffs.yaml).

    A final release refuses any language whose documents are not all signed off as
    they now are. --status lists, per language, what is stale after an edit (exit 1).

    \b
    Examples:
      pipeline signoff --lang fr --by "Claire Dubois" --role Réviseure
      pipeline signoff --lang en --by "Sam Lee" --doc terrorism
      pipeline signoff --status
    """
    from pipeline.editions import signoff as so

    project = ctx.project()
    if show_status:
        lang_list = _langs(ctx, (lang,) if lang else ())
        for line in so.status_lines(project, lang_list):
            click.echo(line)
        if not all(so.language_state(project, code).signed for code in lang_list):
            sys.exit(1)
        return
    if not lang or not by or not by.strip():
        raise click.UsageError("name the language and who approves it: --lang L --by NAME (or --status)")
    lang = _langs(ctx, (lang,))[0]
    entry = so.sign(project, lang, by, role, list(docs) or None)
    what = ", ".join(entry.documents) if docs else f"all {len(entry.documents)} documents"
    commit = f" (commit {entry.commit[:12]})" if entry.commit else " (text not committed: no diff later)"
    ctx.say(f"signed off {lang}: {what} by {entry.by} on {entry.date.isoformat()}{commit}; "
            f"record {so.signoff_path(project)} updated")


# --- validate and list ----------------------------------------------------------------


@cli.command()
@pass_ctx
def validate(ctx: Context) -> None:
    """Check all content (schemas, links, translation status, glossary) and summarise it.

    Translations that are not current are a warning in a draft and an error in a
    final edition, exactly as for build. A current translation that does not use the
    agreed term of content/glossary.yaml is an error.

    \b
    Example:
      pipeline validate
    """
    from pipeline.content.stats import words_per_language
    from pipeline.errors import ContentError
    from pipeline.translations.glossary import check_glossary

    project = ctx.project()
    if project.template_override is not None:  # a theme's templates: checked (never run) as a build would
        from pipeline.render.html import check_templates

        check_templates(project.template_override)
    _check_translations(ctx, project, set(project.edition.languages))
    glossary_problems = check_glossary(project)
    if glossary_problems:
        raise ContentError(glossary_problems)
    words = words_per_language(project)
    per_lang = ", ".join(f"{code} {count:,} words" for code, count in words.items())
    packs = f"{len(project.pack_ids)} packs, " if project.pack_ids else ""
    click.echo(f"content valid: {len(project.topic_ids)} topics, {packs}{len(words)} languages ({per_lang})")


@cli.command("list")
@pass_ctx
def list_topics(ctx: Context) -> None:
    """List topics by language, with word counts and last-modified dates, then the briefing packs.

    \b
    Example:
      pipeline list
    """
    from pipeline.content.packs import pack_rows
    from pipeline.content.stats import topic_rows

    _table(topic_rows(ctx.project()))
    if ctx.project().pack_ids:
        click.echo()
        _table(pack_rows(ctx.project()))


def _table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


# --- translations ---------------------------------------------------------------------

doc_option = click.option("--topic", "docs", multiple=True, metavar="ID",
                          help="Topic id, or _strings / _frontmatter (repeatable); default: all.")


def _translated_langs(ctx: Context, given: tuple[str, ...]) -> list[str]:
    from pipeline.translations.status import translated_languages

    return _choose(ctx, "language", given, translated_languages(ctx.project()), "'--lang'")


def _docs(ctx: Context, given: tuple[str, ...]) -> list[str] | None:
    from pipeline.translations.status import all_docs

    return _choose(ctx, "topic", given, all_docs(ctx.project()), "'--topic'") if given else None


@cli.group(invoke_without_command=True)
@lang_option
@doc_option
@click.option("--diff", is_flag=True, help="Show each stale field's English then and now, and its translation.")
@click.pass_context
def translations(click_ctx: click.Context, langs, docs, diff) -> None:
    """Translation status: current, stale, missing and obsolete fields per language.

    Exit status 1 when anything is not current, so scripts and CI can gate on it.
    Subcommands hand work to translators (export, import) and record it (accept).

    \b
    Examples:
      pipeline translations                         status table and the fields to do
      pipeline translations --lang fr --diff        what changed in the English since
      pipeline translations export --lang fr --only-stale -o fr.xlf
      pipeline translations import fr.xlf
      pipeline translations accept --lang fr --topic terrorism
    """
    if click_ctx.invoked_subcommand is not None:
        return
    from pipeline.translations.status import counts, details, language_status, table

    ctx = click_ctx.find_object(Context)
    statuses = [s for lang in _translated_langs(ctx, langs) for s in language_status(ctx.project(), lang,
                                                                                       _docs(ctx, docs))]
    for line in [*table(statuses), "", *details(statuses, diff)]:
        click.echo(line)
    totals = counts(statuses)
    if totals["current"] != sum(totals.values()):
        sys.exit(1)


@translations.command()
@click.option("--lang", "lang", required=True, metavar="L", help="Language whose translations you confirm.")
@doc_option
@pass_ctx
def accept(ctx: Context, lang, docs) -> None:
    """Confirm that a language's translations are up to date with today's English.

    Records, for every translated field, the English it now stands for. Run it after
    revising the translations by hand; nothing else marks a field current (an import
    records the units it imports).

    \b
    Example:
      pipeline translations accept --lang fr --topic terrorism
    """
    from pipeline.translations.accept import accept as accept_language
    from pipeline.translations.record import record_path
    from pipeline.translations.status import counts, language_status, summary

    lang = _translated_langs(ctx, (lang,))[0]
    done = accept_language(ctx.project(), lang, _docs(ctx, docs))
    where = record_path(ctx.project().root, lang)
    if done.written:
        ctx.say(f"accepted {done.total} field{'s' if done.total != 1 else ''} in {lang}; record {where} updated")
    else:
        ctx.say(f"nothing to accept in {lang}; record {where} unchanged")
    totals = counts(language_status(ctx.project(), lang, _docs(ctx, docs)))
    if totals["current"] != sum(totals.values()):
        ctx.say(f"still not current (no translation to accept): {summary(lang, totals)}")


@translations.command()
@click.option("--lang", "lang", required=True, metavar="L", help="Target language.")
@doc_option
@click.option("--only-stale", is_flag=True, help="Only the fields that are stale or missing.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The XLIFF file to write (e.g. fr.xlf).")
@pass_ctx
def export(ctx: Context, lang, docs, only_stale, output) -> None:
    """Write an XLIFF 2.0 file for a translator's CAT tool (one unit per field).

    \b
    Example:
      pipeline translations export --lang fr --only-stale -o fr.xlf
    """
    from pipeline.translations.export import export as export_xliff

    lang = _translated_langs(ctx, (lang,))[0]
    count = export_xliff(ctx.project(), lang, output, _docs(ctx, docs), only_stale)
    ctx.say(f"wrote {output}: {count} unit{'s' if count != 1 else ''} ({lang})")


@translations.command("import")
@click.argument("xliff", metavar="FILE.xlf", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lang", "lang", metavar="L", help="Refuse the file unless it translates into L.")
@pass_ctx
def import_(ctx: Context, xliff, lang) -> None:
    """Write a translated XLIFF file back into the language's YAML files.

    Units marked translated (state translated, reviewed or final) are written, keeping
    each file's comments and layout, and recorded as translated from today's English.
    Everything is checked first: a refused file changes nothing.

    \b
    Example:
      pipeline translations import fr.xlf
    """
    from pipeline.translations.importer import import_xliff

    done = import_xliff(ctx.project(), xliff, lang)
    files = ", ".join(str(p.name) for p in done.files) or "no file changed"
    ctx.say(f"imported {done.units} unit{'s' if done.units != 1 else ''} into {done.lang} ({files}); "
            f"{done.skipped} not marked translated")
    if done.unmarked:
        count = len(done.unmarked)
        click.echo(f"{xliff}: not imported, as still state=\"initial\" although the target was changed: "
                   f"{', '.join(done.unmarked)} ({count} unit{'s' if count != 1 else ''}); set "
                   "state=\"translated\" on the <segment> of each (a CAT tool does so when you confirm a "
                   "segment), then import again", err=True)


# --- review: a reviewed DOCX back into the content ----------------------------------------


@cli.command()
@click.argument("docx_file", metavar="FILE.docx", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--apply", "apply_changes", is_flag=True,
              help="Write the accepted texts into the YAML (checked first; refused fields say why).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output: located lines, or JSON for tools.")
@click.option("--lang", "lang", metavar="L", help="Refuse the file unless it is in language L.")
@pass_ctx
def review(ctx: Context, docx_file: Path, apply_changes: bool, fmt: str, lang: str | None) -> None:
    """Read a reviewed DOCX: tracked changes and comments, field by field.

    Shows, per field, the text as built and as reviewed, who changed it and when, and
    the comments on it; finds untracked edits and fields changed in the YAML since the
    DOCX was built (conflicts). Exit status 1 when a change cannot be applied.

    \b
    Examples:
      pipeline review returned/corruption-en.docx
      pipeline review returned/corruption-en.docx --apply
      pipeline review handbook-fr.docx --format json
    """
    from pipeline.review import report
    from pipeline.review.apply import apply_review
    from pipeline.review.compare import read_review

    project = ctx.project()
    found = read_review(project, docx_file, lang)
    applied = apply_review(project, found) if apply_changes else None
    click.echo(report.as_json(found, applied) if fmt == "json" else "\n".join(report.text(found, applied)))
    if report.blocked(found):
        sys.exit(1)


# --- editing helpers: schemas for editors, new topics, live preview ---------------------


@cli.command("check-pdf")
@click.argument("files", nargs=-1, required=True, metavar="FILE.pdf...",
                type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--only", "only", multiple=True, metavar="CHECK",
              help="Run only this check (repeatable); default: every check.")
@pass_ctx
def check_pdf(ctx: Context, files: tuple[Path, ...], only: tuple[str, ...]) -> None:
    """Check built PDFs as a reader sees them; one line per problem, exit 1 if any.

    \b
    Example:
      pipeline check-pdf build/fr/handbook-fr.pdf build/en/factsheets/*.pdf
    """
    from pipeline.checks import CHECKS, run

    unknown = [name for name in only if name not in CHECKS]
    if unknown:
        raise click.UsageError(f"unknown check {unknown[0]!r}; choose from: {', '.join(CHECKS) or 'none'}")
    total = 0
    for path in files:
        findings = run(path, list(only) or None)
        total += len(findings)
        for finding in findings:
            click.echo(finding.line(path))
    if total:
        raise SystemExit(1)
    ctx.say(f"{len(files)} file(s) checked ({', '.join(only or CHECKS)}): no problem found")


@cli.command("schema")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the schemas; default: <content>/schemas.")
@click.option("--headers", is_flag=True,
              help="Also name its schema on the first line of every content file (idempotent).")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if a schema or a header is out of date.")
@pass_ctx
def schema_command(ctx: Context, out_dir: Path | None, headers: bool, check: bool) -> None:
    """Write JSON Schemas of the content files, for editors that complete and check YAML.

    Each content file's first line, `# yaml-language-server: $schema=...`, tells the
    editor which schema applies; --headers writes those lines (re-run it after merging).

    \b
    Examples:
      pipeline schema                 refresh content/schemas/
      pipeline schema --headers       ... and the header line of every content file
      pipeline schema --check         fail if either is out of date (CI)
    """
    from pipeline.content import schema_export

    out_dir = out_dir or ctx.content / schema_export.SCHEMA_DIR_NAME
    if check:
        stale = schema_export.stale_schemas(out_dir)
        unmarked = schema_export.missing_headers(ctx.content, out_dir)
        for path in stale:
            click.echo(f"out of date: {path}", err=True)
        for path in unmarked:
            click.echo(f"no schema header on line 1: {path}", err=True)
        if stale or unmarked:
            raise click.ClickException("run 'pipeline schema --headers' and commit the result")
        ctx.say(f"schemas and headers up to date ({len(schema_export.SCHEMAS)} schemas)")
        return
    written = schema_export.write_schemas(out_dir)
    ctx.say(f"wrote {len(written)} schemas to {out_dir}")
    if headers:
        changed = schema_export.write_headers(ctx.content, out_dir)
        ctx.say(f"schema header added to {len(changed)} content files")


@cli.command("fmt")
@click.option("--check", is_flag=True, help="Write nothing; list the files fmt would change and exit 1 if any.")
@pass_ctx
def fmt_command(ctx: Context, check: bool) -> None:
    """Put every content file in the house quoting and indentation, without changing a value.

    Texts YAML misreads (a paragraph that starts with *italic* or a [link](...), or holds
    ': ' or ' #') are put in double quotes; single quotes become double; lists and
    mappings are indented the house way. Comments, order and every value are kept.

    \b
    Examples:
      pipeline fmt            rewrite the files that need it
      pipeline fmt --check    list them instead, exit 1 if any (CI)
    """
    from pipeline.errors import PipelineError, display_path
    from pipeline.fmt.rewrite import format_content

    results = format_content(ctx.content, write=not check)
    changed = [r for r in results if r.changed]
    stuck = [r for r in results if r.formatted.text is None]
    for result in results:
        where = display_path(result.path)
        for line, message in result.formatted.problems:
            click.echo(f"{where}:{line}: {message}", err=True)
        if result.changed:
            if not check:
                for misreading in sorted(result.formatted.quoted, key=lambda m: m.line):
                    ctx.say(f"{where}:{misreading.line}: put a misread text in double quotes")
            click.echo(f"{'would format' if check else 'formatted'} {where}", err=check)
    if stuck:
        raise PipelineError(f"{len(stuck)} file{'s' if len(stuck) != 1 else ''} not formatted: fix the problems "
                            "above by hand, then run 'pipeline fmt' again")
    if check and changed:
        raise PipelineError(f"{len(changed)} file{'s' if len(changed) != 1 else ''} not in canonical form: "
                            "run 'pipeline fmt' and commit the result")
    done = f"{len(changed)} formatted, " if changed else ""
    ctx.say(f"{done}{len(results) - len(changed)} content files already in canonical form")


@cli.command("new")
@click.argument("topic_id", metavar="ID")
@click.option("--code", required=True, metavar="XXX", help="Area code of the reference, 2-4 capitals (e.g. CYB).")
@click.option("--title", default=None, help="Title in the reference language (else a placeholder).")
@pass_ctx
def new_command(ctx: Context, topic_id: str, code: str, title: str | None) -> None:
    """Start a topic: register it in edition.yaml and write a skeleton in every language.

    Every value of the skeletons is a placeholder that `pipeline validate` refuses,
    so validate then lists exactly what is still to write and to translate.

    \b
    Example:
      pipeline new cybercrime --code CYB --title "Cybercrime"
    """
    from pipeline.content.scaffold import new_topic
    from pipeline.errors import display_path

    done = new_topic(ctx.content, topic_id, code, title)
    ctx.say(f"registered {topic_id} ({code}) at the end of topics: in {display_path(done.edition)}")
    ctx.say(f"wrote {display_path(done.reference)}: to write")
    for path in done.translations:
        ctx.say(f"wrote {display_path(path)}: to translate")
    ctx.say("next: replace the TO WRITE values, then run 'pipeline validate' to see what is left")


@cli.command()
@click.argument("topic_id", metavar="[ID]", required=False)
@click.option("--handbook", is_flag=True, help="Preview the handbook instead of a factsheet.")
@click.option("--pack", "pack_id", metavar="ID", help="Preview a briefing pack instead of a factsheet.")
@lang_option
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Port on 127.0.0.1; 0 picks a free one.")
@click.option("--format", "fmt", type=click.Choice(["pdf"]), default="pdf", show_default=True,
              help="Format whose pages are shown.")
@pass_ctx
def preview(ctx: Context, topic_id: str | None, handbook: bool, pack_id: str | None, langs, port: int,
            fmt: str) -> None:
    """Show a document's pages in the browser, languages side by side, updated on every save.

    Serves http://127.0.0.1:PORT/ only. Saving a file under content/ or templates/
    re-renders the documents it changed; invalid content shows its located errors
    above the last good pages. Ctrl-C stops it and removes its temporary files.

    \b
    Examples:
      pipeline preview corruption            the factsheet, every language
      pipeline preview --handbook --lang fr
      pipeline preview --pack financial-investigations
    """
    from pipeline.errors import ContentError
    from pipeline.preview.server import serve
    from pipeline.preview.session import Target

    if (topic_id is not None) + handbook + (pack_id is not None) != 1:
        raise click.UsageError("name a topic ID or --handbook or --pack ID (one of them)")
    try:  # check the choices now when the content is valid; otherwise the page shows its errors
        if topic_id is not None:
            _topics(ctx, (topic_id,), "'ID'")
        if pack_id is not None:
            _pack(ctx, pack_id, "'--pack'")
        langs = tuple(_langs(ctx, langs)) if langs else langs
    except ContentError:
        pass
    target = Target("handbook") if handbook else Target("pack", pack_id) if pack_id else Target("factsheet", topic_id)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # a polite kill cleans up like Ctrl-C
    # Ctrl-C must end a preview even if it was started with SIGINT ignored, as a shell
    # without job control starts background commands (Python then raises nothing).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a preview ends
        serve(ctx.content.resolve(), target, list(langs), port,
              on_ready=lambda url: click.echo(f"Previewing {target.label} at {url}  (Ctrl-C to stop)"))
    ctx.say("preview stopped")


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="pipeline")
