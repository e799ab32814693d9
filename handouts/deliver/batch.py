"""Batches: one handout per provider of a roster, in parallel processes.

ReportLab keeps process-wide state (its font registry and settings), so the
work is spread over processes, never threads. Each worker prepares the
handout once and then renders provider after provider. Outputs whose inputs
are unchanged since the last run (per its manifest) are kept, so a rerun
after a roster edit rebuilds only the rows that changed.

One run at a time writes into a folder (deliver.lock): the manifest is read,
the files written and the manifest rewritten under the folder's lock, so a
manifest always describes the files beside it. Each handout has its own
manifest, `<handout id>.manifest.json`, so one folder can hold several.

A document is written under a hidden temporary name and renamed into place
only after a manifest that lists it is saved (every few seconds, and at
the end), so the folder never holds a complete document of this run that
its manifest does not list, whatever stops the run: a kill -9 between the
two leaves entries whose file is not yet the new one (their hash says so),
which the next run rebuilds.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..version import __version__
from ..pipeline.prepare import Prepared, prepare
from ..pipeline.produce import render_handout, render_handout_html
from ..pipeline.editions import Editions
from ..pipeline.options import Options
from ..errors import HandoutError, Problem, UsageError, display_path
from ..load.project import find_roster, resolve_handout
from ..load.reading import FONT_LIMIT, ReadError, file_digest
from ..load.roster import Provider, load_roster
from .files import make_folder, publish, remove_stale_parts, stage, write_atomic
from .interrupts import held
from .lock import folder_lock
from .manifest import Shard, document_name, legacy_manifest, manifest_name, previous_entries, still_valid
from .workers import collect_less, document_done, run_state, sharing, worker_pool

log = logging.getLogger("handouts")

# Rewrite the manifest this often during a long run, so an interrupted run
# still records what it finished and a rerun only does the rest.
_CHECKPOINT_SECONDS = 2.0


@dataclass
class BatchResult:
    """What a batch did; `manifest` is what was written to the manifest file."""

    out_dir: Path
    manifest_path: Path
    built: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)
    manifest: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed


def _hash_files(digest, paths) -> None:
    for path in paths:
        digest.update(str(Path(path).name).encode())
        try:  # each file's digest as its loader read it; one changed or gone since is read again, or refused
            digest.update(f"\0{file_digest(path, max_bytes=FONT_LIMIT, what='input file')}\n".encode())
        except ReadError as exc:
            raise HandoutError([exc.problem]) from None


def fingerprint(prepared: Prepared) -> str:
    """A hash of every input that affects the output, for the audit manifest.

    Content files, lint.yaml, the brand file and its logo and fonts, the
    layout, the bundled fonts, print options and the handouts version: the
    same fingerprint means the same disclosure text was printed.
    """
    from ..load.fonts import bundled_family

    handout, brand = prepared.handout, prepared.brand
    digest = hashlib.sha256()
    digest.update(f"handouts {__version__}\nprint_ready={prepared.print_ready}\n".encode())
    _hash_files(digest, handout.source_files())
    # The catalogues' texts print on every page (labels, footer).
    _hash_files(digest, prepared.messages.files)
    lint_config = handout.path.parent / "lint.yaml"
    if lint_config.is_file():
        _hash_files(digest, [lint_config])
    _hash_files(digest, [brand.path, prepared.layout.path])
    if brand.logo:
        _hash_files(digest, [f.path for f in brand.logo.files()])
    families = [f for f in (brand.body_font, brand.heading_font) if f] or [bundled_family()]
    for family in families:
        _hash_files(digest, [p for p in (family.regular, family.bold, family.italic, family.bold_italic) if p])
    if prepared.templates.uses("today"):
        from ..fill.loading import build_date

        digest.update(f"today={build_date().isoformat()}".encode())
    return digest.hexdigest()


def _inputs_key(fingerprint_hex: str, provider: Provider, formats: tuple[str, ...] = ("pdf",)) -> str:
    # A row's language is part of its inputs; rows without one keep the key they always had.
    row = {**provider.variables(), **({"language": provider.language} if provider.language else {})}
    values = json.dumps(row, sort_keys=True, ensure_ascii=False)
    # A PDF-only run keeps the key it always had, so its manifests stay valid.
    editions = "" if formats == ("pdf",) else "\nformats=" + ",".join(formats)
    return hashlib.sha256(f"{fingerprint_hex}\n{values}{editions}".encode()).hexdigest()


def _render_one(task: tuple[Provider, str, str, tuple[str, ...], str]) -> dict:
    """One task in a worker, from the run's state (workers.sharing): its prepared editions and options.

    A forked worker has the parent's prepared editions as they are; a spawned
    one (other platforms) prepares each edition it is asked for, once.
    """
    provider, target, roster, formats, manifest = task
    state = run_state()
    if manifest not in state["prepared"]:
        options = state["options"]
        state["prepared"][manifest] = prepare(manifest, brand=options.brand, layout=options.layout,
                                              print_ready=options.print_ready, allow_outside=options.allow_outside)
    return _render_with(state["prepared"][manifest], provider, Path(target), Path(roster), formats)


def _render_with(prepared: Prepared, provider: Provider, target: Path, roster: Path,
                 formats: tuple[str, ...] = ("pdf",)) -> dict:
    """Render one provider's editions into temporary files; the manifest entry, or an error entry.

    The PDF's file, hash, pages and size are the entry's own fields; the
    HTML edition's are under "html" (its own fields when it is the only
    edition). The temporary files, (temporary path, file name) pairs under
    "_staged", are for the run to rename into place once a manifest lists them.
    """
    document_done()
    try:
        outputs = {}
        if "pdf" in formats:
            outputs["pdf"] = render_handout(prepared, provider=provider, roster_path=roster)
        if "html" in formats:
            outputs["html"] = (render_handout_html(prepared, provider=provider, roster_path=roster), None)
    except HandoutError as exc:
        return {"provider": provider.id, "error": "; ".join(str(p) for p in exc.problems)}
    except Exception as exc:  # a bug: record it with an id to find in the log, go on
        incident = uuid.uuid4().hex[:8]
        log.error("internal error %s while building provider %s", incident, provider.id, exc_info=True)
        return {"provider": provider.id, "error": f"internal error {incident}: {type(exc).__name__}: {exc}"}
    entry: dict = {"provider": provider.id, "language": prepared.handout.language, "_staged": []}
    for edition, (data, pages) in outputs.items():
        path = target.with_suffix(f".{edition}")
        entry["_staged"].append((str(stage(path, data)), path.name))
        described = {"file": path.name, "sha256": hashlib.sha256(data).hexdigest()}
        if pages is not None:
            described["pages"] = pages
        described["bytes"] = len(data)
        if edition == "html" and "pdf" in outputs:
            entry["html"] = described
        else:
            entry.update(described)
    return entry


def build_batch(handout: str | Path | None = None, *, options: Options | None = None,
                providers: str | Path | None = None, out_dir: str | Path = "out", jobs: int | None = None,
                only: tuple[str, ...] | list[str] = (), shard: Shard | None = None, wait: float | None = None,
                progress: Callable[[int, int], None] | None = None,
                formats: tuple[str, ...] = ("pdf",), **what) -> BatchResult:
    """Build one PDF per provider into `out_dir` and write the audit manifest.

    What to build is `options`, or its fields as keywords (brand, layout,
    language, print_ready, allow_outside, allow_lint_errors: see
    pipeline.options); `language` is for rows without one.

    `formats` ("pdf", "html" or both) says which editions each provider gets;
    the manifest lists every file written.

    The roster is validated first; any bad row stops the run before anything
    is written. Each provider gets the edition in their roster row's
    `language` (else `language`, else the handout's own); a language with
    no translation falls back with a warning naming the row. A provider
    whose document fails is listed under `failed` and the others are still
    built. `progress(done, total)` is called as documents finish. When
    another run is writing into `out_dir`, wait up to `wait` seconds for it,
    then raise FolderBusyError naming it.
    """
    options = Options.of(handout, options, **what)
    options = replace(options, handout=resolve_handout(options.handout))
    roster_path = find_roster(options.handout, providers, needed_by="batch")
    editions = Editions(options=options)
    prepared, roster = _load_inputs(editions, roster_path)
    selected = _select(roster, only, shard, roster_path)
    # Each provider's edition; fallbacks are reported for the rows this run builds.
    scope = {p.id for p in selected}
    edition_of, used, fingerprints, fp = _editions_of(editions, roster, scope, roster_path, prepared)

    out = Path(out_dir)
    make_folder(out)
    # Everything from reading the old manifest to writing the new one happens
    # holding the folder, so the manifest always describes the files.
    with folder_lock(out, purpose="batch", wait=wait):
        manifest_path = out / manifest_name(prepared.handout.id, shard)
        # No other run's temporary file can be in flight now: whatever
        # matches our names was left by a killed run.
        for pattern in (f"{prepared.handout.id}--*", manifest_path.name):
            remove_stale_parts(out, pattern)
        legacy = None if manifest_path.exists() else legacy_manifest(out, prepared.handout.id, shard)
        previous = previous_entries(legacy or manifest_path, fp)
        run = _Run(out=out, manifest_path=manifest_path, prepared=prepared, fp=fp, roster=roster,
                   selected=selected, shard=shard, legacy=legacy,
                   result=BatchResult(out_dir=out, manifest_path=manifest_path),
                   keys={p.id: _inputs_key(fingerprints[id(edition_of[p.id])], p, formats) for p in roster})
        entries, result = run.entries, run.result
        # Rows outside this run's selection keep their last entry while it is valid.
        for provider in roster:
            old = previous.get(provider.id)
            if old and still_valid(old, out, run.keys[provider.id]):
                entries[provider.id] = old
                if provider.id in scope:
                    result.unchanged.append(provider.id)
        todo = [p for p in selected if p.id not in entries]

        tasks = [(p, str(out / document_name(prepared.handout.id, p.id)), str(roster_path), formats,
                  str(edition_of[p.id].handout.path)) for p in todo]
        by_manifest = {str(p.handout.path): p for p in used.values()}
        # What is alive now (the prepared handout, fonts, caches) lives for the
        # whole run: keep it out of the collector's scans, which otherwise cost
        # every document time and, after a fork, copy its memory into each worker.
        thresholds = gc.get_threshold()
        try:
            gc.freeze()
            collect_less()
            _render_all(tasks, by_manifest, options, jobs, run.record, run.checkpoint, progress)
        finally:
            gc.unfreeze()
            gc.set_threshold(*thresholds)
            # Also on Ctrl-C: record what finished, so a rerun does only the rest.
            if tasks or not manifest_path.exists() or previous != entries or run.legacy is not None:
                run.checkpoint()
            # Documents the workers finished that the run never took in (it was
            # stopped): their temporary files, which no manifest lists.
            remove_stale_parts(out, f"{prepared.handout.id}--*")
        result.manifest = run.manifest()
        return result


def _load_inputs(editions: Editions, roster_path: Path) -> tuple[Prepared, tuple[Provider, ...]]:
    """The handout's own edition and the roster, or every problem of both at once."""
    problems: list[Problem] = []
    prepared = None
    try:
        prepared = editions.get(None, where="--language")
    except HandoutError as exc:
        if isinstance(exc, UsageError):
            raise
        problems.extend(exc.problems)
    roster: tuple[Provider, ...] = ()
    try:
        roster = load_roster(roster_path)
    except HandoutError as exc:
        problems.extend(exc.problems)
    if problems:
        raise HandoutError(problems)
    assert prepared is not None
    return prepared, roster


def _select(roster: tuple[Provider, ...], only, shard: Shard | None, roster_path: Path) -> tuple[Provider, ...]:
    """The rows this run builds: those `only` names (each must be in the roster), of this `shard`."""
    selected = roster
    if only:
        known = {p.id for p in roster}
        unknown = [pid for pid in only if pid not in known]
        if unknown:
            raise HandoutError([Problem(display_path(roster_path), None, f"no provider with id {pid!r}")
                                for pid in unknown])
        selected = tuple(p for p in roster if p.id in set(only))
    if shard is not None:
        selected = shard.select(selected)
    return selected


def _editions_of(editions: Editions, roster: tuple[Provider, ...], scope: set[str], roster_path: Path,
                 prepared: Prepared) -> tuple[dict[str, Prepared], dict[int, Prepared], dict[int, str], str]:
    """Each provider's edition, the editions used (by id), their fingerprints, and the run's fingerprint."""
    shown = display_path(roster_path)
    edition_of: dict[str, Prepared] = {}
    for provider in roster:
        where = f"{shown}:{provider.line}: provider '{provider.id}'" if provider.id in scope else None
        if where is None and editions.edition(provider.language).fell_back:
            edition_of[provider.id] = editions.get(None)
            continue
        edition_of[provider.id] = editions.get(provider.language, where=where)
    used = {id(p): p for p in edition_of.values()} or {id(prepared): prepared}
    fingerprints = {i: fingerprint(p) for i, p in used.items()}
    if len(used) == 1:
        fp = next(iter(fingerprints.values()))
    else:  # a mixed roster: every edition printed is part of the inputs
        fp = hashlib.sha256("\n".join(sorted(f"{p.handout.language}:{fingerprints[i]}"
                                               for i, p in used.items())).encode()).hexdigest()
    return edition_of, used, fingerprints, fp


@dataclass
class _Run:
    """A run in its folder: the manifest's entries, the documents written but not yet named, and saving both."""

    out: Path
    manifest_path: Path
    prepared: Prepared
    fp: str
    roster: tuple[Provider, ...]
    selected: tuple[Provider, ...]
    shard: Shard | None
    legacy: Path | None  # an older manifest this run's replaces, until it is saved
    result: BatchResult
    keys: dict[str, str]  # each provider's inputs key
    entries: dict[str, dict] = field(default_factory=dict)
    staged: list[tuple[str, str]] = field(default_factory=list)  # written, listed by the next manifest saved, then renamed

    def record(self, outcome: dict) -> None:
        pid = outcome["provider"]
        if "error" in outcome:
            self.result.failed.append(outcome)
            self.entries.pop(pid, None)
        else:
            self.staged.extend(outcome.pop("_staged"))
            outcome["inputs"] = self.keys[pid]
            self.entries[pid] = outcome
            self.result.built.append(pid)

    def manifest(self) -> dict:
        entries, prepared = self.entries, self.prepared
        order = [p.id for p in self.roster if p.id in entries] if not self.shard else [p.id for p in self.selected if p.id in entries]
        return {
            "handout": {"id": prepared.handout.id, "version": prepared.handout.version,
                        "reviewed": prepared.handout.reviewed.isoformat(), "fingerprint": self.fp},
            "documents": [entries[pid] for pid in order],
            "failed": sorted(self.result.failed, key=lambda f: f["provider"]),
        }

    def checkpoint(self) -> None:
        """Save the manifest, then give the documents it lists their names: Ctrl-C waits for both."""
        with held():
            write_atomic(self.manifest_path, (json.dumps(self.manifest(), indent=2, ensure_ascii=False) + "\n").encode())
            while self.staged:
                tmp, name = self.staged.pop()
                publish(Path(tmp), self.out / name)
            if self.legacy is not None:
                self.legacy.unlink(missing_ok=True)  # the new manifest now says all it said
                self.legacy = None


def _render_all(tasks: list[tuple], by_manifest: dict[str, Prepared], options: Options, jobs: int | None,
                record: Callable[[dict], None], checkpoint: Callable[[], None],
                progress: Callable[[int, int], None] | None) -> None:
    """Render every task, here or in worker processes, handing each outcome to `record` in order.

    The manifest is saved (`checkpoint`) every few seconds. The workers read
    the prepared editions and options as the run's state (workers.sharing).
    """
    total, done, last = len(tasks), 0, time.monotonic()
    with sharing({"prepared": by_manifest, "options": options}):
        workers = max(1, min(jobs or os.cpu_count() or 1, len(tasks)))
        if workers == 1:
            outcomes = (_render_with(by_manifest[m], p, Path(t), Path(r), f) for p, t, r, f, m in tasks)
            pool = None
        else:
            # Forked workers get the prepared editions without pickling; spawned
            # ones (other platforms) prepare their own, once each.
            pool = worker_pool(workers, collect_less, spawned={"prepared": {}, "options": options})
            # Small chunks: a document takes ~20 ms, far more than handing it
            # over, and at the end no worker waits long on another's chunk.
            outcomes = pool.map(_render_one, tasks, chunksize=2)
        try:
            for outcome in outcomes:
                record(outcome)
                done += 1
                if progress:
                    progress(done, total)
                if time.monotonic() - last > _CHECKPOINT_SECONDS:
                    checkpoint()
                    last = time.monotonic()
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
