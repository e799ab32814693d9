"""The options several commands share, each declared once, and what commands share besides.

`shared_options` gives a command HANDOUT and the options that say what to
build as one frozen `pipeline.options.Options`; `shared_option` declares
one more of them further down a command's list, to keep its help in order.
"""

from __future__ import annotations

import functools
import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

# Where a command writes: checked by the library, which names the path and
# exits 1 (a folder where a file goes is a problem with the input, like any
# other), rather than by click, whose refusal is a usage error (exit 2).
OUTPUT = click.Path()


FORMATS = ("pdf", "html")
# batch --format: one edition or both, each a tuple in that order.
BATCH_FORMATS = {"pdf": ("pdf",), "html": ("html",), "pdf,html": FORMATS, "html,pdf": FORMATS}

# The options several commands share, each declared once: (names, click's
# settings). A command may word its help its own way (`shared_options`).
_SHARED = {
    "brand": (("--brand",), dict(type=click.Path(dir_okay=False), help="brand.yml to print with.")),
    "layout": (("--layout",), dict(metavar="NAME|FILE", help="letter (default), a4, large-print, or a layout file.")),
    "providers": (("--providers",), dict(type=click.Path(dir_okay=False), help="Roster: CSV or YAML list of "
                                         "providers (default: providers.csv beside the handout).")),
    "provider_id": (("--provider", "provider_id"), dict(metavar="ID", help="Provider id from the roster to print "
                                                        "on the handout.")),
    "patient_name": (("--patient-name",), dict(metavar="TEXT", help="Patient's name for the cover and signature "
                                               "page.")),
    "print_ready": (("--print-ready",), dict(is_flag=True, help="Add 3 mm bleed and crop marks for a print shop.")),
    "allow_outside": (("--allow-outside",), dict(is_flag=True, help="Allow content paths that leave the handout's "
                                                 "folder.")),
    "allow_lint_errors": (("--allow-lint-errors",), dict(is_flag=True, help="Build despite lint errors (each is "
                                                         "logged as a warning).")),
    "no_cache": (("--no-cache",), dict(is_flag=True, help="Work everything out again, and keep nothing for the "
                                       "next run (the cache is in $HANDOUTS_CACHE_DIR, else $XDG_CACHE_HOME/handouts "
                                       "or ~/.cache/handouts).")),
    "language": (("--language",), dict(metavar="CODE", help="Print the translation into this language (es, "
                                       "es-MX); without one, the handout's own language prints, with a warning.")),
}
# The shared options that say what to build: a command gets them, with
# HANDOUT, as one frozen pipeline.options.Options named `options`.
_WHAT_TO_BUILD = ("handout", "brand", "layout", "language", "print_ready", "allow_outside", "allow_lint_errors")


def shared_option(name: str, help: str | None = None):  # noqa: A002 - click's word
    """The shared option `name` (_SHARED), its help reworded if `help` is given."""
    decls, settings = _SHARED[name]
    return click.option(*decls, **{**settings, **({"help": help} if help else {})})


def shared_options(*names: str, **helps: str):
    """HANDOUT and the shared options `names`, in that order (help reworded by `helps`).

    The command is called with `options` (what to build) in place of
    HANDOUT and the options of _WHAT_TO_BUILD (those declared here or by
    `shared_option` further down), and the others by name.
    """
    def decorate(command):
        @functools.wraps(command)
        def run(**values):
            from ..pipeline.options import Options

            what = {name: values.pop(name) for name in _WHAT_TO_BUILD if name in values}
            if "no_cache" in values:  # a command that keeps a cache unless told not to
                what["cache"] = None if values.pop("no_cache") else cache_folder()
            return command(options=Options(**what), **values)

        for name in reversed(names):
            run = shared_option(name, helps.get(name))(run)
        return click.argument("handout", required=False)(run)
    return decorate


@contextmanager
def without_collector() -> Iterator[None]:
    """Run one document's command without Python's cyclic garbage collector.

    A lint or a build is short and its inputs are capped: the 70-odd
    collections its imports, loading and layout would trigger free next to
    nothing and cost a twentieth of a cold run. (Batches manage the
    collector themselves: deliver.workers.)
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def wait_option(folder: str):
    """--wait SECONDS, for commands that take an output folder's lock (deliver.lock)."""
    return click.option("--wait", type=click.FloatRange(min=0), metavar="SECONDS",
                        help=f"If another run is writing into {folder}, wait up to SECONDS for it "
                             "(default: refuse at once).")


def with_progress(label: str, run):
    """Run `run(progress)` with a progress bar on a terminal, or none."""
    if sys.stderr.isatty() and not (click.get_current_context().obj or {}).get("quiet"):
        with click.progressbar(length=1, label=label, file=sys.stderr) as bar:
            def progress(done, total):
                bar.length = max(total, 1)
                bar.update(1)
            return run(progress)
    return run(None)


def smtp_options(command):
    """--smtp-host, --smtp-port, --smtp-user, --from, --tls and --ca-file: how `email` and `serve` send."""
    for option in reversed([
        click.option("--smtp-host", metavar="HOST", help="SMTP server (or HANDOUTS_SMTP_HOST)."),
        click.option("--smtp-port", type=click.IntRange(1, 65535), help="SMTP port (or HANDOUTS_SMTP_PORT)."),
        click.option("--smtp-user", metavar="USER", help="SMTP user (or HANDOUTS_SMTP_USER)."),
        click.option("--from", "sender", metavar="ADDRESS", help="Sender address (or HANDOUTS_SMTP_FROM)."),
        click.option("--tls", type=click.Choice(["ssl", "starttls", "none"]),
                     help="TLS mode (or HANDOUTS_SMTP_TLS; default starttls)."),
        click.option("--ca-file", type=click.Path(dir_okay=False), help="CA certificates to verify the server with."),
    ]):
        command = option(command)
    return command


def cache_folder() -> str | None:
    """Where lint keeps what it worked out: $HANDOUTS_CACHE_DIR, else the XDG cache folder; None with no home."""
    named = os.environ.get("HANDOUTS_CACHE_DIR")
    if named:
        return named
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        home = os.path.expanduser("~")
        if home.startswith("~"):
            return None  # no home to be found: a folder named "~" here would be a surprise
        base = os.path.join(home, ".cache")
    return os.path.join(base, "handouts")
