"""A section body's block tokens, parsed in pieces that documents share.

A batch reads again, for every document, the sections that name the
provider (their text differs), though most of such a section is the same
each time. `body_tokens` parses a body in pieces that CommonMark reads
alone exactly as within the whole, and keeps each piece's tokens for the
process, so a document parses only the pieces that differ (the paragraph
with the provider's name, say).

A piece ends at a blank line followed by a line that starts at the margin
with a character that cannot carry on anything above it: not a list
marker (a list goes on after a blank line with its next item), not a
quote's `>`, not an indented line (a list item's continuation, indented
code). Every block that is open at such a line ends there, as it would at
the end of the text: a paragraph, a list, a quote, a table or indented code
ends at the blank line and the line after it begins the next block at the
top level. Two things break that and make a body parse whole: link
reference definitions (any block may use them), and fenced code (its
blank lines and margin lines are its own text).

The inline tokens are left empty (load.commonmark.block_parser), and
line maps count from the start of their piece.
"""

from __future__ import annotations

import re

from ..load.commonmark import block_parser
from .sharing import shared_cache

# After a blank line, a line at the margin that starts no list item and no
# quote (digits: "1." could start an ordered list; kept together too).
_PIECE_END = re.compile(r"\n[ \t]*\n(?=[^\s>+*\-0-9])")
_FENCE = re.compile(r"^[ \t]*(```|~~~)", re.MULTILINE)


def split_pieces(text: str) -> list[str] | None:
    """`text` cut where CommonMark reads each piece alone as within the whole (see above), or None.

    None for a body that must be read whole (fenced code, a carriage
    return or NUL, which the parser rewrites first). A piece that defines
    link references is the caller's to check: any piece may use them.
    """
    if "\r" in text or "\0" in text or _FENCE.search(text):
        return None
    pieces, start = [], 0
    for match in _PIECE_END.finditer(text):
        pieces.append(text[start:match.end()])
        start = match.end()
    pieces.append(text[start:])
    return pieces


def body_tokens(text: str, env: dict) -> list:
    """The block tokens of a Markdown body, as `block_parser().parse(text, env)` gives them.

    Read them, never change them: pieces are shared by every body they
    occur in. `env` gets the link references when the body defines any.
    """
    cut = split_pieces(text)
    if cut is not None:
        pieces = [_piece(piece) for piece in cut]
        if not any(references for _, references in pieces):
            return [token for tokens, _ in pieces for token in tokens]
    return block_parser().parse(text, env)


# A batch's bodies have a few hundred pieces; the ones naming a provider
# pass through once and fall out (render.sharing).
@shared_cache(maxsize=1024)
def _piece(text: str) -> tuple[tuple, bool]:
    env: dict = {}
    tokens = tuple(block_parser().parse(text, env))
    return tokens, bool(env.get("references"))
