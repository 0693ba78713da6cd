"""The content folder as it stood at a git commit, without a checkout.

One `git archive` of the content folder's tree at the commit is read in memory and its
YAML files parsed there, so comparing with an old edition costs one git call whatever
the number of files. Nothing is written, and the working tree is never touched.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import PipelineError


class GitError(PipelineError):
    """A git command failed, or the content folder is not in a git repository."""


@dataclass(frozen=True)
class Repo:
    """Where the content folder sits in its git repository."""

    top: Path
    prefix: str  # the content folder's path inside the repository, "" or ending in "/"


def find_repo(content: Path) -> Repo | None:
    """The repository holding `content`, or None when it is not in one (or git is missing)."""
    try:
        out = _git(content, "rev-parse", "--show-toplevel", "--show-prefix")
    except GitError:
        return None
    lines = out.splitlines()
    return Repo(Path(lines[0]), lines[1] if len(lines) > 1 else "")


def resolve(repo: Repo, ref: str) -> str:
    """The full commit id of `ref`; GitError naming it when git does not know it."""
    try:
        return _git(repo.top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()
    except GitError:
        raise GitError(f"'{ref}' is neither an edition in the editions log, nor a release set folder, "
                       "nor a git commit") from None


def head(repo: Repo) -> str | None:
    try:
        return _git(repo.top, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").strip()
    except GitError:
        return None  # a repository without commits yet


def last_commit(repo: Repo, exclude: tuple[str, ...] = ()) -> str | None:
    """The last commit that changed the content folder, leaving out `exclude` (its record files)."""
    specs = [repo.prefix or ".", *(f":(exclude){repo.prefix}{name}" for name in exclude)]
    try:
        return _git(repo.top, "log", "-1", "--format=%H", "--", *specs).strip() or None
    except GitError:
        return None


def changed_paths(repo: Repo, content: Path) -> list[str]:
    """Files under `content` that differ from HEAD (staged, unstaged or untracked), relative to it."""
    out = _git(repo.top, "status", "--porcelain", "--untracked-files=all", "--", repo.prefix or ".")
    paths = []
    for line in out.splitlines():
        path = line[3:].split(" -> ")[-1].strip('"')
        paths.append(path[len(repo.prefix):] if path.startswith(repo.prefix) else path)
    return paths


def yaml_files(repo: Repo, commit: str) -> dict[str, bytes]:
    """Every `.yaml` file of the content folder at `commit`, by path inside the folder."""
    tree = f"{commit}:{repo.prefix.rstrip('/')}" if repo.prefix else commit
    try:
        data = subprocess.run(["git", "-C", str(repo.top), "archive", "--format=tar", tree],
                              capture_output=True, check=True).stdout
    except subprocess.CalledProcessError as exc:
        raise GitError(f"git archive {tree}: {exc.stderr.decode(errors='replace').strip()}") from None
    files = {}
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for member in tar:
            if member.isfile() and member.name.endswith(".yaml"):
                extracted = tar.extractfile(member)
                if extracted is not None:
                    files[member.name] = extracted.read()
    return files


def _git(cwd: Path, *args: str) -> str:
    try:
        result = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True, check=False)
    except OSError as exc:
        raise GitError(f"git not available: {exc}") from None
    if result.returncode != 0:
        raise GitError(f"git {' '.join(args)}: {result.stderr.strip() or 'failed'}")
    return result.stdout
