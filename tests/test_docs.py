"""The README and the guides in docs/: short, linked, and every command in them exists.

A newcomer copies commands from the guides literally; a command or flag that does not
exist is a bug of the guide. Each `pipeline ...` line of a `sh` block is parsed by the
real command line (unknown commands, options or choices fail), each `make X` names a
target of the Makefile. The guides' workflows are run for real in
tests/test_docs_workflow.py.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from pipeline.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
GUIDES = sorted(DOCS.glob("*.md"))
DOCUMENTS = [README, *GUIDES, *(p for p in [ROOT / "SECURITY.md"] if p.exists())]

SH_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)
LINK = re.compile(r"\]\(([^)\s]+)\)|src=\"([^\"]+)\"")


def sh_lines(path: Path) -> list[tuple[int, str]]:
    """(line number, command) of every command in the file's `sh` blocks, comments dropped."""
    text = path.read_text(encoding="utf-8")
    found = []
    for block in SH_BLOCK.finditer(text):
        first = text.count("\n", 0, block.start(1)) + 1
        for offset, line in enumerate(block.group(1).splitlines()):
            command = line.split(" #", 1)[0].strip()
            if command and not command.startswith("#"):
                found.append((first + offset, command))
    return found


def all_commands(prefix: str) -> list[tuple[str, str]]:
    return [(f"{path.relative_to(ROOT)}:{line}", command)
            for path in DOCUMENTS for line, command in sh_lines(path) if command.startswith(prefix)]


def resolve(args: list[str]) -> click.Context:
    """Parse `args` as the real CLI would, down to the leaf command; raises on any usage error."""
    ctx = cli.make_context("pipeline", list(args), resilient_parsing=False)
    while isinstance(ctx.command, click.Group):
        rest = [*ctx._protected_args, *ctx.args]
        if not rest:
            break
        name, *rest = rest
        command = ctx.command.get_command(ctx, name)
        if command is None:
            raise click.UsageError(f"no such command {name!r}")
        ctx = command.make_context(name, rest, parent=ctx)
    return ctx


def test_readme_is_a_landing_page():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 200, f"README.md has {len(lines)} lines; guides belong in docs/"


def test_every_guide_is_linked_from_the_readme():
    text = README.read_text(encoding="utf-8")
    missing = [p.name for p in GUIDES if f"docs/{p.name}" not in text]
    assert not missing, f"guides not linked from README.md: {missing}"


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(path: Path):
    text = SH_BLOCK.sub("", path.read_text(encoding="utf-8"))
    text = re.sub(r"```.*?```|`[^`\n]*`", "", text, flags=re.S)  # code shows syntax, not links
    broken = []
    for match in LINK.finditer(text):
        target = (match.group(1) or match.group(2)).split("#", 1)[0]
        if not target or re.match(r"^[a-z]+:", target):
            continue
        if not (path.parent / target).exists():
            broken.append(target)
    assert not broken, f"{path.name}: links to missing files: {broken}"


CODE_PATH = re.compile(r"\b((?:pipeline|tests|templates)/[\w./-]*\w\.(?:py|j2|css|md))\b")


@pytest.mark.parametrize("path", [*DOCUMENTS, *sorted((ROOT / "templates").rglob("README.md"))],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_every_code_file_the_docs_name_exists(path: Path):
    """A guide that names `pipeline/release.py` after the code moved to `pipeline/release/`
    sends the next maintainer to a file that is not there."""
    named = set(CODE_PATH.findall(path.read_text(encoding="utf-8")))
    missing = sorted(name for name in named if not (ROOT / name).exists())
    assert not missing, f"{path.relative_to(ROOT)} names files that do not exist: {missing}"


@pytest.mark.parametrize(("where", "command"), all_commands("pipeline "), ids=lambda v: v if ":" in v else "")
def test_every_pipeline_command_in_the_docs_parses(where: str, command: str):
    args = shlex.split(command)[1:]
    try:
        resolve(args)
    except click.exceptions.Exit:
        pass  # --help, --version
    except click.BadParameter as exc:
        # A file or folder the example names need not exist where the tests run.
        if "does not exist" not in exc.format_message():
            pytest.fail(f"{where}: `{command}`: {exc.format_message()}")
    except click.UsageError as exc:
        pytest.fail(f"{where}: `{command}`: {exc.format_message()}")


def test_the_parse_check_catches_a_wrong_flag():
    with pytest.raises(click.UsageError):
        resolve(["factsheet", "terrorism", "--langue", "fr"])
    with pytest.raises(click.UsageError):
        resolve(["translations", "exports", "--lang", "fr"])
    with pytest.raises(click.UsageError):
        resolve(["build", "--format", "odt"])


def test_every_make_target_in_the_docs_exists():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][\w-]*):", makefile, re.M))
    missing = []
    for where, command in all_commands("make "):
        target = shlex.split(command)[1]
        if "=" not in target and target not in targets:
            missing.append(f"{where}: make {target}")
    assert not missing, missing
