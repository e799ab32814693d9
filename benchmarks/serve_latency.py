"""`handouts serve` latency, through a real browser: save to refreshed editor page, and click to print job.

    python benchmarks/serve_latency.py [--rounds 10] [--workers 2]

Needs what the serve tests need: Debian's chromium, Playwright, and root for a
private cupsd with a cups-pdf queue (tests/cupsd.py). Starts `handouts serve`
on a copy of the bundled handout (`handouts init`), then measures:

- preview latency: a section file saved (a sentence changed) until the
  editor page shows the refreshed panel (pages and lint findings) for it,
  without a reload: the watch, the server-sent event, lint and rendering in
  the workers, and the fetch;
- print click to job: the front desk's Print pressed until the page shows
  the job id CUPS gave (the bundled handout, letter, for a named patient);
- two at once: two members of staff pressing Print together (each one's
  time), and how long the audit page takes to load meanwhile.

Prints medians and extremes. Nothing here asserts.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import cupsd  # noqa: E402
import serve_server  # noqa: E402

SENTENCE = "### What might the shots do?"


def preview_latency(page, server, rounds: int) -> list[float]:
    section = server.folder / "my-clinic" / "sections" / "benefits.yaml"
    original = section.read_text(encoding="utf-8")
    page.goto(server.url + "/edit?handout=my-clinic")
    times = []
    try:
        for n in range(rounds):
            before = page.get_attribute(".panel", "data-generation")
            started = time.perf_counter()
            section.write_text(original.replace(SENTENCE, f"{SENTENCE}\n  Round {n} of the benchmark."), "utf-8")
            serve_server.wait_until(lambda: page.get_attribute(".panel", "data-generation") != before, 60, 0.01)
            times.append(time.perf_counter() - started)
            time.sleep(0.5)
    finally:
        section.write_text(original, "utf-8")
    return times


def click_to_job(page, server, rounds: int) -> list[float]:
    page.goto(server.url + "/desk")
    page.fill("#patient_name", "Ana Benchmark")
    page.select_option("#printer", cupsd.QUEUE)
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        with page.expect_navigation():
            page.click("#print-button")
        assert "job " in page.inner_text("#result"), page.inner_text("#result")
        times.append(time.perf_counter() - started)
    return times


def two_at_once(browser, server) -> tuple[list[float], float]:
    pages = []
    for name in ("Ana Benchmark", "Bo Benchmark"):
        page = browser.new_context().new_page()
        page.goto(server.url + "/desk")
        page.fill("#patient_name", name)
        page.select_option("#printer", cupsd.QUEUE)
        pages.append(page)
    started = time.perf_counter()
    for page in pages:
        page.click("#print-button", no_wait_after=True)
    audit = {}

    def load_audit():
        began = time.perf_counter()
        with urllib.request.urlopen(server.url + "/audit", timeout=60) as answer:
            answer.read()
        audit["seconds"] = time.perf_counter() - began

    time.sleep(0.2)  # both prints are under way
    reader = threading.Thread(target=load_audit)
    reader.start()
    done = []
    for page in pages:
        serve_server.settle(page)
        done.append(time.perf_counter() - started)
    reader.join()
    return done, audit["seconds"]


def describe(label: str, times: list[float]) -> str:
    return (f"{label:<34}: median {statistics.median(times):5.2f} s, min {min(times):5.2f}, max {max(times):5.2f} "
            f"({len(times)} rounds)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from handouts.cli import cli

    cups = cupsd.start()
    try:
        with tempfile.TemporaryDirectory(prefix="serve-bench-") as tmp:
            folder = Path(tmp)
            cli(["init", str(folder / "my-clinic")], standalone_mode=False)
            server = serve_server.start(folder, "my-clinic", env=cups.env())
            try:
                with sync_playwright() as playwright:
                    browser = serve_server.launch(playwright)
                    page = browser.new_page(viewport={"width": 1280, "height": 900})
                    print(describe("save -> refreshed editor page", preview_latency(page, server, args.rounds)))
                    print(describe("print click -> job id on the page", click_to_job(page, server,
                                                                                   max(3, args.rounds // 2))))
                    both, audit = two_at_once(browser, server)
                    print(f"{'two prints pressed together':<34}: {both[0]:5.2f} s and {both[1]:5.2f} s; "
                          f"the audit page loaded meanwhile in {audit:.2f} s")
                    browser.close()
            finally:
                server.stop()
    finally:
        cups.stop()


if __name__ == "__main__":
    main()
