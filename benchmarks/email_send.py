"""E-mail speed and memory against a local SMTP server, beside a batch of the same documents.

    python benchmarks/email_send.py [--patients 500] [--rounds 3] [--jobs 2] [--against CHECKOUT]

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
Medians over rounds. With --against CHECKOUT, that checkout's batch and
e-mail run in the same rounds too (before/after, side by side); the load
average is printed before and after. Nothing here asserts.

The tests' server is Python (aiosmtpd reads a message a line at a time)
and runs in this process, on the same two cores: at a megabyte a message it
takes a large share of them, which no real relay would. So each round also
sends to a sink that reads each message whole (benchmarks/smtp_sink.py),
and the CPU seconds are printed too: of the whole `batch` and `email`
process trees (workers included), their ratio (what handouts itself
spends), and of this process while the e-mail runs (the server, mostly).
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
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
from smtp_sink import Sink  # noqa: E402


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


def _env(tree: Path | None, extra: dict | None = None) -> dict:
    """The environment that runs `tree`'s handouts package (this one's when None)."""
    env = {**os.environ, **(extra or {})}
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    return env


def cpu(who: int) -> float:
    """User and system CPU seconds of `who` (resource.RUSAGE_SELF or RUSAGE_CHILDREN) so far."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def run_batch(folder: Path, roster: Path, jobs: int, tree: Path | None = None) -> tuple[float, float]:
    """Wall time and the CPU time of the batch's process tree."""
    out = folder / "out"
    children = cpu(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "handouts", "-q", "batch", "--providers", str(roster), "-d", str(out),
                    "-j", str(jobs)], check=True, cwd=folder, stdout=subprocess.DEVNULL, env=_env(tree))
    elapsed = time.perf_counter() - started
    used = cpu(resource.RUSAGE_CHILDREN) - children
    for pdf in out.glob("*.pdf"):
        pdf.unlink()
    (out / "stem-cell-knee.manifest.json").unlink(missing_ok=True)
    return elapsed, used


def run_email(folder: Path, roster: Path, patients: Path, server, jobs: int,
              tree: Path | None = None) -> tuple[float, int | None, int | None, int, float, float]:
    """Wall time, RSS (kB) when the 100th message arrived, RSS at the last, messages received,
    and the CPU time of the e-mail's process tree and of this process (the server) meanwhile."""
    ledger = folder / "ledger.sqlite"
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(f"{ledger}{suffix}").unlink(missing_ok=True)
    count = (lambda: server.received) if isinstance(server, Sink) else (lambda: len(server.handler.received))
    before = count()
    env = _env(tree, server.env())
    children, own = cpu(resource.RUSAGE_CHILDREN), cpu(resource.RUSAGE_SELF)
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "handouts", "-q", "email", "--patients", str(patients),
                             "--providers", str(roster), "--send", "--ledger", str(ledger), "-j", str(jobs)],
                            cwd=folder, env=env, stdout=subprocess.DEVNULL)
    at_100 = last = None
    while proc.poll() is None:
        rss = rss_kb(proc.pid)
        got = count() - before
        if rss:
            last = rss
            if at_100 is None and got >= 100:
                at_100 = rss
        time.sleep(0.02)
    elapsed = time.perf_counter() - started
    tree_cpu, server_cpu = cpu(resource.RUSAGE_CHILDREN) - children, cpu(resource.RUSAGE_SELF) - own
    if proc.returncode != 0:
        raise SystemExit(f"handouts email exited {proc.returncode}")
    got = count() - before
    if not isinstance(server, Sink):
        del server.handler.received[before:]  # counted: a megabyte each would pile up in this process
    return elapsed, at_100, last, got, tree_cpu, server_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patients", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--against", type=Path, metavar="CHECKOUT", action="append", default=[],
                        help="also time another checkout of handouts (repeatable)")
    args = parser.parse_args()
    trees = {"now": None, **{tree.name: tree.resolve() for tree in args.against}}
    print(f"handouts email benchmark: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
          f"{args.patients} patients, -j {args.jobs}, median of {args.rounds}; load average "
          f"{os.getloadavg()[0]:.2f} before")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        roster, patients = folder / "providers.csv", folder / "patients.csv"
        write_roster(roster, args.patients)
        write_patients(patients, args.patients)
        servers = {"aiosmtpd": start_server(folder, tls="none"), "sink": Sink()}
        keys = ("batch", "batch_cpu", "rss_100", "rss_end", "got",
                *(f"{what}_{server}" for what in ("email", "email_cpu", "server_cpu") for server in servers))
        runs: dict[str, dict[str, list]] = {name: {key: [] for key in keys} for name in trees}
        try:
            for _ in range(args.rounds):
                for name, tree in trees.items():
                    batch_wall, batch_cpu = run_batch(folder, roster, args.jobs, tree)
                    runs[name]["batch"].append(batch_wall)
                    runs[name]["batch_cpu"].append(batch_cpu)
                    for label, server in servers.items():
                        elapsed, at_100, last, got, email_cpu, server_cpu = run_email(folder, roster, patients, server,
                                                                                      args.jobs, tree)
                        runs[name][f"email_{label}"].append(elapsed)
                        runs[name][f"email_cpu_{label}"].append(email_cpu)
                        runs[name][f"server_cpu_{label}"].append(server_cpu)
                        runs[name]["got"].append(got)
                        if label == "aiosmtpd":
                            runs[name]["rss_100"].append(at_100 or 0)
                            runs[name]["rss_end"].append(last or 0)
        finally:
            servers["aiosmtpd"].controller.stop()
            servers["sink"].stop()
    n = args.patients
    for name, r in runs.items():
        batch_s, batch_cpu = statistics.median(r["batch"]), statistics.median(r["batch_cpu"])
        rss_100, rss_end = statistics.median(r["rss_100"]) / 1024, statistics.median(r["rss_end"]) / 1024
        print(f"{name}:")
        print(f"  batch -j {args.jobs}, {n} docs       : {n / batch_s:6.1f} docs/s ({batch_s:.2f} s wall, "
              f"{batch_cpu:.2f} s CPU)")
        for label, server in (("aiosmtpd", "aiosmtpd, in this process"), ("sink", "a sink reading whole messages")):
            walls, cpus = r[f"email_{label}"], r[f"email_cpu_{label}"]
            email_s, email_cpu = statistics.median(walls), statistics.median(cpus)
            print(f"  email --send, to {server}:")
            print(f"    {n / email_s:6.1f} msgs/s ({email_s:.2f} s wall); ratio email/batch {email_s / batch_s:.2f} "
                  f"(goal <= 1.3; rounds {', '.join(f'{e / b:.2f}' for e, b in zip(walls, r['batch']))})")
            print(f"    CPU: e-mail's tree {email_cpu:.2f} s, {email_cpu / batch_cpu:.2f}x the batch's; the server "
                  f"{statistics.median(r[f'server_cpu_{label}']):.2f} s")
        print(f"  messages received     : {sum(r['got'])} (expected {2 * n * args.rounds})")
        if n > 100:
            print(f"  RSS after 100 messages: {rss_100:6.1f} MB; after {n}: {rss_end:6.1f} MB "
                  f"(growth {rss_end - rss_100:+.1f} MB)")
        else:  # no 100th message to measure from
            print(f"  RSS after {n} messages: {rss_end:6.1f} MB (growth is measured from the 100th: send more)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
