"""Printing through CUPS: a built handout sent to a printer with `lp`.

Only the CUPS command-line client is used (`lp` and `lpstat`, run without a
shell and with a time limit), so whatever printers the machine's CUPS knows
work here, and `CUPS_SERVER` points at another scheduler as for any CUPS
program.

The PDF goes to `lp` on its standard input: nothing is written to disk on
the way, so a handout printed for a named patient leaves no file behind.
The job's title names the handout and its version, never the patient.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import HandoutError, Problem

if TYPE_CHECKING:
    from ..pipeline.produce import Rendered

# lpstat and lp answer at once when the scheduler is up; a stuck scheduler
# or network server must not hang the front desk.
TIMEOUT_SECONDS = 30.0
MAX_COPIES = 100
# CUPS queue names: printable characters other than space, tab, "/", "\",
# "#", "'" and '"' (cups/dest.c, lpadmin's check).
_QUEUE_NAME = re.compile(r"[^\s/\\#'\"]{1,127}")
_JOB_ID = re.compile(r"request id is (\S+)")


class PrintError(HandoutError):
    """The handout was built but could not be handed to a printer."""


@dataclass(frozen=True)
class PrintJob:
    """A job CUPS accepted."""

    job_id: str
    printer: str
    copies: int
    duplex: bool


@dataclass(frozen=True)
class PrintResult:
    """What `print_handout` printed: the job, and the pages of one copy."""

    job: PrintJob
    pages: int


def _fail(message: str) -> PrintError:
    return PrintError([Problem("print", None, message)])


def _where() -> str:
    server = os.environ.get("CUPS_SERVER", "").strip()
    return f" (CUPS_SERVER={server})" if server else ""


def _run(command: list[str], *, data: bytes | None = None, timeout: float) -> subprocess.CompletedProcess:
    # C locale: lp's messages are read below and quoted to the user as they are.
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    try:
        return subprocess.run(command, input=data if data is not None else b"", capture_output=True,
                              timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired:
        raise _fail(f"cannot print: CUPS did not answer {Path(command[0]).name} within {timeout:g} s{_where()}") from None
    except OSError as exc:
        raise _fail(f"cannot print: could not run {command[0]}: {exc.strerror or exc}") from None


def _text(result: subprocess.CompletedProcess) -> str:
    return (result.stdout + result.stderr).decode("utf-8", "replace").strip()


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise _fail(f"cannot print: the CUPS command '{name}' is not installed "
                    "(Debian/Ubuntu: apt-get install cups-client)")
    return path


def check_printer(printer: str | None, *, timeout: float = TIMEOUT_SECONDS) -> str:
    """The queue a job would go to, after checking CUPS can take it.

    Raises PrintError, in one line, when the CUPS client is missing, the
    scheduler is not running, there is no default printer, or `printer`
    does not exist.
    """
    lpstat = _tool("lpstat")
    _tool("lp")
    state = _text(_run([lpstat, "-r"], timeout=timeout))
    if "scheduler is running" not in state:
        raise _fail(f"cannot print: the CUPS scheduler is not running{_where()}")
    if printer is None:
        default = _text(_run([lpstat, "-d"], timeout=timeout))
        match = re.search(r"system default destination:\s*(\S+)", default)
        if not match:
            raise _fail(f"cannot print: no default printer{_where()}; name one with --printer "
                        "('lpstat -p' lists them)")
        printer = match.group(1)
    if not _QUEUE_NAME.fullmatch(printer) or printer.startswith("-"):
        raise _fail(f"cannot print: {printer!r} is not a CUPS printer name")
    if _run([lpstat, "-p", printer], timeout=timeout).returncode != 0:
        raise _fail(f"cannot print: no printer named '{printer}'{_where()} ('lpstat -p' lists them)")
    return printer


def available_printers(*, timeout: float = TIMEOUT_SECONDS) -> tuple[list[str], str | None]:
    """The CUPS queues that take jobs (`lpstat -e`), and the default one if any (`lpstat -d`).

    Raises PrintError, in one line, when the CUPS client is missing or the
    scheduler is not running.
    """
    lpstat = _tool("lpstat")
    _tool("lp")
    if "scheduler is running" not in _text(_run([lpstat, "-r"], timeout=timeout)):
        raise _fail(f"cannot print: the CUPS scheduler is not running{_where()}")
    names = [n for n in _text(_run([lpstat, "-e"], timeout=timeout)).split() if _QUEUE_NAME.fullmatch(n)]
    match = re.search(r"system default destination:\s*(\S+)", _text(_run([lpstat, "-d"], timeout=timeout)))
    return sorted(names), match.group(1) if match and match.group(1) in names else None


def print_pdf(data: bytes, *, title: str, printer: str | None = None, copies: int = 1, duplex: bool = False,
              timeout: float = TIMEOUT_SECONDS) -> PrintJob:
    """Send a PDF to a CUPS printer; returns the job CUPS made of it.

    `title` becomes the job's name in the queue, and on some printers a
    banner page: pass nothing that identifies a patient. `printer` None
    means the CUPS default destination. `duplex` asks for long-edge
    two-sided printing; otherwise the printer's default applies.
    """
    if not 1 <= copies <= MAX_COPIES:
        raise _fail(f"cannot print: copies must be between 1 and {MAX_COPIES}, not {copies}")
    queue = check_printer(printer, timeout=timeout)
    command = [_tool("lp"), "-d", queue, "-n", str(copies), "-t", title]
    if duplex:
        command += ["-o", "sides=two-sided-long-edge"]
    # No file operand: lp reads the document from standard input.
    result = _run(command, data=data, timeout=timeout)
    output = _text(result)
    match = _JOB_ID.search(output)
    if result.returncode != 0 or not match:
        reason = output.splitlines()[-1] if output else f"lp exited with status {result.returncode}"
        raise _fail(f"cannot print to '{queue}': {reason}")
    return PrintJob(job_id=match.group(1), printer=queue, copies=copies, duplex=duplex)


def job_title(handout_id: str, version: str) -> str:
    """The queue's name for a handout's job: its id and version, nothing about the reader."""
    return f"{handout_id} version {version}"


def print_handout(handout: str | Path | None = None, *, printer: str | None = None, copies: int = 1,
                  duplex: bool = False, timeout: float = TIMEOUT_SECONDS, rendered: Rendered | None = None,
                  **build_options) -> PrintResult:
    """Build a handout in memory and send it to a CUPS printer.

    `build_options` are those of `pipeline.produce.render_one` (options or
    brand, layout..., providers, provider_id, patient_name). The printer is
    checked before the handout is built, so a missing printer fails fast;
    nothing is written to disk. A handout `rendered` already (`build
    --print`, which also writes it) is printed as it is: every print goes
    this one way.
    """
    from ..pipeline.produce import render_one

    queue = check_printer(printer, timeout=timeout)
    if rendered is None:
        rendered = render_one(handout, **build_options)
    content = rendered.prepared.handout
    job = print_pdf(rendered.data, title=job_title(content.id, content.version), printer=queue, copies=copies,
                    duplex=duplex, timeout=timeout)
    return PrintResult(job=job, pages=rendered.pages)
