"""A private CUPS scheduler with a cups-pdf virtual printer, started by the tests.

Everything it writes lives in its own folder (configuration, spool, cache,
logs, the PDFs cups-pdf makes), it listens on a free loopback port of its
own, and clients reach it through CUPS_SERVER: a system cupsd, running or
not, is never touched.

One thing cannot live in that folder: cups-pdf reads its configuration
only from /etc/cups, as `cups-pdf-<instance>.conf` for a device URI
`cups-pdf:/<instance>`. The instance name is unique per run and the file
is removed when the scheduler stops. cups-pdf's backend is mode 0700, so
cupsd runs it as root; cupsd itself must be started as root.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from ports import free_port

QUEUE = "handouts-pdf"
CUPS_PDF_CONFIG_DIR = Path("/etc/cups")
START_SECONDS = 30
# Two busy cores: pdftops and Ghostscript may take a while per job.
JOB_SECONDS = 180


def find_cupsd() -> str | None:
    """cupsd lives in sbin, which is not on every PATH."""
    return shutil.which("cupsd") or next((p for p in ("/usr/sbin/cupsd", "/usr/local/sbin/cupsd")
                                          if os.access(p, os.X_OK)), None)


def find_lpadmin() -> str | None:
    return shutil.which("lpadmin") or next((p for p in ("/usr/sbin/lpadmin",) if os.access(p, os.X_OK)), None)


def cups_pdf_ppd() -> str | None:
    """The PPD printer-driver-cups-pdf installs."""
    for pattern in ("/usr/share/ppd/cups-pdf/CUPS-PDF*opt.ppd", "/usr/share/cups/model/CUPS-PDF*.ppd",
                    "/usr/share/ppd/**/CUPS-PDF*.ppd"):
        found = sorted(glob.glob(pattern, recursive=True))
        if found:
            return found[0]
    return None


@dataclass
class Cups:
    """A running private scheduler: where it listens and where its PDFs land."""

    folder: Path
    port: int
    out: Path
    process: subprocess.Popen
    instance_conf: Path

    @property
    def server(self) -> str:
        return f"127.0.0.1:{self.port}"

    def env(self, **extra: str) -> dict[str, str]:
        """The environment for a CUPS client talking to this scheduler."""
        return {**os.environ, "CUPS_SERVER": self.server, "LC_ALL": "C", "LANG": "C", **extra}

    def run(self, *command: str) -> subprocess.CompletedProcess:
        return subprocess.run(list(command), env=self.env(), capture_output=True, text=True, timeout=60,
                              check=False)

    def wait_for_pdf(self, job_id: str) -> Path:
        """The PDF cups-pdf made of job `job_id` ('handouts-pdf-3'), once it is complete."""
        number = job_id.rsplit("-", 1)[1]
        deadline = time.monotonic() + JOB_SECONDS
        while time.monotonic() < deadline:
            done = self.run("lpstat", "-W", "completed", "-o", QUEUE).stdout.split()
            found = sorted(self.out.glob(f"*job_{number}.pdf"))
            if job_id in done and found:
                return found[0]
            if self.process.poll() is not None:
                raise AssertionError(f"cupsd exited while printing:\n{self.log_tail()}")
            time.sleep(0.3)
        raise AssertionError(f"no PDF from job {job_id} within {JOB_SECONDS} s:\n{self.log_tail()}")

    def page_log(self) -> list[list[str]]:
        """Rows of the page log: job id, job name, copies, sides (see PageLogFormat below)."""
        path = self.folder / "log" / "page_log"
        if not path.exists():
            return []
        return [line.split("\t") for line in path.read_text(errors="replace").splitlines()]

    def log_tail(self, lines: int = 30) -> str:
        texts = []
        for name in ("error_log", f"cups-pdf-{QUEUE}_log"):
            path = self.folder / "log" / name
            if path.exists():
                texts += [line for line in path.read_text(errors="replace").splitlines()
                          if not line.startswith("D ") and "Limiting Get-Jobs" not in line]
        return "\n".join(texts[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self.instance_conf.unlink(missing_ok=True)
        shutil.rmtree(self.folder, ignore_errors=True)


def start() -> Cups:
    """Start a private cupsd with the cups-pdf queue `handouts-pdf`, enabled and accepting jobs."""
    cupsd, lpadmin, ppd = find_cupsd(), find_lpadmin(), cups_pdf_ppd()
    missing = [name for name, found in (("cupsd (cups-daemon)", cupsd), ("lpadmin (cups-client)", lpadmin),
                                        ("lp (cups-client)", shutil.which("lp")),
                                        ("cups-pdf backend (printer-driver-cups-pdf)",
                                         os.path.exists("/usr/lib/cups/backend/cups-pdf") or None),
                                        ("the cups-pdf PPD (printer-driver-cups-pdf)", ppd)) if not found]
    if missing:
        raise AssertionError(f"cannot start the test printer: missing {', '.join(missing)} (tools/test installs them)")
    if os.geteuid() != 0:
        raise AssertionError("the CUPS test starts cupsd with the cups-pdf backend, which needs root")
    # Not under pytest's 0700 tmp folder: CUPS runs filters as the user lp.
    folder = Path(tempfile.mkdtemp(prefix="handouts-cups-"))
    folder.chmod(0o755)
    for name in ("root", "spool", "cache", "state", "log", "out", "cups-pdf-spool"):
        (folder / name).mkdir()
    (folder / "tmp").mkdir(mode=0o1777)
    (folder / "tmp").chmod(0o1777)
    (folder / "out").chmod(0o777)
    port = free_port()
    (folder / "root" / "cupsd.conf").write_text(f"""\
Listen 127.0.0.1:{port}
Browsing No
WebInterface No
LogLevel info
DefaultAuthType None
PageLogFormat %j\t%{{job-name}}\t%{{copies}}\t%{{sides}}
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
""")
    (folder / "root" / "cups-files.conf").write_text(f"""\
ServerRoot {folder}/root
RequestRoot {folder}/spool
CacheDir {folder}/cache
StateDir {folder}/state
TempDir {folder}/tmp
Printcap {folder}/printcap
AccessLog {folder}/log/access_log
ErrorLog {folder}/log/error_log
PageLog {folder}/log/page_log
SystemGroup root
FileDevice No
""")
    instance = f"handouts-test-{uuid.uuid4().hex[:12]}"
    instance_conf = CUPS_PDF_CONFIG_DIR / f"cups-pdf-{instance}.conf"
    instance_conf.write_text(f"Out {folder}/out\nAnonDirName {folder}/out\nSpool {folder}/cups-pdf-spool\n"
                             f"Log {folder}/log\nLogType 3\nLabel 2\n")
    with open(folder / "log" / "stderr", "wb") as stderr:
        process = subprocess.Popen([cupsd, "-f", "-c", str(folder / "root" / "cupsd.conf"),
                                    "-s", str(folder / "root" / "cups-files.conf")],
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr)
    cups = Cups(folder=folder, port=port, out=folder / "out", process=process, instance_conf=instance_conf)
    try:
        deadline = time.monotonic() + START_SECONDS
        while "scheduler is running" not in cups.run("lpstat", "-r").stdout:
            if process.poll() is not None or time.monotonic() > deadline:
                stderr = (folder / "log" / "stderr").read_text(errors="replace")
                raise AssertionError(f"cupsd did not start:\n{stderr}\n{cups.log_tail()}")
            time.sleep(0.2)
        added = cups.run(lpadmin, "-p", QUEUE, "-v", f"cups-pdf:/{instance}", "-E", "-P", ppd)
        assert added.returncode == 0, f"lpadmin failed: {added.stderr}"
    except BaseException:
        cups.stop()
        raise
    return cups


@pytest.fixture(scope="module")
def cups():
    """A private cupsd with the queue handouts-pdf, for a module's tests (import this fixture into the module)."""
    server = start()
    try:
        yield server
    finally:
        server.stop()
