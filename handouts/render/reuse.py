"""Drawing once what every document of a batch prints the same way.

A batch prints one handout per provider, and most of its paragraphs are the
same in every copy. Drawing a paragraph (splitting text by font subset,
formatting every line's operators) is the largest cost of a document, yet
its result depends only on the paragraph's lines and on which byte each
character has in the document's embedded font subsets.

That second part is what `FontPlan` pins down. ReportLab hands out subset
bytes in the order characters are first drawn, so a provider's name on the
cover would shift the bytes of every later page. A plan gives every
character of the shared text its byte before anything is drawn, in a fixed
order, so those bytes are the same in every document built from the same
inputs.

`Recorder` then draws a paragraph once on a scratch canvas whose fonts hold
exactly the plan and are frozen: a paragraph that needs any character
outside the plan (a provider's name, say) fails there and is drawn normally
instead, so a recording is only ever replayed where it is byte-for-byte
what drawing would have produced. Links are not drawing but annotations of
the page; the scratch canvas records the calls that make them, and a
replay makes them again.

A recording holds no marked-content ids: it keeps each text object apart
from the rest, with its links' words between marks (render.textmarks), so
the page canvas marks a replay exactly as it marks a drawing, with this
page's ids. Its underlines are artifacts already, which need no id.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFError
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from .textmarks import Decorations


@dataclass(frozen=True)
class FontPlan:
    """Characters to assign subset bytes to, per font, before drawing anything.

    `faces` is ((font name, characters), ...) in the order the fonts are
    registered with a document, which fixes their names (/F1, /F2, ...) too.
    """

    faces: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, texts: Iterable[tuple[str, str]]) -> FontPlan:
        """A plan for (font name, text) pairs: each font's characters, sorted."""
        chars: dict[str, set[str]] = {}
        for font, text in texts:
            if text:
                chars.setdefault(font, set()).update(text)
        return cls(tuple((font, "".join(sorted(chars[font]))) for font in sorted(chars)))

    def apply(self, doc, *, freeze: bool = False) -> None:
        """Register the fonts with `doc` and assign their characters' bytes.

        With `freeze`, any character outside the plan drawn later on this
        document raises ReportLab's PDFError instead of getting a byte.
        """
        for name, chars in self.faces:
            font = pdfmetrics.getFont(name)
            font.splitString(chars, doc)
            font.getSubsetInternalName(0, doc)
            if freeze:
                font.state[doc].frozen = 1


def paragraph_texts(flowables: Iterable) -> list[tuple[str, str]]:
    """(font name, text) of every paragraph in `flowables`, nested ones included."""
    found: list[tuple[str, str]] = []
    pending = list(flowables)
    while pending:
        flowable = pending.pop()
        if isinstance(flowable, Paragraph):
            for frag in flowable.frags:
                text = getattr(frag, "text", "")
                if text:
                    found.append((frag.fontName, text))
            if flowable.bulletText:
                found.append((flowable.style.bulletFontName, flowable.bulletText))
        pending.extend(getattr(flowable, "nested_flowables", lambda: ())())
        pending.extend(getattr(flowable, "_content", ()))  # KeepTogether's
    return found


class Recorder:
    """Draws paragraphs on a scratch canvas whose fonts hold only the plan.

    One per plan and canvas setup, kept for the process; the drawings it
    returns are cached by the paragraphs themselves (see markup).
    """

    def __init__(self, plan: FontPlan, canvas_options: tuple[tuple[str, object], ...]):
        self.plan = plan
        self._options = dict(canvas_options)
        self._scratch = None

    def _canvas(self):
        if self._scratch is None:
            scratch = _ScratchCanvas(io.BytesIO(), **self._options)
            self.plan.apply(scratch._doc, freeze=True)
            self._scratch = scratch
        return self._scratch

    def record(self, draw: Callable, state: tuple) -> Recording | None:
        """What `draw(canvas)` does to a page whose text state is `state` (see text_state),
        or None if it needs more than the plan."""
        canvas = self._canvas()
        # ReportLab has no public reader for the page being written; this
        # canvas is private to the recorder and nothing else writes to it.
        code = canvas._code
        start = len(code)
        canvas.annotations = []
        canvas.texts = []
        # The page's text state, which a paragraph's text objects begin in
        # (what their first operators depend on), without drawing anything:
        # a paragraph after a smaller footer's or header's font is recorded
        # for that state rather than drawn again in every document.
        default = text_state(canvas)
        _set_text_state(canvas, state)
        try:
            draw(canvas)
        except PDFError:
            # A character outside the plan (the frozen fonts refuse it), and
            # the canvas is left mid-drawing: start a fresh one next time.
            self._scratch = None
            return None
        except BaseException:
            # Anything else (Ctrl-C, a bug) also leaves it mid-drawing; a
            # batch goes on to other documents, which must not inherit that.
            self._scratch = None
            raise
        _set_text_state(canvas, default)
        parts: list[tuple[bool, str]] = []
        at = start
        for index in canvas.texts:  # positions in code of whole text objects
            if index > at:
                parts.append((False, "\n".join(code[at:index])))
            parts.append((True, code[index]))
            at = index + 1
        if len(code) > at:
            parts.append((False, "\n".join(code[at:])))
        del code[start:]
        return Recording(tuple(parts), tuple(canvas.annotations))


@dataclass(frozen=True)
class Recording:
    """A paragraph's drawing: its page operators, and the links it puts on the page.

    `parts` are (is a text object, operators), in drawing order. Links are
    annotations of the page, not operators, so they are kept as the canvas
    calls that make them and made again on each page; their rectangles are
    relative to where the paragraph is drawn.
    """

    parts: tuple[tuple[bool, str], ...]
    annotations: tuple[tuple[str, tuple, dict], ...]

    def replay(self, canvas) -> None:
        """Put this drawing on `canvas` (the page canvas) where the paragraph is being drawn."""
        canvas.draw_parts(self.parts)
        for method, args, kwargs in self.annotations:
            getattr(canvas, method)(*args, **kwargs)

    def place(self, canvas, x: float, y: float) -> None:
        """Put this drawing (one without links) on `canvas` at (x, y), as Flowable.drawOn would.

        The operators drawOn writes around a replay (q, a translation to
        where the paragraph goes, Q), without the canvas's saving and
        restoring its state: a replay changes none of it, and that was a
        tenth of drawing a batch document.
        """
        code = canvas._code
        code.append("q")
        code.append(f"{fp_str(1, 0, 0, 1, x, y)} cm")  # Canvas.translate, as it writes it after a q
        canvas.draw_parts(self.parts)
        code.append("Q")


class _ScratchCanvas(Decorations, Canvas):
    """Records the link and bookmark calls a drawing makes instead of making them,
    and where its text objects are; a paragraph's text objects keep their link
    marks for the page canvas (render.textmarks)."""

    resolves_text_marks = True

    annotations: list
    texts: list

    def drawText(self, aTextObject):  # noqa: N802, N803 - ReportLab's names
        super().drawText(aTextObject)
        self.texts.append(len(self._code) - 1)

    def linkURL(self, *args, **kwargs):
        self.annotations.append(("linkURL", args, kwargs))

    def linkRect(self, *args, **kwargs):
        self.annotations.append(("linkRect", args, kwargs))

    def bookmarkHorizontal(self, *args, **kwargs):
        self.annotations.append(("bookmarkHorizontal", args, kwargs))


def text_state(canvas) -> tuple:
    """The canvas state a paragraph's text objects inherit when they begin."""
    # PDFTextObject copies these private attributes of the canvas itself.
    return (canvas._fontname, canvas._fontsize, canvas._leading)


def _set_text_state(canvas, state: tuple) -> None:
    """Give the scratch canvas the text state `state` (text_state), as the page canvas has it."""
    canvas._fontname, canvas._fontsize, canvas._leading = state


@lru_cache(maxsize=8)
def recorder(plan: FontPlan, canvas_options: tuple[tuple[str, object], ...]) -> Recorder:
    """The process's recorder for one plan and canvas setup."""
    return Recorder(plan, canvas_options)
