"""`handouts serve`: the web pages for the front desk and editors (handouts/serve), started from the command line."""

from __future__ import annotations

import os

import click

from . import cli
from .options import OUTPUT, cache_folder, smtp_options


@cli.command()
@click.argument("folders", nargs=-1, metavar="[FOLDER]...")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; any but loopback needs --users and --certfile/--keyfile.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--users", type=click.Path(dir_okay=False), help="Staff accounts (name:argon2 hash lines); "
              "pages then need a sign-in.")
@click.option("--add-user", metavar="NAME", help="Add NAME to --users FILE (or change its password), asking for "
              "the password, and exit.")
@click.option("--audit", "list_audit", is_flag=True, help="List the audit log and exit.")
@click.option("--audit-log", default="handouts-audit.sqlite", show_default=True, type=OUTPUT,
              help="Audit log of every print, e-mail and download (SQLite, owner-only).")
@click.option("--certfile", type=click.Path(dir_okay=False, exists=True), help="TLS certificate (PEM).")
@click.option("--keyfile", type=click.Path(dir_okay=False, exists=True), help="TLS private key (PEM).")
@click.option("--ledger", default="email-ledger.sqlite", show_default=True, type=OUTPUT,
              help="E-mail ledger, as for 'handouts email' (the desk never sends a patient a mailing twice).")
@click.option("--outbox", default="outbox", show_default=True, type=OUTPUT,
              help="The e-mail outbox folder whose lock e-mail runs share.")
@click.option("--brand", type=click.Path(dir_okay=False), help="brand.yml to print with (default: each handout's).")
@click.option("--providers", type=click.Path(dir_okay=False),
              help="Roster for every handout (default: the providers.csv beside each).")
@click.option("--layout", type=click.Choice(["letter", "a4"]), default="letter", show_default=True,
              help="Paper when large print is not asked for.")
@click.option("-j", "--workers", type=click.IntRange(1, 64), help="Worker processes rendering (default: cores, "
              "at least 2).")
@smtp_options
def serve(folders, host, port, users, add_user, list_audit, audit_log, certfile, keyfile, ledger, outbox, brand,
          providers, layout, workers, smtp_host, smtp_port, smtp_user, sender, tls, ca_file):
    """Web pages for the front desk (print or e-mail one patient's copy) and for editors (live preview and lint).

    FOLDER is a handout (as for build) or a folder of handout folders;
    without one, the bundled handout. The server listens on this machine
    only unless given staff accounts (--users) and TLS (--certfile and
    --keyfile). Patient names and addresses are never stored or logged;
    every print, e-mail and download is written to the audit log.

    \b
    Examples:
      handouts serve my-clinic                         # http://127.0.0.1:8000/
      handouts serve --add-user ana --users staff.txt
      handouts serve clinics/ --host 0.0.0.0 --users staff.txt --certfile cert.pem --keyfile key.pem
      handouts serve --audit
    """
    from pathlib import Path

    try:
        from ..serve import ServeOptions, check_options, url
        from ..serve.catalog import manifests
        from ..serve.options import smtp_from

        if not (add_user or list_audit):
            import uvicorn  # noqa: F401 - the extra packages, asked for before anything starts

            from ..serve.app import create_app  # noqa: F401
    except ImportError as exc:
        raise click.ClickException(f"handouts serve needs its extra packages ({exc.name} is missing): "
                                   "pip install 'handouts[serve]'") from None
    if add_user:
        from ..serve.auth import add_user as add

        if not users:
            raise click.UsageError("--add-user NAME needs --users FILE (the file to add the account to)")
        password = click.prompt(f"Password for {add_user}", hide_input=True, confirmation_prompt=True, err=True)
        new = add(Path(users), add_user, password)
        click.echo(f"{'Added' if new else 'Changed the password of'} {add_user} in {users}")
        return
    if list_audit:
        from ..serve.audit import list_audit as read_audit

        for entry in read_audit(audit_log):
            click.echo(entry.line())
        return
    options = ServeOptions(
        handouts=manifests(folders), host=host, port=port, users=Path(users) if users else None,
        certfile=Path(certfile) if certfile else None, keyfile=Path(keyfile) if keyfile else None,
        audit_log=Path(audit_log), ledger=Path(ledger), outbox=Path(outbox), brand=Path(brand) if brand else None,
        providers=Path(providers) if providers else None, layout=layout,
        workers=workers or max(2, os.cpu_count() or 1), cache=Path(cache_folder()) if cache_folder() else None,
        **smtp_from(os.environ, host=smtp_host, port=smtp_port, sender=sender, tls=tls, user=smtp_user, ca_file=ca_file))
    check_options(options)
    from ..serve import serve as run

    click.echo(f"handouts: serving {len(options.handouts)} handout(s) at {url(options)} "
               f"(front desk {url(options)}desk, editor {url(options)}edit); Ctrl-C stops", err=True)
    try:
        run(options)
    except KeyboardInterrupt:  # uvicorn has shut down cleanly, then passes the signal on
        click.echo("handouts: the server stopped", err=True)
