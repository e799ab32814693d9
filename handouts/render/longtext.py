"""Very long paragraphs cut into pieces ReportLab can lay out in linear time.

ReportLab's Paragraph breaks lines by popping words off the front of a list
(quadratic in the words of one paragraph) and, at every page break, breaks
the whole rest of the paragraph again (quadratic in its pages): one 390 KB
paragraph took 17 s, 400 KB in a busy run almost a minute. A paragraph's
markup longer than PIECE characters is therefore cut after a sentence (or,
failing that, a space) into pieces printed as one paragraph: the pieces
after the first have no space before them and those before the last none
after, so only a line break shows where a cut falls.
"""

from __future__ import annotations

import re

# Long enough that no normal paragraph is cut (the bundled handout's longest
# is under 700 characters), short enough that each piece lays out quickly.
PIECE = 3000

# Markup here is only what render.markup writes: escaped text, entities and
# a few tags (<b>, <i>, <u>, <link ...>, <br/>).
_TOKEN = re.compile(r"<[^>]*>|&[#\w]+;|[^<&]+")
_TAG = re.compile(r"<(/?)(\w+)")
_SENTENCE_END = re.compile(r"[.!?][)\"'\u201d\u2019]*\s+")


def split_markup(markup: str, piece: int = PIECE) -> list[str]:
    """`markup` as pieces of about `piece` characters, each with balanced tags."""
    if len(markup) <= piece:
        return [markup]
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    open_tags: list[tuple[str, str]] = []  # (name, opening tag) still open

    def cut() -> None:
        nonlocal current, size
        closing = "".join(f"</{name}>" for name, _ in reversed(open_tags))
        pieces.append("".join(current) + closing)
        current = [opening for _, opening in open_tags]
        size = 0

    for match in _TOKEN.finditer(markup):
        token = match.group(0)
        if token.startswith("<"):
            tag = _TAG.match(token)
            if tag and not token.endswith("/>"):
                if tag.group(1):
                    for i in range(len(open_tags) - 1, -1, -1):
                        if open_tags[i][0] == tag.group(2):
                            del open_tags[i]
                            break
                else:
                    open_tags.append((tag.group(2), token))
            current.append(token)
            continue
        if token.startswith("&"):
            if size >= 2 * piece:
                cut()
            current.append(token)
            size += 1
            continue
        # Plain text: cut it where a sentence ends once the piece is full,
        # at a space if no sentence ends before twice that, else anywhere.
        while size + len(token) > piece:
            low, high = max(0, piece // 2 - size), max(0, 2 * piece - size)
            if high == 0:
                cut()  # full before this token: cut between tokens
                continue
            ends = [m.end() for m in _SENTENCE_END.finditer(token, low, high)]
            if ends:
                fits = [e for e in ends if e <= piece - size]
                end = fits[-1] if fits else ends[0]
            elif size + len(token) <= 2 * piece:
                break
            else:
                space = token.rfind(" ", low, high)
                end = space + 1 if space >= 0 else high
            current.append(token[:end])
            token = token[end:]
            cut()
        current.append(token)
        size += len(token)
    if current:
        pieces.append("".join(current))
    return [p for p in pieces if p.strip()] or [markup]
