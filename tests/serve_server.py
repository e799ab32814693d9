"""`handouts serve` started for real by the tests, and Debian's Chromium driven by Playwright to use it.

The server runs as a separate process (`python -m handouts serve ...`) on a
free loopback port, in a folder of its own (its working folder and TMPDIR),
with its stdout and stderr written to a log file the tests read back: what
it wrote anywhere is in that folder or that log. Chromium is the system's
(/usr/bin/chromium, tools/test installs it), started by Playwright, which
downloads no browser of its own here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import browser
import pytest
from ports import free_port

START_SECONDS = 90


@dataclass
class Server:
    """A running `handouts serve`: where it answers, its folder and its log."""

    url: str
    folder: Path
    log: Path
    process: subprocess.Popen

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        return self.process.returncode


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "handouts", *args]


def start(folder: Path, *args: str, env: dict[str, str] | None = None) -> Server:
    """`handouts serve ARGS --port P` in `folder`, once it answers."""
    port = free_port()
    (folder / "tmp").mkdir(exist_ok=True)
    log = folder.parent / f"{folder.name}-server.log"
    environment = {**os.environ, **(env or {}), "TMPDIR": str(folder / "tmp")}
    with open(log, "wb") as out:
        process = subprocess.Popen(command("serve", *args, "--port", str(port), "-j", "2"), cwd=folder, env=environment,
                                   stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", folder, log, process)
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            with urllib.request.urlopen(server.url + "/static/serve.css", timeout=5):
                return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if process.poll() is not None or time.monotonic() > deadline:
                server.stop()
                raise AssertionError(f"handouts serve did not start:\n{server.log_text()[-3000:]}") from None
            time.sleep(0.2)


@contextmanager
def running(folder: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[Server]:
    """A server for the body of a `with` block, which must stop cleanly (exit 0) at its end."""
    server = start(folder, *args, env=env)
    try:
        yield server
    finally:
        assert server.stop() == 0, server.log_text()[-2000:]


def launch(playwright):
    """Debian's Chromium through Playwright (no browser download)."""
    return playwright.chromium.launch(executable_path=browser.chromium(), args=["--no-sandbox", "--disable-gpu"])


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations (and heading-level ones) on the page as it is."""
    return browser.axe_violations(page.evaluate)


@pytest.fixture(scope="module")
def chromium():
    """One Chromium for a module's tests (import this fixture into the module)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        running = launch(playwright)
        yield running
        running.close()


def wait_until(check, seconds: float = 60.0, step: float = 0.1):
    """`check()`'s first true value within `seconds` (polled: the pages allow no eval for Playwright's waits)."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not so within {seconds:g} s")
        time.sleep(step)


def settle(page, seconds: float = 60.0) -> None:
    """Wait until the page shows an action's result, through however many navigations a double click made."""
    from playwright.sync_api import Error

    def shown():
        try:
            page.wait_for_load_state()
            return page.query_selector("#result") is not None
        except Error:  # navigated while looking
            return False

    wait_until(shown, seconds)
