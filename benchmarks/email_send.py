"""E-mail speed and memory against a local SMTP server, beside a batch of the same documents.

    python benchmarks/email_send.py [--patients 500] [--rounds 3] [--jobs 2]

Starts aiosmtpd on a free loopback port (in this process, as a thread: it
shares the machine's cores with the run, as a local relay would), then runs,
as whole commands in fresh processes:
- `handouts batch -j N` over a roster of as many providers as there are
  patients (the same number of documents, each with a different name);
- `handouts email --send -j N` to that many patients, each with a provider
  of that roster, over one SMTP connection with plain SMTP on loopback.
Prints messages per second, the ratio of e-mail time to batch time (goal:
at most 1.3, i.e. sending adds little over rendering), and the e-mail
process's resident memory after 100 messages and at the end (goal: flat).
Medians over rounds. Nothing here asserts.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from smtp_server import start_server  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch import write_roster  # noqa: E402


def write_patients(path: Path, count: int) -> None:
    """`count` patients, each with a provider of the roster and consent to plain e-mail."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "email", "provider", "unencrypted_ok"])
        for i in range(count):
            writer.writerow([f"pt{i:05d}", f"Patient Zoë Núñez {i}", f"patient{i}@example.com", f"p{i:05d}", "yes"])


def rss_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def run_batch(folder: Path, roster: Path, jobs: int) -> float:
    out = folder / "out"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "handouts", "-q", "batch", "--providers", str(roster), "-d", str(out),
                    "-j", str(jobs)], check=True, cwd=folder, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    for pdf in out.glob("*.pdf"):
        pdf.unlink()
    (out / "stem-cell-knee.manifest.json").unlink(missing_ok=True)
    return elapsed


def run_email(folder: Path, roster: Path, patients: Path, server, jobs: int) -> tuple[float, int | None, int | None]:
    """Wall time, RSS (kB) when the 100th message arrived, and RSS at the last."""
    ledger = folder / "ledger.sqlite"
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(f"{ledger}{suffix}").unlink(missing_ok=True)
    before = len(server.handler.received)
    env = {**os.environ, **server.env()}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "handouts", "-q", "email", "--patients", str(patients),
                             "--providers", str(roster), "--send", "--ledger", str(ledger), "-j", str(jobs)],
                            cwd=folder, env=env, stdout=subprocess.DEVNULL)
    at_100 = last = None
    while proc.poll() is None:
        rss = rss_kb(proc.pid)
        got = len(server.handler.received) - before
        if rss:
            last = rss
            if at_100 is None and got >= 100:
                at_100 = rss
        time.sleep(0.02)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"handouts email exited {proc.returncode}")
    return elapsed, at_100, last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patients", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        roster, patients = folder / "providers.csv", folder / "patients.csv"
        write_roster(roster, args.patients)
        write_patients(patients, args.patients)
        server = start_server(folder, tls="none")
        try:
            batch_times, email_times, rss_100, rss_end = [], [], [], []
            for _ in range(args.rounds):
                batch_times.append(run_batch(folder, roster, args.jobs))
                elapsed, at_100, last = run_email(folder, roster, patients, server, args.jobs)
                email_times.append(elapsed)
                rss_100.append(at_100 or 0)
                rss_end.append(last or 0)
            received = len(server.handler.received)
        finally:
            server.controller.stop()
    n = args.patients
    batch_s, email_s = statistics.median(batch_times), statistics.median(email_times)
    print(f"handouts email benchmark: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
          f"{n} patients, -j {args.jobs}, median of {args.rounds}")
    print(f"batch -j {args.jobs}, {n} docs   : {n / batch_s:6.1f} docs/s ({batch_s:.2f} s wall)")
    print(f"email --send, {n} msgs  : {n / email_s:6.1f} msgs/s ({email_s:.2f} s wall)")
    print(f"  ratio email/batch     : {email_s / batch_s:6.2f}   (goal <= 1.3)")
    print(f"  messages received     : {received} (expected {n * args.rounds})")
    print(f"RSS after 100 messages  : {statistics.median(rss_100) / 1024:6.1f} MB")
    print(f"RSS after {n} messages  : {statistics.median(rss_end) / 1024:6.1f} MB   "
          f"(growth {(statistics.median(rss_end) - statistics.median(rss_100)) / 1024:+.1f} MB)")


if __name__ == "__main__":
    main()
