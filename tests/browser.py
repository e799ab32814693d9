"""A real headless Chromium (Debian's package), driven over --remote-debugging-pipe.

The DevTools protocol runs over two pipes (fds 3 and 4, messages ended by
NUL), so no port is opened and no npm browser driver is needed. The tests
load a page at a given viewport width, run axe-core (installed by npm into
tests/js) in it, and read back values.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

AXE = Path(__file__).parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"]
# WCAG 2.1 A and AA, plus the two axe best-practice rules about headings
# (a skipped level is not a WCAG failure to axe, but the issue asks for it).
WCAG_TAGS = {"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}
HEADING_RULES = {"heading-order", "page-has-heading-one"}


def chromium() -> str:
    """The Chromium binary; a test that needs it fails (never skips) without it."""
    found = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    assert found, "chromium is needed: tools/test installs Debian's package"
    return found


class Browser:
    """One headless Chromium with one page, for use as a context manager."""

    def __init__(self):
        self._profile = tempfile.TemporaryDirectory(prefix="handouts-chromium-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        # Chromium reads commands on fd 3 and writes answers on fd 4; bash
        # (dash takes only one-digit fds) puts the pipe ends there and then
        # becomes Chromium.
        self._process = subprocess.Popen(
            [shutil.which("bash") or "/bin/bash", "-c", f'exec "$0" "$@" 3<&{to_child_r} 4>&{from_child_w}',
             chromium(), *FLAGS, f"--user-data-dir={self._profile.name}", "--remote-debugging-pipe",
             "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(to_child_r, from_child_w))
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._id = 0
        targets = self.send("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self._session = self.send("Target.attachToTarget", targetId=page["targetId"], flatten=True)["sessionId"]
        self.send("Page.enable", session=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """End the browser this object started."""
        try:
            self.send("Browser.close")
        except (OSError, RuntimeError):
            pass
        try:
            self._process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._to_child)
        os.close(self._from_child)
        self._profile.cleanup()

    def _read(self) -> dict:
        while b"\0" not in self._buffer:
            chunk = os.read(self._from_child, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed its DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, session: bool = False, **params) -> dict:
        """Send one DevTools command and return its result (events are skipped)."""
        self._id += 1
        message = {"id": self._id, "method": method, "params": params}
        if session:
            message["sessionId"] = self._session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._read()
            if answer.get("id") == self._id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})

    def _wait_for(self, event: str) -> None:
        while True:
            if self._read().get("method") == event:
                return

    def open(self, path: Path, width: int, height: int = 900) -> None:
        """Load a file at a viewport `width` CSS pixels wide."""
        self.send("Emulation.setDeviceMetricsOverride", session=True, width=width, height=height,
                  deviceScaleFactor=1, mobile=False)
        self._id += 1
        message = {"id": self._id, "method": "Page.navigate", "params": {"url": path.resolve().as_uri()},
                   "sessionId": self._session}
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        self._wait_for("Page.loadEventFired")

    def evaluate(self, expression: str):
        """A JavaScript expression's value (promises awaited)."""
        result = self.send("Runtime.evaluate", session=True, expression=expression, awaitPromise=True,
                           returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def axe_violations(self) -> list[dict]:
        """axe-core's WCAG 2.1 A/AA violations (and heading-level ones) on the loaded page."""
        return axe_violations(self.evaluate)


def axe_violations(evaluate) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations (and heading-level ones), run through `evaluate(expression)`.

    `evaluate` is a browser's: this module's Browser, or a Playwright page's.
    """
    assert AXE.is_file(), "axe-core is missing: run `npm ci --prefix tests/js` (tools/test does)"
    evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
    found = evaluate("axe.run(document).then(r => JSON.stringify(r.violations.map("
                     "v => ({id: v.id, tags: v.tags, impact: v.impact, help: v.help,"
                     " nodes: v.nodes.map(n => n.html.slice(0, 200))}))))")
    return [v for v in json.loads(found) if WCAG_TAGS & set(v["tags"]) or v["id"] in HEADING_RULES]


def screenshot(path: Path, target: Path, width: int, height: int = 2400) -> None:
    """`chromium --screenshot` of a file at `width` px, for looking at."""
    with tempfile.TemporaryDirectory(prefix="handouts-chromium-") as profile:
        subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", f"--screenshot={target}",
                        f"--window-size={width},{height}", path.resolve().as_uri()],
                       check=True, capture_output=True, timeout=120)


def print_to_pdf(path: Path, target: Path) -> None:
    """`chromium --print-to-pdf` of a file, as a reader's Print does (print styles, no browser header or footer)."""
    with tempfile.TemporaryDirectory(prefix="handouts-chromium-") as profile:
        subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer",
                        f"--print-to-pdf={target}", path.resolve().as_uri()],
                       check=True, capture_output=True, timeout=120)
