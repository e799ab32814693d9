"""Flowables of the signed consent: lines the clinic fills in by hand."""

from __future__ import annotations

from reportlab.platypus import Flowable

from .markup import TaggedParagraph, escape
from .tagging import TaggedFlowable, artifact
from .typography import keep_phones_whole


class WriteInLines(TaggedFlowable, Flowable):
    """A labelled line to write on for each label, e.g. "Price quoted: ______".

    A short label sits at the start of its line and the rule runs to the
    right margin; a label too wide for that gets the full width on a line of
    its own, with the rule under it. Either way there is room for a hand to
    write: a line's height is at least twice the body size.

    Tagged as a Div of label paragraphs; the rules are artifacts.
    """

    pdf_role = "Div"
    pdf_group = True

    def __init__(self, labels: list[str], style, size: float):
        super().__init__()
        self.labels = [TaggedParagraph(f"<b>{escape(keep_phones_whole(label))}:</b>", style) for label in labels]
        self.size = size

    def nested_flowables(self) -> list[Flowable]:
        """The label paragraphs drawn inside the block."""
        return list(self.labels)

    def wrap(self, availWidth, availHeight):  # noqa: N803 - ReportLab's signature
        self.width = availWidth
        self._rows = []
        height = 0.0
        for label in self.labels:
            # Short labels share the line with the rule.
            _, one_line = label.wrap(availWidth * 0.45, availHeight)
            if len(label.blPara.lines) == 1:
                used = label.getActualLineWidths0()[0]
                row = (label, used + self.size * 0.5, one_line)
            else:
                _, full = label.wrap(availWidth, availHeight)
                row = (label, None, full)
            self._rows.append(row)
            height += self._row_height(row)
        self.height = height
        return self.width, self.height

    def _row_height(self, row) -> float:
        label, rule_x, label_height = row
        room = self.size * 2.2  # room above the rule to write by hand
        return max(room, label_height + self.size * 0.6) if rule_x is not None else label_height + room

    def draw(self) -> None:
        canvas = self.canv
        canvas.setStrokeColorRGB(0, 0, 0)
        canvas.setLineWidth(0.8)
        y = self.height
        for row in self._rows:
            label, rule_x, label_height = row
            bottom = y - self._row_height(row)
            rule_y = bottom + self.size * 0.3
            if rule_x is not None:
                label.drawOn(canvas, 0, rule_y + self.size * 0.15)
                with artifact(canvas):
                    canvas.line(rule_x, rule_y, self.width, rule_y)
            else:
                label.drawOn(canvas, 0, y - label_height)
                with artifact(canvas):
                    canvas.line(0, rule_y, self.width, rule_y)
            y = bottom
