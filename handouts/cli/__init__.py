"""The `handouts` command line: a thin layer over the library.

Each command parses its options and calls one library function: the
commands are in `documents.py` (build, print, lint, init) and `runs.py`
(batch, merge-manifests, email), the options they share in `options.py`.
Errors are turned into exit codes in one place, `HandoutsGroup.invoke`:
0 success, 1 a problem with the input (every problem listed on stderr as
`path:line: message`), 2 a usage mistake, 3 a bug in handouts itself.
"""

from __future__ import annotations

import gc
import logging
import signal
import sys

import click

from ..version import __version__

EXIT_INPUT, EXIT_USAGE, EXIT_BUG = 1, 2, 3
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143  # 128 + SIGINT, 128 + SIGTERM, as shells report them


class Terminated(KeyboardInterrupt):
    """SIGTERM (a service stopping, `kill`): handled exactly like Ctrl-C, then exit 143.

    A KeyboardInterrupt so that every `finally` that saves work on Ctrl-C
    (a batch's manifest, a temporary file's removal) runs for it too.
    """


def _terminate(signum, frame) -> None:
    # Once: a second SIGTERM must not interrupt the saving the first one started.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Terminated()


def _redeliver_interrupt(unraisable) -> None:
    """sys.unraisablehook: an interruption that landed in a finalizer is raised again, a moment later.

    Python cannot raise out of a finalizer or weakref callback (it prints
    "Exception ignored in ..." and goes on), so a Ctrl-C or SIGTERM that
    arrives while the garbage collector runs one was lost, and a batch ran
    to its end (a third of the time in a test). A timer raises the same
    interruption in whatever code runs next; other unraisable errors are
    reported as usual.
    """
    if not isinstance(unraisable.exc_value, KeyboardInterrupt):
        sys.__unraisablehook__(unraisable)
        return
    kind = type(unraisable.exc_value)

    def again(signum, frame) -> None:
        raise kind()

    signal.signal(signal.SIGALRM, again)
    signal.setitimer(signal.ITIMER_REAL, 0.001)


class _EchoHandler(logging.Handler):
    """Library log records to stderr through click, as `handouts: warning: ...`.

    Tracebacks of internal errors are shown only with --debug.
    """

    def emit(self, record: logging.LogRecord) -> None:
        ctx = click.get_current_context(silent=True)
        debug = bool(ctx and ctx.find_root().obj and ctx.find_root().obj.get("debug"))
        message = f"handouts: {record.levelname.lower()}: {record.getMessage()}"
        if debug and record.exc_info:
            import traceback

            message += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip()
        click.echo(message, err=True)


def _quiet(ctx: click.Context, _param, value: bool) -> None:
    """-q anywhere: before the command (the group's option) or after it (each command's)."""
    if value:
        ctx.find_root().obj["quiet"] = True
        logging.getLogger("handouts").setLevel(logging.ERROR)


class HandoutsGroup(click.Group):
    """Maps the library's errors to exit codes and stderr lines; gives every command `-q`."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        # `handouts build x -q` as well as `handouts -q build x`: click
        # accepts a group's option only before the command name.
        cmd.params.append(click.Option(["-q", "--quiet"], is_flag=True, expose_value=False, callback=_quiet,
                                       help="Print only errors."))
        super().add_command(cmd, name)

    def invoke(self, ctx: click.Context):
        from ..errors import HandoutError, UsageError

        try:
            return super().invoke(ctx)
        except HandoutError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            if isinstance(exc, UsageError):
                click.echo("Try 'handouts --help' for help.", err=True)
                ctx.exit(EXIT_USAGE)
            ctx.exit(EXIT_INPUT)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt as exc:
            terminated = isinstance(exc, Terminated)
            click.echo(f"handouts: interrupted{' (SIGTERM)' if terminated else ''}; nothing partial was written",
                       err=True)
            ctx.exit(EXIT_TERMINATED if terminated else EXIT_INTERRUPTED)
        except Exception as exc:  # a bug: say so in one line, trace only on --debug
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"handouts: internal error ({type(exc).__name__}: {exc}); "
                       "this is a bug in handouts: rerun with --debug and report the traceback", err=True)
            ctx.exit(EXIT_BUG)


@click.group(cls=HandoutsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="handouts")
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool, quiet: bool) -> None:
    """Branded, print-ready PDF patient handouts from YAML content.

    \b
    Start here:
      handouts build                 # the bundled stem-cell knee handout
      handouts init my-clinic        # a copy to make your own
      handouts build my-clinic       # your handout, your brand
    """
    ctx.obj = {"debug": debug, "quiet": quiet}
    log = logging.getLogger("handouts")
    log.handlers[:] = [_EchoHandler()]
    log.setLevel(logging.ERROR if quiet else logging.WARNING)
    log.propagate = False


# Each module registers its commands with `cli`.
from . import documents, runs, web  # noqa: E402, F401


def main() -> None:
    """Console-script entry point."""
    signal.signal(signal.SIGTERM, _terminate)
    sys.unraisablehook = _redeliver_interrupt
    try:
        cli(prog_name="handouts")
    finally:
        # The process ends next. Left to the last garbage collection, every
        # object would be freed one by one first (a tenth of a second after a
        # lint, as long as the rest of its teardown); frozen, they are left to
        # the operating system. Atexit handlers and the flushing of stdout
        # and stderr still run; files are closed where they are written.
        gc.freeze()
