"""A boxed callout: what a Markdown blockquote prints as.

Key points and warnings ("call 911") stand out in a box in the brand's
colours: a tinted background, a bar of the primary colour down the left and
a thin frame. A short box never splits; one taller than the space left on a
page splits between (or inside) its paragraphs, each part boxed.
"""

from __future__ import annotations

from reportlab.lib.colors import toColor
from reportlab.platypus import Flowable

from .tagging import TaggedFlowable, artifact


class Callout(TaggedFlowable, Flowable):
    """Flowables drawn inside a tinted, framed box: a Div whose content tags itself, the box an artifact.

    A Div, not a BlockQuote: a box is a point the handout makes (a screen
    reader would announce a BlockQuote as a quotation); its heading, when it
    has one, is the H3 it starts with.
    """

    pdf_role = "Div"
    pdf_group = True

    def __init__(self, content: list[Flowable], *, fill: str, edge: str, pad: float, bar: float):
        super().__init__()
        self.content = content
        self.fill, self.edge, self.pad, self.bar = fill, edge, pad, bar
        self._sizes: list[tuple[float, float]] = []

    def __copy__(self) -> Callout:
        # Layout marks flowables, so each document lays out copies of the content.
        import copy

        twin = object.__new__(type(self))
        twin.__dict__.update(self.__dict__)
        twin.content = [copy.copy(f) for f in self.content]
        twin._sizes = []
        return twin

    def nested_flowables(self) -> list[Flowable]:
        """The flowables inside the box."""
        return list(self.content)

    def _inner(self, width: float) -> float:
        return width - self.bar - 2 * self.pad

    def wrap(self, availWidth, availHeight):  # noqa: N803 - ReportLab's signature
        inner = self._inner(availWidth)
        self._sizes = []
        height = 2 * self.pad
        for index, flowable in enumerate(self.content):
            w, h = flowable.wrap(inner, availHeight)
            before = flowable.getSpaceBefore() if index else 0
            after = flowable.getSpaceAfter() if index < len(self.content) - 1 else 0
            self._sizes.append((h, before + after))
            height += h + before + after
        self.width, self.height = availWidth, height
        return self.width, self.height

    def split(self, availWidth, availHeight):  # noqa: N803 - ReportLab's signature
        self.wrap(availWidth, availHeight)
        if self.height <= availHeight:
            return []
        inner = self._inner(availWidth)
        room = availHeight - 2 * self.pad
        first: list[Flowable] = []
        rest = list(self.content)
        while rest:
            flowable = rest[0]
            w, h = flowable.wrap(inner, room)
            space = (flowable.getSpaceBefore() if first else 0) + flowable.getSpaceAfter()
            if h + space <= room:
                first.append(rest.pop(0))
                room -= h + space
                continue
            parts = flowable.split(inner, room - (flowable.getSpaceBefore() if first else 0))
            if len(parts) >= 2:
                first.append(parts[0])
                rest = list(parts[1:]) + rest[1:]
            break
        if not first or not rest:
            return []
        return [self._part(first), self._part(rest)]

    def _part(self, content: list[Flowable]) -> Callout:
        part = Callout(content, fill=self.fill, edge=self.edge, pad=self.pad, bar=self.bar)
        # Both parts are one Div in the structure tree.
        if self.pdf_key is None:
            self.pdf_key = object()
        part.pdf_key, part.pdf_parents = self.pdf_key, self.pdf_parents
        return part

    def draw(self) -> None:
        canvas = self.canv
        with artifact(canvas):
            canvas.saveState()
            canvas.setFillColor(toColor(self.fill))
            canvas.setStrokeColor(toColor(self.edge))
            canvas.setLineWidth(0.75)
            canvas.rect(0, 0, self.width, self.height, stroke=1, fill=1)
            canvas.setFillColor(toColor(self.edge))
            canvas.rect(0, 0, self.bar, self.height, stroke=0, fill=1)
            canvas.restoreState()
        y = self.height - self.pad
        x = self.bar + self.pad
        for index, (flowable, (h, space)) in enumerate(zip(self.content, self._sizes)):
            if index:
                y -= flowable.getSpaceBefore()
            y -= h
            flowable.drawOn(canvas, x, y)
            y -= flowable.getSpaceAfter() if index < len(self.content) - 1 else 0
