"""What each fuzz target does with its bytes: shared by fuzz_loaders.py (under atheris) and replay.py.

Targets (the first input byte picks one, the rest is the file's bytes):

  0  yaml              handouts.load.yamlfile.load_yaml on any YAML file
  1  manifest          handouts.sections.load_handout on a fuzzed handout.yaml beside valid sections
  2  section           load_handout on a valid manifest naming a fuzzed section file
  3  roster-csv        handouts.load.roster.load_roster on a fuzzed providers.csv
  4  roster-yaml       load_roster on a fuzzed providers.yaml
  5  brand             handouts.load.brand.load_brand on a fuzzed brand.yml (beside a valid logo)
  6  layout            handouts.layouts.load_layout on a fuzzed layout file
  7  font              handouts.load.fonts.parse_font on a fuzzed .ttf (parsed, then a trial subset)
  8  layout-build      prepare + render_handout: a small valid handout laid out with a fuzzed layout file
  9  merge-manifest    handouts.deliver.manifest.merge_manifests on a fuzzed shard manifest and a valid one
  10 email-templates   a clinic's email/subject.txt, body.txt and body.html (the input's first line,
                       the rest up to a NUL, what follows it): checked as loading does
                       (fill.overrides.check_overrides), compiled (deliver.email.message.load_templates),
                       filled for a patient (render_texts), and the subject made a header (build_message)
  11 patients-csv      handouts.load.patients.load_patients on a fuzzed patients.csv, then a message
                       to every patient it accepts, its name in the subject
  12 patients-yaml     the same on a fuzzed patients.yaml
  13 headers           values split at NUL (subject, sender name, recipient, sender, link) through the one
                       header and address check (load.outbound), and a message made of those it accepts

The contract: a target returns or raises HandoutError (or ReadError from
load_yaml). For the targets that make a message, also: the message parses
back (standard library) with exactly the headers it was made with, none
holding a line break: a value that passed the checks carried no header in.
Anything else is a finding.
"""

from __future__ import annotations

import atexit
import datetime as dt
import shutil
import tempfile
from email import message_from_bytes, policy
from pathlib import Path

from handouts.pipeline.prepare import prepare
from handouts.pipeline.produce import render_handout
from handouts.deliver.manifest import merge_manifests
from handouts.deliver.email.message import build_message, load_templates, message_context, render_texts
from handouts.fill.overrides import check_overrides
from handouts.layouts import builtin_layouts, load_layout
from handouts.load.brand import load_brand
from handouts.load.outbound import checked_address, checked_header_value, link_problem
from handouts.load.patients import load_patients
from handouts.load.roster import load_roster
from handouts.load.yamlfile import load_yaml
from handouts.load.fonts import parse_font
from handouts.sections import load_handout

ALL_TARGETS = ("yaml", "manifest", "section", "roster-csv", "roster-yaml", "brand", "layout", "font",
               "layout-build", "merge-manifest", "email-templates", "patients-csv", "patients-yaml", "headers")

GOOD_SECTION = b"kind: benefits\ntitle: What it does\nbody: |\n  Some text.\n"
GOOD_DISCLOSURE = b"kind: risk_disclosure\ntitle: Risks\nbody: |\n  It can hurt.\n"
GOOD_MANIFEST = (b'title: Knee\nversion: "1.0"\nreviewed: 2026-01-01\n'
                 b"sections:\n  - sections/one.yaml\nrisk_disclosure: sections/risk.yaml\n")
DEMO_BRAND = Path(__file__).resolve().parent.parent / "handouts" / "data" / "brands" / "demo" / "brand.yml"
GOOD_SHARD = (b'{"handout": {"id": "knee", "fingerprint": "ab12"}, '
              b'"documents": [{"provider": "dr-a", "file": "knee--dr-a.pdf"}], "failed": []}')
# A 1x1 PNG, so brand files that name logo.png reach the image checks.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")
PROVIDERS = frozenset({"dr-a", "dr-b"})
# The headers build_message writes, and the ones the MIME parts bring.
HEADERS = ["From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted", "Content-Type", "MIME-Version"]
SENDER = "desk@clinic.example.org"


class HeaderBroken(Exception):
    """A message whose headers parse back other than they were made: a value carried a header in."""


class Workspace:
    """A scratch project the targets write their fuzzed file into."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="handouts-fuzz-"))
        atexit.register(shutil.rmtree, self.root, True)
        (self.root / "sections").mkdir()
        (self.root / "email").mkdir()
        (self.root / "sections" / "risk.yaml").write_bytes(GOOD_DISCLOSURE)
        (self.root / "sections" / "one.yaml").write_bytes(GOOD_SECTION)
        (self.root / "logo.png").write_bytes(TINY_PNG)
        self.good_manifest = self.write("good.yaml", GOOD_MANIFEST)
        self.section_manifest = self.write(
            "section-manifest.yaml", GOOD_MANIFEST.replace(b"sections/one.yaml", b"sections/fuzzed.yaml"))
        self.good_shard = self.write("good-shard.json", GOOD_SHARD)
        self._context: dict | None = None

    def write(self, name: str, data: bytes) -> Path:
        path = self.root / name
        path.write_bytes(data)
        return path

    def context(self) -> dict:
        """What e-mail templates see for one patient of the small handout (made once)."""
        if self._context is None:
            prepared = prepare(self.good_manifest, brand=DEMO_BRAND)
            self._context = message_context(prepared, provider=None, patient_name="Ana Alvarez", encrypted=False)
        return self._context


def run(target: str, data: bytes, ws: Workspace) -> None:
    """Feed `data` to `target`; raise only what the contract forbids (anything but HandoutError, ReadError)."""
    if target == "yaml":
        load_yaml(ws.write("doc.yaml", data))
    elif target == "manifest":
        load_handout(ws.write("handout.yaml", data))
    elif target == "section":
        ws.write("sections/fuzzed.yaml", data)
        load_handout(ws.section_manifest)
    elif target == "roster-csv":
        load_roster(ws.write("providers.csv", data))
    elif target == "roster-yaml":
        load_roster(ws.write("providers.yaml", data))
    elif target == "brand":
        load_brand(ws.write("brand.yml", data))
    elif target == "layout":
        load_layout(ws.write("layout.yaml", data))
    elif target == "font":
        parse_font(data, ws.write("font.ttf", data), "FuzzFont")
    elif target == "layout-build":
        prepared = prepare(ws.good_manifest, brand=DEMO_BRAND, layout=ws.write("layout.yaml", data))
        render_handout(prepared)
    elif target == "merge-manifest":
        merge_manifests([ws.write("shard.json", data), ws.good_shard])
    elif target == "email-templates":
        _email_templates(data, ws)
    elif target in ("patients-csv", "patients-yaml"):
        _patients(data, ws, "patients.csv" if target == "patients-csv" else "patients.yaml")
    elif target == "headers":
        _headers(data)


def _email_templates(data: bytes, ws: Workspace) -> None:
    subject, _, rest = data.partition(b"\n")
    text, nul, html = rest.partition(b"\0")
    ws.write("email/subject.txt", subject)
    ws.write("email/body.txt", text)
    page = ws.root / "email" / "body.html"
    if nul:
        page.write_bytes(html)
    elif page.exists():
        page.unlink()
    if check_overrides(ws.root):
        return  # loading reports them: build, batch and email stop there
    templates = load_templates(ws.root)
    filled_subject, body, _ = render_texts(templates, ws.context())
    if filled_subject:
        _message(subject=filled_subject, text=body, recipient=checked_address("ana@example.org"))


def _patients(data: bytes, ws: Workspace, name: str) -> None:
    patients = load_patients(ws.write(name, data), provider_ids=PROVIDERS, layouts=frozenset(builtin_layouts()))
    for patient in patients:
        # A value the patients file accepts is fit for a header: the subject may name the patient.
        _message(subject=f"Your handout, {patient.name or patient.id}", text="Hello.\n",
                 recipient=checked_address(patient.email))


def _headers(data: bytes) -> None:
    values = data.decode("utf-8", "surrogateescape").split("\0")
    subject, name, recipient, sender, link = (values + ["", "", "", "", ""])[:5]
    link_problem(link)  # a reason or None, whatever the text
    recipient_address = checked_address(recipient or "ana@example.org")
    sender_address = checked_address(sender or SENDER)
    _message(subject=checked_header_value(subject or "Your handout"), text="Hello.\n",
             recipient=recipient_address, sender=sender_address, sender_name=checked_header_value(name))


def _message(*, subject: str, text: str, recipient, sender=None, sender_name: str = "Clinic") -> None:
    """Make the message as mailing does and check that its headers parse back as made."""
    raw = build_message(sender=sender or checked_address(SENDER), sender_name=sender_name, recipient=recipient,
                        subject=subject, text=text, html="<p>Hello.</p>", attachment=b"%PDF-1.7\n",
                        attachment_name="handout.pdf", message_id="<fuzz@clinic.example.org>",
                        date=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    parsed = message_from_bytes(raw, policy=policy.default)
    names = list(parsed.keys())
    if sorted(names) != sorted(HEADERS):
        raise HeaderBroken(f"headers {names}, expected {HEADERS}")
    for key in HEADERS:
        if any(char in str(parsed[key]) for char in "\r\n"):
            raise HeaderBroken(f"the {key} header holds a line break")
    if " ".join(str(parsed["Subject"]).split()) != " ".join(subject.split()):
        raise HeaderBroken("the Subject header does not read back as the subject made")
