"""A batch's audit manifest: what each file is, read back by the next run, and shards merged.

`<handout id>.manifest.json` lists, for each provider, the files written
(name, SHA-256, pages, bytes) and the inputs they were made from; a rerun
keeps every document whose inputs and file are unchanged. A roster cut
into shards (`--shard K/N`) gets a manifest per shard, which
`merge_manifests` joins.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from ..errors import HandoutError, NotFoundError, Problem, display_path
from ..load.reading import MANIFEST_LIMIT, ReadError, read_bytes
from ..load.roster import Provider

MANIFEST_SUFFIX = ".manifest.json"


# What earlier versions named every manifest, whatever its handout: read
# once so that an upgraded clinic's rerun stays incremental, then replaced.
LEGACY_MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class Shard:
    """The K-th (1-based) of N slices of a roster."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """Parse 'K/N'; a malformed value is a usage error."""
        try:
            k, n = (int(part) for part in text.split("/"))
        except ValueError:
            raise NotFoundError(f"--shard must look like K/N (for example 2/8), found {text!r}") from None
        if n < 1 or not 1 <= k <= n:
            raise NotFoundError(f"--shard {text}: K must be between 1 and N")
        return cls(k, n)

    def select(self, providers: tuple[Provider, ...]) -> tuple[Provider, ...]:
        """Every N-th provider in roster order, starting at the K-th: balanced and stable."""
        return tuple(p for i, p in enumerate(providers) if i % self.count == self.index - 1)

    @property
    def label(self) -> str:
        return f"shard-{self.index}-of-{self.count}"

    @property
    def legacy_manifest_name(self) -> str:
        return f"manifest-{self.label}.json"


def manifest_name(handout_id: str, shard: Shard | None = None) -> str:
    """`<id>.manifest.json`, or `<id>.shard-K-of-N.manifest.json` for a shard.

    A dot cannot occur in a handout id, so two handouts' manifests never
    share a name.
    """
    return f"{handout_id}.{shard.label}{MANIFEST_SUFFIX}" if shard else f"{handout_id}{MANIFEST_SUFFIX}"


def document_name(handout_id: str, provider_id: str) -> str:
    """A PDF's file name: from the two ids only, never from names."""
    return f"{handout_id}--{provider_id}.pdf"


def previous_entries(manifest_path: Path, fingerprint_hex: str) -> dict[str, dict]:
    """Documents of the last run that may be reused: same handout inputs, file intact."""
    try:
        old = json.loads(read_bytes(manifest_path, max_bytes=MANIFEST_LIMIT, what="manifest"))
        if old.get("handout", {}).get("fingerprint") != fingerprint_hex:
            return {}
        return {d["provider"]: d for d in old.get("documents", []) if isinstance(d, dict) and "provider" in d}
    except (ReadError, ValueError, AttributeError, TypeError):
        return {}


def legacy_manifest(out: Path, handout_id: str, shard: Shard | None) -> Path | None:
    """An older version's manifest in `out` that describes this handout (and shard), if any."""
    path = out / (shard.legacy_manifest_name if shard else LEGACY_MANIFEST_NAME)
    try:
        old = json.loads(read_bytes(path, max_bytes=MANIFEST_LIMIT, what="manifest"))
        return path if old["handout"]["id"] == handout_id else None
    except (ReadError, ValueError, KeyError, TypeError):
        return None


def still_valid(entry: dict, out_dir: Path, key: str) -> bool:
    if entry.get("inputs") != key:
        return False
    files = [entry] + ([entry["html"]] if isinstance(entry.get("html"), dict) else [])
    try:
        for described in files:
            path = out_dir / str(described.get("file", ""))
            if not (path.is_file() and path.stat().st_size == described.get("bytes") and
                    hashlib.sha256(read_bytes(path, max_bytes=MANIFEST_LIMIT, what="output file")).hexdigest()
                    == described.get("sha256")):
                return False
        return True
    except (OSError, ReadError):
        return False


def merge_manifests(paths: list[Path]) -> dict:
    """Merge shard manifests of one handout into one manifest.

    Refuses manifests of different handout inputs (fingerprints) or that
    list the same provider twice.
    """
    merged: dict | None = None
    seen: dict[str, str] = {}
    problems: list[Problem] = []
    for path in paths:
        shown = display_path(path)
        try:
            parsed = _manifest_parts(read_bytes(path, max_bytes=MANIFEST_LIMIT, what="manifest"))
        except ReadError as exc:
            problems.append(exc.problem)
            continue
        if isinstance(parsed, str):
            problems.append(Problem(shown, None, f"not a handouts batch manifest: {parsed}; "
                                                 "give the manifest files 'handouts batch' wrote"))
            continue
        head, documents, failed = parsed
        if merged is None:
            merged = {"handout": head, "documents": [], "failed": []}
        elif head != merged["handout"]:
            problems.append(Problem(shown, None, "manifest is for different handout inputs "
                                                 f"(fingerprint {str(head.get('fingerprint', '?'))[:12]}...)"))
            continue
        for entry in documents + failed:
            pid = entry.get("provider")
            if pid in seen:
                problems.append(Problem(shown, None, f"provider {pid!r} is also in {seen[pid]}"))
            seen[pid] = shown
        merged["documents"] += documents
        merged["failed"] += failed
    if problems:
        raise HandoutError(problems)
    if merged is None:
        raise HandoutError("no manifests to merge")
    merged["documents"].sort(key=lambda d: d["provider"])
    merged["failed"].sort(key=lambda d: d["provider"])
    return merged


def _manifest_parts(raw: bytes) -> tuple[dict, list[dict], list[dict]] | str:
    """A manifest's handout, documents and failures, or why it is not a manifest."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        return f"invalid JSON ({exc})" if isinstance(exc, ValueError) else "JSON nested too deeply"
    if not isinstance(data, dict):
        return f"the document is {type(data).__name__}, not an object"
    if not isinstance(data.get("handout"), dict):
        return "'handout' is missing or not an object"
    lists = []
    for key in ("documents", "failed"):
        entries = data.get(key)
        if not isinstance(entries, list):
            return f"'{key}' is missing or not a list"
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict) or not isinstance(entry.get("provider"), str):
                return f"'{key}[{index}]' has no provider id (text)"
        lists.append(entries)
    return data["handout"], lists[0], lists[1]
