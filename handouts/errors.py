"""The one error root of handouts, and the problem records it carries.

Library code raises these; only the CLI turns them into exit codes and
stderr lines, so the library never prints or exits.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path


# What a Problem is, as lint's findings name it: most are `input`; a template
# using a variable that does not exist is `unknown-variable`.
INPUT = "input"
UNKNOWN_VARIABLE = "unknown-variable"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input: where it is, what is wrong, and its kind (a lint code).

    The one record of a located problem: errors carry them, and lint's
    findings are problems with a severity (lint.findings.Finding).
    """

    path: str
    line: int | None
    message: str
    code: str = field(default=INPUT, compare=False)

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


def display_path(path: str | os.PathLike[str]) -> str:
    """Return `path` relative to the working folder when it lies below it.

    Messages then read like a compiler's (`sections/benefits.yaml:4: ...`)
    and stay short; paths elsewhere are shown whole.
    """
    return _display(os.fspath(path), os.getcwd())


@lru_cache(maxsize=4096)
def _display(path: str, cwd: str) -> str:
    # Resolving is a system call per path component; a lint of the bundled
    # handout names the same few dozen files hundreds of times.
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path(cwd).resolve()))
    except (ValueError, OSError):
        return str(p)


def explain_os_error(exc: OSError, path: str | os.PathLike[str]) -> str:
    """What went wrong writing `path`, and what to do, in one line for a Problem.

    For an output file or folder: the operating system's own words
    ("File exists") name neither the culprit nor the remedy.
    """
    code = exc.errno
    if code in (errno.ENOTDIR, errno.EEXIST):
        blocker = _file_in_the_way(Path(path))
        if blocker is not None:
            return f"cannot create a folder here: '{display_path(blocker)}' is a file, not a folder; choose another path"
    if code in (errno.EACCES, errno.EPERM):
        return "permission denied; choose a folder you can write to"
    if code == errno.EROFS:
        return "the file system is read-only; choose a folder you can write to"
    if code in (errno.ENOSPC, errno.EDQUOT):
        return "no space left on the disk (or over quota); free some space and run again"
    if code == errno.EISDIR:
        return "is a folder; name a file instead"
    if code == errno.ENAMETOOLONG:
        return "the name is too long; choose a shorter path"
    return f"cannot write here: {exc.strerror or exc}"


def _file_in_the_way(path: Path) -> Path | None:
    """The nearest existing ancestor of `path` (or `path` itself) that is not a folder."""
    for candidate in (path, *path.parents):
        if os.path.lexists(candidate):
            return None if candidate.is_dir() else candidate
    return None


class HandoutError(Exception):
    """Root of every error handouts raises on purpose.

    It carries one or more problems so that validation can report all of
    them at once instead of stopping at the first. The CLI exits 1 for it
    (a problem with the input), 2 for a UsageError.
    """

    def __init__(self, problems: list[Problem] | tuple[Problem, ...] | str):
        if isinstance(problems, str):
            problems = (Problem("handouts", None, problems),)
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ContentError(HandoutError):
    """A manifest, section or template is wrong."""


class BrandError(HandoutError):
    """A brand file, its logo or its fonts are wrong."""


class LayoutError(HandoutError):
    """A page layout is wrong."""


class RosterError(HandoutError):
    """A provider roster is wrong, or names no such provider."""


class UsageError(HandoutError):
    """The command was asked for something it cannot do (an option's value, a name): the CLI exits 2.

    Not a problem in the content, so where every input problem is collected
    before stopping, this one stops at once.
    """


class NotFoundError(UsageError):
    """The handout, layout, roster or brand asked for is neither a file, a folder nor a bundled name."""


class OutputError(HandoutError):
    """An output file or folder could not be written (permissions, a file in the way, a full disk)."""


class FolderBusyError(OutputError):
    """Another run holds the output folder's lock (deliver.lock); the message names it."""


class RenderError(HandoutError):
    """The content was valid but could not be laid out or written."""
