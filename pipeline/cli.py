"""The `pipeline` command line: parse options, call the library, report; nothing else.

Heavy modules (pydantic, Jinja2, WeasyPrint, python-docx) are imported inside the
commands, so `pipeline --help` answers in a fraction of a second.
Exit status: 0 success, 1 build or content error, 2 usage error.
"""

from __future__ import annotations

import difflib
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pipeline import __version__
from pipeline.plan import FORMATS

if TYPE_CHECKING:
    from pipeline.build import Outcome
    from pipeline.content import Project


class Context:
    """Options shared by every command."""

    def __init__(self, content: Path, build_dir: Path, quiet: bool):
        self.content = content
        self.build_dir = build_dir
        self.quiet = quiet
        self._project: Project | None = None

    def project(self) -> Project:
        if self._project is None:
            from pipeline.content import load_project

            self._project = load_project(self.content)
        return self._project

    def say(self, message: str) -> None:
        if not self.quiet:
            click.echo(message)


pass_ctx = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pipeline")
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


lang_option = click.option("--lang", "langs", multiple=True, metavar="L",
                           help="Language code (repeatable); default: all.")
format_option = click.option("--format", "formats", multiple=True, type=click.Choice(FORMATS),
                             help="Output format (repeatable); default: all.")
paper_option = click.option("--paper", type=click.Choice(["a4", "letter"]), default="a4", show_default=True,
                            help="Paper size.")
print_option = click.option("--print", "print_mode", is_flag=True,
                            help="Print-shop PDF (PDF/X-4, 3 mm bleed, crop marks) under build/print/.")


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
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes; default: one per core.")
@click.option("--force", is_flag=True, help="Rebuild even documents that are up to date.")
@paper_option
@print_option
@quiet_option
@pass_ctx
def build(ctx: Context, langs, formats, topics, handbook, factsheets, jobs, force, paper, print_mode) -> None:
    """Build factsheets and handbooks (everything by default).

    Only documents whose inputs changed are rebuilt; --force rebuilds all.

    \b
    Example:
      pipeline build --lang fr --format pdf --topic terrorism --no-handbook
    """
    from pipeline.plan import plan
    from pipeline.record import RECORD_NAME
    from pipeline.workers import Workers, default_workers

    workers = jobs or default_workers()
    pool = None
    if workers > 1 and (force or not (ctx.build_dir / RECORD_NAME).exists()):
        # Start the workers now: their WeasyPrint import overlaps loading the content.
        pool = Workers(workers, tuple(formats or FORMATS))
    try:
        project = ctx.project()
        jobs_list = plan(ctx.build_dir, _langs(ctx, langs), formats or FORMATS, _topics(ctx, topics),
                         handbook=handbook, factsheets=factsheets, variant=_variant(print_mode))
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


def _single(ctx: Context, kind, topic, langs, formats, output, paper, print_mode) -> None:
    from pipeline.plan import Job, plan

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
        jobs_list = plan(ctx.build_dir, lang_list, fmt_list or FORMATS, [topic] if topic else [],
                         handbook=kind == "handbook", factsheets=kind == "factsheet",
                         variant=_variant(print_mode))
    explicit = output is not None
    _run(ctx, jobs_list, paper, None, explicit, ctx.project(), remember=not explicit)


def _variant(print_mode: bool) -> str:
    return "print" if print_mode else "screen"


def _run(ctx: Context, jobs_list, paper, workers, force, project, remember=True, pool=None) -> None:
    from pipeline.build import run
    from pipeline.model import Layout
    from pipeline.workers import default_workers

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
@click.option("--verify", "verify_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Check a release folder against its manifest and checksums instead.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes; default: one per core.")
@quiet_option
@pass_ctx
def release(ctx: Context, langs, out_dir, allow_draft, verify_dir, jobs) -> None:
    """Build and assemble the distribution set of the edition, or verify one.

    Writes dist/<edition-date>/ (with -draft for a draft edition): screen PDFs, DOCX and
    a ZIP per language, print/ (PDF/X-4) and archive/ (PDF/A-2u) PDFs, manifest.json,
    README.txt and SHA256SUMS. Refuses, naming every cause, unless the edition is final
    (or --allow-draft), the content is valid and every document builds.

    \b
    Examples:
      pipeline release
      pipeline release --allow-draft --out /tmp/dist
      pipeline release --verify dist/2026-11-24
    """
    from pipeline import release as rel
    from pipeline.workers import default_workers

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
    request = rel.Request(ctx.content, ctx.build_dir, out_dir, lang_list, allow_draft, jobs or default_workers())
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    report = _Reporter(ctx, 0)
    target = rel.release(request, report=report)
    ctx.say(f"released {target}")


# --- validate and list ----------------------------------------------------------------


@cli.command()
@pass_ctx
def validate(ctx: Context) -> None:
    """Check all content (schemas, parity between languages, links) and summarise it.

    \b
    Example:
      pipeline validate
    """
    from pipeline.stats import words_per_language

    project = ctx.project()
    words = words_per_language(project)
    per_lang = ", ".join(f"{code} {count:,} words" for code, count in words.items())
    click.echo(f"content valid: {len(project.topic_ids)} topics, {len(words)} languages ({per_lang})")


@cli.command("list")
@pass_ctx
def list_topics(ctx: Context) -> None:
    """List topics by language, with word counts and last-modified dates.

    \b
    Example:
      pipeline list
    """
    from pipeline.stats import topic_rows

    rows = topic_rows(ctx.project())
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="pipeline")
