"""Lines to write on after a section: a question list's answers, a patient's notes."""

from __future__ import annotations

from reportlab.platypus import Flowable

from .keeping import KeepRoom
from .markup import TaggedParagraph, escape
from .tagging import artifact


class WriteLine(Flowable):
    """One ruled line with room above it for handwriting (twice the body size and more).

    Page furniture to a screen reader: the rule is an artifact, and the
    label above the lines says what they are for.
    """

    def __init__(self, size: float):
        super().__init__()
        self.size = size

    def wrap(self, availWidth, availHeight):  # noqa: N803 - ReportLab's signature
        self.width, self.height = availWidth, self.size * 2.2
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        with artifact(canvas):
            canvas.setStrokeColorRGB(0, 0, 0)
            canvas.setLineWidth(0.6)
            canvas.line(0, self.size * 0.3, self.width, self.size * 0.3)


def write_in_lines(label: str, count: int, style, size: float) -> list[Flowable]:
    """`count` lines under `label`; the label keeps its first two lines on its page, the rest may break."""
    head = TaggedParagraph(f"<b>{escape(label)}</b>", style)
    lines = [WriteLine(size) for _ in range(count)]
    return [KeepRoom(whole=(head, *lines[:2])), head, *lines]
