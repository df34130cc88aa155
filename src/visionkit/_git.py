"""An engagement file as it was at a git revision, read through `git show` with the checks a file gets."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from .engagement_file import MAX_FILE_BYTES
from .errors import EngagementError, Problem

GIT_SECONDS = 60
"""How long one git command may take before the read gives up (a hang guard: reading a blob takes milliseconds)."""
_OTHER_FILES = "or compare two files: visionkit diff OLD.yaml NEW.yaml"


def revision_problem(rev: str) -> str:
    """Why `rev` is refused before git sees it (empty if it is not).

    A revision starting with '-' would reach git as an option; whitespace, NUL and ':' cannot be
    part of one that names this file (`REV:./name`), and ':' would name another file.
    """
    if not rev:
        return "the revision is empty"
    if rev.startswith("-"):
        return f"the revision '{rev}' starts with '-'"
    if any(c.isspace() or c in "\0:" for c in rev):
        return f"the revision {rev!r} holds whitespace, a NUL or ':'"
    return ""


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    git = shutil.which("git")
    if git is None:
        raise FileNotFoundError("git")
    # GIT_DIR and GIT_WORK_TREE (set inside a git hook) would point git at another repository than the file's.
    env = {k: v for k, v in os.environ.items() if k not in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE")}
    env["GIT_TERMINAL_PROMPT"] = "0"
    # A repository's own config can name programs git runs (core.fsmonitor on every status read);
    # this read needs none of them.
    return subprocess.run(
        [git, "-c", "core.fsmonitor=false", "-C", str(folder), *args],
        capture_output=True,
        timeout=GIT_SECONDS,
        check=False,
        env=env,
    )


def text_at_revision(file: Path, rev: str) -> str:
    """The text of `file` as git holds it at revision `rev` (UTF-8, line ends as `\\n`).

    Raises `EngagementError` with one problem, named after the file, when the revision is refused,
    git is missing, the file is outside a git repository, git knows no such revision, or the file
    is not in it, is over `MAX_FILE_BYTES` or is not UTF-8 there.
    """
    name = str(file)
    at = f"{rev}:{name}"

    def refuse(message: str, hint: str, where: str = name) -> EngagementError:
        return EngagementError([Problem(message, (), hint, where)])

    reason = revision_problem(rev)
    if reason:
        raise refuse(reason, "name a commit, a branch or a tag, e.g. HEAD~1 or v1.2")
    folder = file.parent
    if not folder.is_dir():
        raise refuse("no such folder", "check the path")
    try:
        if _git(folder, "rev-parse", "--is-inside-work-tree").returncode != 0:
            raise refuse(
                "the file is not in a git repository, so it has no earlier versions",
                f"commit it to a git repository first, {_OTHER_FILES}",
            )
        if _git(folder, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").returncode != 0:
            raise refuse(
                f"git knows no revision '{rev}' in this repository",
                "name a commit, a branch or a tag, e.g. HEAD~1; `git log --oneline` lists them",
            )
        size = _git(folder, "cat-file", "-s", f"{rev}:./{file.name}")
        if size.returncode != 0:
            if _git(folder, "ls-files", "--error-unmatch", "--", file.name).returncode != 0:
                raise refuse(
                    "git does not track this file, so it has no earlier versions",
                    f"`git add` and commit it to keep its versions, {_OTHER_FILES}",
                )
            raise refuse(
                f"the file is not in revision '{rev}'",
                "it was added or renamed later; `git log --follow -- FILE` shows its history",
            )
        if int(size.stdout.strip() or 0) > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES // (1024 * 1024)
            raise refuse(f"the file is over {limit} MB in that revision", "engagement files are limited to 2 MB", at)
        # cat-file, not show: the blob as stored, never through a textconv filter the repository configures.
        shown = _git(folder, "cat-file", "blob", f"{rev}:./{file.name}")
    except FileNotFoundError:
        raise refuse("git is not installed", f"install git, {_OTHER_FILES}") from None
    except subprocess.TimeoutExpired:
        raise refuse(f"git took more than {GIT_SECONDS} s to answer", "try again, or check the repository") from None
    if shown.returncode != 0:
        said = shown.stderr.decode("utf-8", "replace").strip().splitlines()
        raise refuse(f"git could not read the file: {said[0] if said else 'no reason given'}", "", at)
    try:
        text = shown.stdout.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refuse("the file is not UTF-8 text in that revision", "it was saved in another encoding", at) from None
    return text.replace("\r\n", "\n")
