"""The example messages of docs/troubleshooting.md are what the tool prints today.

Each example block in the guide is marked `<!-- example: NAME -->` and starts with the
commands it shows (`$ pipeline ...`). For the examples named here, the test makes the
same edits to a scratch copy of the real content, runs the same commands from the
folder above it (so paths read `content/...`), and compares the output with the block,
line for line. Examples that need a build (overflow, release) are generated the same
way by hand and checked by their own tests (test_release_replace.py and others).
"""

from __future__ import annotations

import re
import shlex
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "troubleshooting.md"
EXAMPLE = re.compile(r"<!-- example: ([\w-]+) -->\n```text\n(.*?)```", re.DOTALL)


def edit(content: Path, rel: str, old: str, new: str) -> None:
    path = content / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"content changed: {old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def figure(width: int, alt: str) -> str:
    return f"    blocks:\n      - figure:\n          src: map.png\n          alt: {alt}\n          width: {width}\n"


def every_stage(c: Path) -> None:
    edit(c, "en/terrorism.yaml", "lead: ", "lead: Read [the report](http://example.org/report). ")
    edit(c, "en/corruption.yaml", "organised-crime, terrorism]", "organised-crim, terrorism]")
    edit(c, "en/corruption.yaml", "    blocks:\n", figure(60, "A map of the ports."))
    edit(c, "fr/corruption.yaml", "    blocks:\n", figure(50, "Une carte des ports."))
    edit(c, "fr/terrorism.yaml", "lead: ", "lead: 😀 ")
    edit(c, "fr/drug-trafficking.yaml", "title: ", "titel: ")


def misread(c: Path) -> None:
    edit(c, "en/corruption.yaml", "lead: Corruption is universal.", "lead: *Corruption* is universal.")
    edit(c, "en/corruption.yaml", "  - It affects all regions", "  - It ranks #1 and affects all regions")
    edit(c, "en/corruption.yaml", "      - Corruption is a breeding ground",
         "      - [Corruption](https://example.org/c) is a breeding ground")
    edit(c, "en/corruption.yaml", "      - Corruption-related transactions",
         "      - Note: corruption-related transactions")


def broken(c: Path) -> None:
    misread(c)
    edit(c, "en/terrorism.yaml", "firearms, vehicle-crime]", "firearms, vehicle-crime")
    edit(c, "fr/corruption.yaml", "title: Corruption", "title: Corruption\ntitle: Corruption")
    edit(c, "fr/terrorism.yaml", "lead: ", "\tlead: ")


def stale(c: Path) -> None:
    edit(c, "en/corruption.yaml", "lead: Corruption is universal.", "lead: Corruption is universal and costly.")


def nothing(c: Path) -> None:
    pass


# NAME: (edits to the content, files written before the commands run)
SCENARIOS: dict[str, Callable[[Path], None]] = {
    "every-stage": every_stage,
    "misread": misread,
    "fmt": broken,
    "stale": stale,
    "final-refusal": stale,
    "usage": nothing,
    "import-older": nothing,
    "import-initial": stale,
}


def examples() -> dict[str, str]:
    return dict(EXAMPLE.findall(GUIDE.read_text(encoding="utf-8")))


def test_every_scenario_has_its_example_in_the_guide():
    assert set(SCENARIOS) <= set(examples())


def _run(block: str, cwd: Path) -> str:
    """Run each `$ pipeline ...` line of `block`; the transcript in the block's form."""
    out = []
    for line in block.splitlines():
        if not line.startswith("$ "):
            continue
        words = shlex.split(line[2:])
        out.append(line)
        if words[0] == "sed":  # a text editor's change, shown as sed
            import subprocess

            subprocess.run(words, cwd=cwd, check=True)
            continue
        assert words[0] == "pipeline", line
        result = CliRunner().invoke(cli, words[1:], prog_name="pipeline", catch_exceptions=False)
        out += result.output.splitlines()
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_the_example_is_what_the_tool_prints(name, tmp_path, monkeypatch):
    block = examples()[name]
    shutil.copytree(ROOT / "content", tmp_path / "content")
    SCENARIOS[name](tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    assert _run(block, tmp_path) == block
