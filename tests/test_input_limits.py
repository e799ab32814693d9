"""Inputs read within bounds and processed in time linear in their size (issue 10).

The hostile cases (tests/hostile/cases/input-*, font-file-*, layout-page-*,
env-source-date-*, merge-manifest-*) cover the command line; these tests look
at the pieces: the one reading function, the claim check's work per match,
the clinic-phrase matcher against the regex it replaces, and the cutting of
very long paragraphs.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest
from helpers import invoke

from handouts.lint.claims import _phrase_matches, find_claims
from handouts.load.reading import ReadError, read_bytes
from handouts.render.longtext import split_markup
from handouts.sections.model import SourceText

# --------------------------------------------------------------------------
# The one reading function.


def test_reading_a_fifo_is_refused_without_opening_it(tmp_path):
    fifo = tmp_path / "section.yaml"
    os.mkfifo(fifo)
    # In a child process with a timeout: on failure the test fails instead of hanging.
    code = ("import sys; from pathlib import Path; from handouts.load.reading import read_bytes, ReadError\n"
            "try:\n    read_bytes(Path(sys.argv[1]), max_bytes=10, what='section file')\n"
            "except ReadError as exc:\n    print(exc.problem.message)\n")
    done = subprocess.run([sys.executable, "-c", code, str(fifo)], capture_output=True, text=True, timeout=60,
                          check=False, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert "expected a section file, found a named pipe (FIFO)" in done.stdout, done.stderr


@pytest.mark.parametrize("device, kind", [("/dev/zero", "a character device"), ("/dev/null", "a character device")])
def test_reading_a_device_is_refused(device, kind):
    with pytest.raises(ReadError) as caught:
        read_bytes(Path(device), max_bytes=10, what="roster")
    assert caught.value.problem.message.startswith(f"expected a roster, found {kind}")
    assert caught.value.problem.path == device


def test_reading_a_folder_is_refused(tmp_path):
    with pytest.raises(ReadError, match="found a folder"):
        read_bytes(tmp_path, max_bytes=10)


def test_reading_stops_at_the_cap_whatever_the_size_says(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * 101)
    assert read_bytes(path, max_bytes=101) == b"x" * 101
    with pytest.raises(ReadError, match="101 bytes, over the 100-byte limit"):
        read_bytes(path, max_bytes=100)


UNBOUNDED_READ = r"\.read_(bytes|text)\(|(?<![\w.])(?<!def )open\(|Image\.open\((?!io\.BytesIO)|TTFont\([^)]*str\("


def test_no_loader_reads_files_another_way():
    """Every read of an input goes through load/reading.py: no copies of it."""
    root = Path(__file__).resolve().parent.parent / "handouts"
    offenders = []
    for path in root.rglob("*.py"):
        if path.name == "reading.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            # The package's own files, PDFs it just wrote, PDF streams:
            if "not an input" in line.split("#", 1)[-1]:
                continue
            if re.search(UNBOUNDED_READ, line):
                offenders.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert offenders == []


# --------------------------------------------------------------------------
# The claim check: per match, bounded work.

CLAIM = "It may cure you. "


def _src(text: str) -> SourceText:
    return SourceText(text=text, path=Path("sections/big.yaml"), field="body", line=3)


def test_975_kb_of_one_claim_repeated_is_checked_whole():
    """56,000 matches in 975 KB: each is found, on its line (this took over 25 minutes)."""
    body = CLAIM * (975_000 // len(CLAIM))
    claims = find_claims(_src(body))
    assert len(claims) == body.count("cure")
    assert {c.line for c in claims} == {3}


def test_a_negation_counts_only_within_its_window_and_clause():
    far = "not " + "very " * 300 + "sure it will cure you."
    near = "It will not cure you."
    other_clause = "It is not cheap; it will cure you."
    assert find_claims(_src(far))
    assert not find_claims(_src(near))
    assert find_claims(_src(other_clause))
    assert not find_claims(_src("Will it cure me? " * 3))


def test_lines_of_claims_in_a_literal_block():
    text = "".join("line\n" if i % 3 else "We cure it.\n" for i in range(3000))
    lines = [c.line for c in find_claims(_src(text))]
    assert lines == [3 + i for i in range(3000) if i % 3 == 0]


def _regex_matches(text: str, phrases: tuple[str, ...]) -> set[tuple[str, int, int]]:
    """What the claim check did before: one regex per phrase."""
    found = set()
    for phrase in phrases:
        words = r"\s+".join(re.escape(w) for w in phrase.split())
        for m in re.finditer(rf"(?<!\w){words}(?!\w)", text, re.IGNORECASE):
            found.add((phrase, m.start(), m.end()))
    return found


@pytest.mark.parametrize("seed", range(25))
def test_phrase_matcher_finds_what_one_regex_per_phrase_found(seed):
    rng = random.Random(seed)
    vocabulary = ["stem", "cell", "Cure", "cure-all", "100%", "knee", "(new)", "Miracle", "ok.", "x_y", "é"]
    phrases = tuple({" ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 3))) for _ in range(12)})
    separators = [" ", "  ", "\n", ", ", ". ", "-", "(", ")", "", "\t"]
    text = "".join(rng.choice(vocabulary) + rng.choice(separators) for _ in range(300))
    assert set(_phrase_matches(text, phrases)) == _regex_matches(text, phrases)


def test_twenty_thousand_phrases_are_one_pass_over_the_text():
    """The matcher looks each word up; it never loops over the phrases per field."""
    rng = random.Random(5)
    phrases = tuple(f"phrase{i} word{rng.randint(0, 99)}" for i in range(20_000)) + ("stem cell miracle",)
    text = "Our stem cell miracle works. " * 50 + "phrase19999 word7 and phrase12 words"
    found = _phrase_matches(text, phrases)
    assert [f[0] for f in found].count("stem cell miracle") == 50


# --------------------------------------------------------------------------
# Very long paragraphs.


def test_a_long_paragraph_is_cut_after_sentences_with_balanced_tags():
    markup = "<b>" + "It may help a little. " * 600 + "</b> and <i>more</i>."
    pieces = split_markup(markup)
    assert len(pieces) > 1
    assert re.sub("<[^>]*>", "", "".join(pieces)) == re.sub("<[^>]*>", "", markup)
    for piece in pieces:
        assert piece.count("<b>") == piece.count("</b>")
        assert len(re.sub("<[^>]*>", "", piece)) <= 6000
    for piece in pieces[:-1]:
        assert re.sub("<[^>]*>", "", piece).rstrip().endswith("."), "cut inside a sentence"


def test_a_short_paragraph_is_never_cut():
    markup = "A normal paragraph. " * 30
    assert split_markup(markup) == [markup]


def test_a_paragraph_without_spaces_is_cut_too():
    pieces = split_markup("x" * 20_000)
    assert "".join(pieces) == "x" * 20_000 and len(pieces) > 1


def test_a_390_kb_paragraph_prints_every_word(minimal_project, tmp_path):
    words = [f"w{i:05d}" for i in range(56_000)]
    section = minimal_project / "sections" / "intro.yaml"
    section.write_text("kind: how_it_works\ntitle: Long\nbody: |\n  " + " ".join(words) + ".\n", encoding="utf-8")
    out = tmp_path / "out.pdf"
    result = invoke(["build", str(minimal_project), "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(str(out)).pages)
    printed = re.findall(r"w\d{5}", text)
    assert printed == words
