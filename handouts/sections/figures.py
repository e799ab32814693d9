"""Pictures in section bodies: `![alt text](images/knee.png "caption")`, checked as the handout loads.

Each picture must be a PNG or JPEG file inside the handout's folder (the
folder of handout.yaml; `--allow-outside` does not open this fence), named
by a relative path, with alt text, alone in its paragraph. The file is read
once here, through the project's bounded reader, and its bytes travel with
the section: the renderers never open a file a body names.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from ..errors import Problem, display_path
from ..load.pictures import Picture, PictureError, ReadError, read_picture
from ..load.commonmark import checked_tokens
from .model import FigureUse, SourceText

# Anything with a scheme (http:, data:, file:, C:) or a network path (//host).
_URL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.\-]*:|//|\\\\)")
_TEMPLATE = ("{{", "{%", "{#")
# A picture (or a reference definition) whose address holds a template field
# with spaces: Markdown reads it as text, but filled in it becomes a picture.
_TEMPLATED = re.compile(r"!\[[^\]]*\]\([^)]*\{[{%#]|^\s*\[[^\]]+\]:\s*<?[^\s>]*\{[{%#]")


class _Found:
    """Pictures read so far for one handout, by resolved path: each file is read once."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.fence = folder.resolve()
        self.files: dict[Path, Picture | str] = {}


def finder(folder: Path) -> _Found:
    """A picture finder for the handout whose manifest is in `folder`."""
    return _Found(folder)


def find_figures(src: SourceText, found: _Found, problems: list[Problem], *,
                 allowed: bool = True) -> tuple[FigureUse, ...]:
    """The pictures a Markdown body shows, each checked; every problem is added to `problems`.

    `allowed` False (the acknowledgment a patient signs) makes any picture a problem.
    """
    if not src.markdown or "![" not in src.text and "]:" not in src.text:
        return ()
    uses: list[FigureUse] = []
    lines = src.text.split("\n")
    shown = display_path(src.path)
    reported: set[int] = set()
    containers: list[str] = []
    # The checks' parser (every address kept as a link or picture, so a
    # `file:` or `javascript:` picture is reported instead of printed as
    # text); the body's tokens are shared with its other checks.
    tokens = checked_tokens(src.text)
    for index, token in enumerate(tokens):
        if token.type.endswith("_open") and token.nesting == 1 and token.type.split("_")[0] in (
                "bullet", "ordered", "table", "blockquote"):
            containers.append(token.type.split("_")[0])
        elif token.type.endswith("_close") and token.type.split("_")[0] in ("bullet", "ordered", "table",
                                                                             "blockquote"):
            containers.pop()
        if token.type != "inline":
            continue
        images = [c for c in token.children or () if c.type == "image"]
        if not images:
            continue
        first, last = token.map or (0, 1)
        for image in images:
            address = str(image.attrGet("src") or "")
            path_text = unquote(address)
            offset = next((n + 1 for n in range(first, min(last, len(lines)))
                           if path_text and (path_text in lines[n] or address in lines[n])), first + 1)
            line = src.where(offset, path_text or None)

            def fail(message: str) -> None:
                reported.add(line)
                problems.append(Problem(shown, line, f"{src.field}: picture '{path_text[:200]}' {message}"))

            alt = " ".join(image.content.split())
            caption = " ".join(str(image.attrGet("title") or "").split()) or None
            if not allowed:
                fail("cannot be in the acknowledgment: it is the text a patient signs; put pictures in a section")
                continue
            if any(mark in text for text in (alt, path_text, caption or "") for mark in _TEMPLATE):
                fail("uses a template field; a picture's file name, alt text and caption must be written out")
                continue
            if not alt:
                fail("has no alt text: say in a few words what it shows, between the brackets: "
                     "![Drawing of a knee joint](images/knee.png)")
                continue
            refused = _refused(path_text) or _placement(token, tokens[index - 1] if index else None, containers)
            if refused:
                fail(refused)
                continue
            picture = _picture(path_text, address, found, fail)
            if picture is not None:
                uses.append(FigureUse(picture=picture, alt=alt, caption=caption, line=line, field=src.field))
    for number, text in enumerate(lines, start=1):
        line = src.where(number, text.strip()[:40] or None)
        if _TEMPLATED.search(text) and line not in reported:
            problems.append(Problem(shown, line, f"{src.field}: a picture's address uses a template field; a "
                                                 "picture's file name, alt text and caption must be written out"))
    return tuple(uses)


def _placement(inline, before, containers: list[str]) -> str | None:
    """Why a picture cannot print where it stands, or None."""
    if "bullet" in containers or "ordered" in containers or "table" in containers or before is None \
            or before.type != "paragraph_open":
        return ("is in a list, a table or a heading; put it on a line of its own between paragraphs "
                "(or inside a > box)")
    rest = [c for c in inline.children if c.type not in ("softbreak", "hardbreak")
            and not (c.type == "text" and not c.content.strip())]
    if len(rest) != 1:
        return "must stand alone: put it on a line of its own, with a blank line before and after"
    return None


def _refused(path_text: str) -> str | None:
    """Why an address can never name a picture (a URL, an absolute path, nothing), or None."""
    if not path_text.strip():
        return "names no file; write the path of a PNG or JPEG in the handout's folder, such as images/knee.png"
    if _URL.match(path_text):
        scheme = path_text.split(":", 1)[0] + ":" if ":" in path_text[:20] else "//"
        return (f"is a web address or other URL ({scheme}); pictures are never fetched: save it as a PNG or "
                f"JPEG in the handout's folder and name that file")
    if path_text.startswith("/") or Path(path_text).is_absolute():
        return "is an absolute path; name it relative to the handout's folder, such as images/knee.png"
    return None


def _picture(path_text: str, address: str, found: _Found, fail) -> Picture | None:
    """The checked picture at a relative address, read once per handout; None after `fail(reason)`."""
    resolved = (found.folder / path_text).resolve()
    if not resolved.is_relative_to(found.fence):
        fail(f"leads outside the handout's folder {found.fence.name}/ (through '..' or a link); "
             "copy the picture into the folder")
        return None
    known = found.files.get(resolved)
    if known is None:
        try:
            known = read_picture(address, resolved)
        except ReadError as exc:
            known = f"cannot be read: {exc.problem.message}"
        except PictureError as exc:
            known = str(exc)
        found.files[resolved] = known
    if isinstance(known, str):
        fail(known)
        return None
    if known.src != address:  # the same file written another way: key it as written here
        known = Picture(src=address, path=known.path, data=known.data, format=known.format,
                        width_px=known.width_px, height_px=known.height_px)
    return known
