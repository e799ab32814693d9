"""`handouts serve`: a small web application over the library, for the front desk and for editors.

- `app`: the Starlette application (routes, security headers, sessions,
  CSRF, the worker pool and the file watch);
- `desk`: the front desk page (preview, print, e-mail, download one
  patient's copy);
- `editor`: pages beside lint findings, refreshed on every save;
- `pages`: templates, forms, sign-in and the audit page;
- `auth`: staff accounts (argon2id), sign-in limits, CSRF tokens;
- `audit`: the audit log (SQLite, owner-only);
- `work`: what the worker processes do, each a call of the library;
- `catalog`: the handouts served.

Nothing here renders, prints or sends by itself: every copy goes through
`pipeline.produce.render_one`, `deliver.printing.print_handout` or
`deliver.email.mailing.send_handouts`, as from the command line.
"""

from __future__ import annotations

from ..errors import HandoutError, Problem, UsageError
from .options import ServeOptions

__all__ = ["ServeOptions", "check_options", "serve", "url"]


class ServeUsageError(UsageError):
    """An unsafe or impossible way to start the server: a usage mistake (exit 2)."""


def check_options(options: ServeOptions) -> None:
    """Refuse, before anything starts, a server others could reach without accounts or TLS."""
    problems = []
    if not options.loopback and options.users is None:
        problems.append(Problem("--host", None, f"{options.host} is reachable from other machines: give --users FILE "
                                                "(staff accounts; make one with --add-user NAME) to serve on it"))
    if not options.loopback and options.certfile is None:
        problems.append(Problem("--host", None, f"{options.host} is reachable from other machines: give --certfile "
                                                "and --keyfile for TLS, or keep 127.0.0.1 behind a reverse proxy "
                                                "that does TLS (docs/serve.md)"))
    if (options.certfile is None) != (options.keyfile is None):
        problems.append(Problem("--certfile", None, "give --certfile and --keyfile together"))
    if problems:
        raise ServeUsageError(problems)
    if options.users is not None:
        from .auth import load_users

        load_users(options.users)  # a missing or unsafe users file stops the start, before "serving"


def url(options: ServeOptions) -> str:
    """Where the server answers."""
    host = f"[{options.host}]" if ":" in options.host else options.host
    return f"{'https' if options.tls else 'http'}://{host}:{options.port}/"


def serve(options: ServeOptions) -> None:
    """Run the server until interrupted (Ctrl-C, SIGTERM)."""
    import uvicorn

    from .app import create_app

    check_options(options)
    app = create_app(options)
    config = uvicorn.Config(app, host=options.host, port=options.port,
                            ssl_certfile=str(options.certfile) if options.certfile else None,
                            ssl_keyfile=str(options.keyfile) if options.keyfile else None,
                            server_header=False, proxy_headers=False, timeout_graceful_shutdown=3,
                            log_level="info", lifespan="on")
    server = uvicorn.Server(config)
    server.run()
    if not server.started:
        raise HandoutError([Problem("--port", None, f"could not listen on {url(options)} (in use, or not "
                                                    "allowed); the lines above say why")])
