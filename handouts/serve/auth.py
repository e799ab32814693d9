"""Staff accounts, sign-in limits and CSRF tokens for `handouts serve`.

The users file holds one `name:hash` line per member of staff, the hash
argon2id (argon2-cffi's defaults, RFC 9106's low-memory profile); it is
written owner-only and refused when others could write it. `handouts serve
--add-user NAME` adds or replaces one. Sign-in attempts are limited per
name and per address, so a password cannot be guessed at speed.
"""

from __future__ import annotations

import hmac
import os
import re
import secrets
import stat
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from ..deliver.files import write_atomic
from ..errors import HandoutError, Problem, display_path
from ..load.reading import TEXT_LIMIT, ReadError, read_bytes

NAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
MIN_PASSWORD = 10
# Five wrong passwords in ten minutes, for one name or from one address, and
# sign-in is refused for the rest of those ten minutes.
MAX_FAILURES = 5
WINDOW_SECONDS = 600.0
_MAX_TRACKED = 10_000


class UsersError(HandoutError):
    """The users file, or a name or password given for it, is wrong."""


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


def load_users(path: Path) -> dict[str, str]:
    """The users file's names and hashes; refused when missing, malformed or writable by others."""
    path = Path(path)
    shown = display_path(path)
    try:
        text = read_bytes(path, max_bytes=TEXT_LIMIT, what="users file").decode("utf-8")
        info = path.stat()
    except (ReadError, OSError, UnicodeDecodeError) as exc:
        said = exc.problem.message if isinstance(exc, ReadError) else f"cannot read the users file ({exc})"
        raise UsersError([Problem(shown, None, f"{said}; make one with "
                                               "'handouts serve --add-user NAME --users FILE'")]) from None
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise UsersError([Problem(shown, None, "others can write the users file, so anyone could add an account: "
                                               f"chmod 600 {shown}")])
    users: dict[str, str] = {}
    problems = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, _, hashed = line.strip().partition(":")
        if not NAME.match(name) or not hashed.startswith("$argon2"):
            problems.append(Problem(shown, number, "expected 'name:$argon2id$...' (made by --add-user)"))
        else:
            users[name] = hashed
    if problems:
        raise UsersError(problems)
    if not users:
        raise UsersError([Problem(shown, None, "the users file holds no accounts; add one with --add-user NAME")])
    return users


def add_user(path: Path, name: str, password: str) -> bool:
    """Add `name` (or replace its password) in the users file, written owner-only; True when it is new."""
    path = Path(path)
    if not NAME.match(name):
        raise UsersError([Problem("--add-user", None, "a user name is 1 to 64 letters, digits, '.', '_', '@' or '-'")])
    if len(password) < MIN_PASSWORD:
        raise UsersError([Problem("--add-user", None, f"the password must be at least {MIN_PASSWORD} characters")])
    users = load_users(path) if path.exists() else {}
    new = name not in users
    users[name] = _hasher().hash(password)
    text = "".join(f"{n}:{h}\n" for n, h in users.items())
    write_atomic(path, text.encode("utf-8"), private=True)
    return new


def check_password(users: dict[str, str], name: str, password: str) -> bool:
    """Whether `password` is `name`'s; the same work is done for an unknown name, so timing tells nothing."""
    from argon2.exceptions import InvalidHashError, VerificationError

    hashed = users.get(name) or _DUMMY.hash
    try:
        ok = _hasher().verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False
    return ok and name in users


class _Dummy:
    """A hash to verify against for names that have none (made once, on first use)."""

    @property
    def hash(self) -> str:
        if not hasattr(self, "_value"):
            self._value = _hasher().hash(secrets.token_urlsafe(16))
        return self._value


_DUMMY = _Dummy()


@dataclass
class SignInLimit:
    """Failed sign-ins per name and per client address, over a sliding window."""

    max_failures: int = MAX_FAILURES
    window: float = WINDOW_SECONDS
    _failures: dict[str, deque] = field(default_factory=dict)

    def _recent(self, key: str, now: float) -> deque:
        times = self._failures.get(key)
        if times is None:
            if len(self._failures) >= _MAX_TRACKED:  # bounded: forget the quietest
                self._failures.pop(next(iter(self._failures)))
            times = self._failures[key] = deque()
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def wait(self, name: str, client: str) -> float:
        """Seconds until `name` may try again from `client` (0: now)."""
        now = time.monotonic()
        waits = [self.window - (now - times[0]) for key in (f"user:{name}", f"addr:{client}")
                 if len(times := self._recent(key, now)) >= self.max_failures]
        return max(waits, default=0.0)

    def failed(self, name: str, client: str) -> None:
        now = time.monotonic()
        for key in (f"user:{name}", f"addr:{client}"):
            self._recent(key, now).append(now)

    def succeeded(self, name: str) -> None:
        self._failures.pop(f"user:{name}", None)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(expected: str | None, given: str | None) -> bool:
    """A form's CSRF token against the session's, in constant time."""
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


def local_user() -> str:
    """Who is at the keyboard when the server serves only this machine: the account it runs as."""
    import getpass

    try:
        return f"local:{getpass.getuser()}"
    except (KeyError, OSError):
        return f"local:uid-{os.getuid()}"
