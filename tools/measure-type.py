"""Measure the type a handout prints: characters per line and type sizes, per layout and language.

    python tools/measure-type.py [--out FOLDER] [PDF ...]

Without PDFs, builds (with a provider and a patient named) the bundled
handout in English and Spanish, and the test sheets tests/sheet/prose
(paragraphs, English and Spanish) and tests/sheet/long-consent (tables,
a long acknowledgment), in letter, A4 and large print, into FOLDER (a
temporary folder by default), and prints for each PDF:

- the body size and the characters per full body line (median and 95th
  percentile; a paragraph's last line is left out, table cells and form
  labels are not body text), read from the characters' positions;
- the sizes used by headings, form labels (signature block, write-in
  lines), list labels, tables, references, captions, footer and running
  header, and the smallest patient-facing size (all but the running header);
- in large print, the size the labels inside each picture print at,
  estimated from the letters' height in the image's pixels.

The reading is tests/typemeasure.py, which the type tests assert with.
Nothing here asserts.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import typemeasure  # noqa: E402 - found through the line above

KNEE = ROOT / "handouts" / "data" / "handouts" / "stem-cell-knee"
DEMO = ROOT / "handouts" / "data" / "brands" / "demo" / "brand.yml"
ROSTER = ROOT / "handouts" / "data" / "rosters" / "providers.csv"
SHEETS = {
    "knee": (KNEE, ["--provider", "dr-nunez", "--providers", str(ROSTER)], ("en", "es")),
    "prose": (ROOT / "tests" / "sheet" / "prose", ["--brand", str(DEMO)], ("en", "es")),
    "long-consent": (ROOT / "tests" / "sheet" / "long-consent", ["--brand", str(DEMO)], ("en",)),
}
LAYOUTS = ("letter", "a4", "large-print")


def build_all(folder: Path) -> list[Path]:
    """Build every sheet in every layout and language into `folder`."""
    made = []
    for name, (source, extra, languages) in SHEETS.items():
        for language in languages:
            for layout in LAYOUTS:
                out = folder / f"{name}-{language}-{layout}.pdf"
                subprocess.run([sys.executable, "-m", "handouts", "-q", "build", str(source), "--layout", layout,
                                "--language", language, "--patient-name", "Maria Example", "-o", str(out), *extra],
                               check=True, stdout=subprocess.DEVNULL)
                made.append(out)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pdfs", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, help="folder to build into (kept)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        pdfs = args.pdfs
        if not pdfs:
            folder = args.out or Path(scratch)
            folder.mkdir(parents=True, exist_ok=True)
            pdfs = build_all(folder)
        rows = []
        for pdf in pdfs:
            facts = typemeasure.measure(pdf)
            row = {"pdf": pdf.stem, **typemeasure.summary(facts)}
            labels = typemeasure.picture_label_sizes(pdf)
            row["picture labels pt"] = "/".join(f"{size:.1f}" for size in labels) or "-"
            rows.append(row)
    columns = list(rows[0])
    print("| " + " | ".join(columns) + " |")
    print("|" + " --- |" * len(columns))
    for row in rows:
        print("| " + " | ".join(str(row[c]) for c in columns) + " |")


if __name__ == "__main__":
    main()
