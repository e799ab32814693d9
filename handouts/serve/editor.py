"""The editor page: a handout's pages beside its lint findings, refreshed on every save.

The files of every served handout (its folder, brand and roster) are
watched with watchfiles; a change tells the browsers showing that handout,
by server-sent events, and each fetches the panel again: lint's findings
(file, line, code, message) and the edition's pages, made in worker
processes side by side. A file that does not load shows its problems where
the pages would be, never an empty panel or a traceback.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse

from . import work
from .desk import language_name, layout_name
from .pages import data_uri, fragment, render, signed_in, state

if TYPE_CHECKING:
    from .catalog import Entry

log = logging.getLogger("handouts")

LAYOUTS = ("letter", "a4", "large-print")
KEEP_ALIVE_SECONDS = 15.0


class Changes:
    """A generation number per handout, raised when any of its files changes; waiters are woken."""

    def __init__(self):
        self._generation: dict[str, int] = {}
        self._changed = asyncio.Condition()

    def generation(self, key: str) -> int:
        return self._generation.get(key, 0)

    async def bump(self, keys: set[str]) -> None:
        async with self._changed:
            for key in keys:
                self._generation[key] = self._generation.get(key, 0) + 1
            self._changed.notify_all()

    async def wait(self, key: str, seen: int, timeout: float) -> int:
        """The generation once it differs from `seen`, or `seen` again after `timeout` seconds."""
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: self.generation(key) != seen), timeout)
            except asyncio.TimeoutError:
                pass
            return self.generation(key)


async def watch(serving, stop: asyncio.Event) -> None:
    """Watch every served handout's files until `stop`; a change bumps the handouts it belongs to."""
    from watchfiles import awatch

    while not stop.is_set():
        entries = await serving.entries()
        targets = _targets(entries)
        # Short debounce: an editor's save is one burst of events, and the page should follow within a second.
        async for changes in awatch(*targets, stop_event=stop, debounce=150, step=50, recursive=True):
            paths = {Path(path).resolve() for _kind, path in changes}
            touched = {e.key for e in entries if any(_belongs(p, e) for p in paths)}
            if touched:
                await serving.changes.bump(touched)
            entries = await serving.entries()
            if _targets(entries) != targets:
                break  # a manifest now names another brand: watch again


def _targets(entries: list[Entry]) -> list[Path]:
    folders: set[Path] = set()
    for e in entries:
        for path in e.watched():
            folder = path.resolve() if path.is_dir() else path.resolve().parent
            folders.add(folder)
    # A folder inside another watched one is watched already.
    return sorted(f for f in folders if not any(f != g and f.is_relative_to(g) for g in folders))


def _belongs(path: Path, entry: Entry) -> bool:
    if path.is_relative_to(entry.folder.resolve()):
        return True
    return any(p is not None and path == p.resolve() for p in (entry.brand, entry.roster))


def _choice(request: Request, entries: list[Entry]) -> tuple[Entry | None, str, str]:
    params = request.query_params
    entry = next((e for e in entries if e.key == params.get("handout")), entries[0] if entries else None)
    layout = params.get("layout", "letter")
    if layout not in LAYOUTS:
        layout = "letter"
    language = params.get("language", "")
    if entry is None or language not in entry.languages:
        language = entry.languages[0] if entry else ""
    return entry, layout, language


async def editor_page(request: Request) -> Response:
    signed_in(request)
    serving = state(request)
    entries = await serving.entries()
    entry, layout, language = _choice(request, entries)
    # The panel is this package's own template's output, escaped as it was rendered.
    panel = Markup(await _panel(serving, entry, layout, language)) if entry else ""  # noqa: S704
    return render(request, "editor.html", title="Editor", entries=entries, entry=entry, layout=layout,
                  language=language, layouts=[(n, layout_name(n)) for n in LAYOUTS],
                  languages=[(c, language_name(c)) for c in (entry.languages if entry else ())], panel=panel)


async def editor_panel(request: Request) -> Response:
    signed_in(request)
    serving = state(request)
    entry, layout, language = _choice(request, await serving.entries())
    if entry is None:
        raise HTTPException(404, "No such handout.")
    return HTMLResponse(await _panel(serving, entry, layout, language))


async def _panel(serving, entry: Entry, layout: str, language: str) -> str:
    """Lint's findings and the pages, worked out side by side in two workers."""
    generation = serving.changes.generation(entry.key)
    brand = serving.options.brand
    found, drawn = await asyncio.gather(
        serving.run(work.findings, entry.manifest, layout, brand, serving.options.cache),
        serving.run(work.draft, entry.manifest, layout, language, brand, serving.options.cache))
    findings, lint_failed = [], ""
    if isinstance(found, tuple):
        findings = list(found)
    elif isinstance(found, work.Refused):  # a usage mistake lint raises rather than reports
        findings = [dict(path=p, line=n, severity="error", code="input", message=m) for p, n, m in found.problems]
    else:
        lint_failed = getattr(found, "kind", type(found).__name__)
    pages, problems, failed = [], [], ""
    if isinstance(drawn, work.Pages):
        pages = [data_uri(image) for image in drawn.images]
    elif isinstance(drawn, work.Refused):
        problems = drawn.lines
    else:
        failed = getattr(drawn, "kind", type(drawn).__name__)
    errors = sum(f["severity"] == "error" for f in findings)
    warnings = sum(f["severity"] == "warning" for f in findings)
    return fragment("panel.html", entry=entry, findings=findings, errors=errors, warnings=warnings,
                    lint_failed=lint_failed, pages=pages, problems=problems, failed=failed,
                    layout=layout_name(layout), language=language_name(language), generation=generation)


async def editor_events(request: Request) -> Response:
    """Server-sent events: `change` whenever a file of the handout changes."""
    signed_in(request)
    serving = state(request)
    key = request.query_params.get("handout", "")
    if key not in {e.key for e in await serving.entries()}:
        raise HTTPException(404, "No such handout.")

    async def stream():
        seen = serving.changes.generation(key)
        yield "retry: 1000\n\n"
        while True:
            now = await serving.changes.wait(key, seen, KEEP_ALIVE_SECONDS)
            if now == seen:
                yield ": still here\n\n"
            else:
                seen = now
                yield f"event: change\ndata: {now}\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"X-Accel-Buffering": "no"})
