"""Flowables of the signed consent: lines the clinic fills in by hand."""

from __future__ import annotations

from reportlab.platypus import Flowable

from .markup import TaggedParagraph, escape
from .tagging import TaggedFlowable, artifact, tagged
from .typography import keep_phones_whole


class WriteInLines(TaggedFlowable, Flowable):
    """A labelled line to write on for each label, e.g. "Price quoted: ______".

    A short label (up to 60% of the width) sits at the start of its line
    and the rule runs to the right margin; a label too wide for that gets
    the full width on a line of its own, with the rule under it. Either way
    there is room for a hand to write above the rule: the body size and
    14 pt more.

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
            _, one_line = label.wrap(availWidth * 0.6, availHeight)
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
        # Room above the rule to write by hand: a wide-ruled line's third of
        # an inch and the text's own size (large print's writers write larger).
        room = self.size + 14
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


class DecisionBoxes(TaggedFlowable, Flowable):
    """The signer's choice: an empty box before each option, to mark one by hand.

    The boxes are drawn squares (a glyph such as U+2610 is missing from
    many fonts and prints too small to mark), a little taller than the
    text's capitals, each beside the first line of its option. Tagged as a
    list (`L`): each option an `LI` whose label (`Lbl`) is the box, a
    `Figure` a screen reader names ("Empty check box"), and whose body
    (`LBody`) is the option's words.
    """

    pdf_role = "L"
    pdf_group = True

    def __init__(self, choices: list[str], style, size: float, alt: str):
        super().__init__()
        self.choices = [TaggedParagraph(escape(choice), style) for choice in choices]
        self.size = size
        self.alt = alt
        self.side = size * 1.25
        self.indent = self.side + size * 0.6
        self.gap = size * 0.6

    def nested_flowables(self) -> list[Flowable]:
        """The option paragraphs drawn beside the boxes."""
        return list(self.choices)

    def wrap(self, availWidth, availHeight):  # noqa: N803 - ReportLab's signature
        self.width = availWidth
        self.height = 0.0
        for index, choice in enumerate(self.choices):
            _, height = choice.wrap(availWidth - self.indent, availHeight)
            self.height += max(height, self.side) + (self.gap if index else 0)
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        y = self.height
        for index, choice in enumerate(self.choices):
            if index:
                y -= self.gap
            height = max(choice.height, self.side)
            first_line = choice.style.leading
            with tagged(canvas, "LI", group=True):
                with tagged(canvas, "Lbl", group=True), tagged(canvas, "Figure", alt=self.alt):
                    canvas.saveState()
                    canvas.setStrokeColorRGB(0, 0, 0)
                    canvas.setLineWidth(1.2)
                    # Centred on the option's first line of text.
                    bottom = y - first_line / 2 - self.side / 2 + choice.style.fontSize * 0.05
                    canvas.rect(0, bottom, self.side, self.side, stroke=1, fill=0)
                    canvas.restoreState()
                with tagged(canvas, "LBody", group=True):
                    choice.drawOn(canvas, self.indent, y - choice.height)
            y -= height


class WriteLines(Flowable):
    """Blank lines to write on, full width: what a body's line of underscores (`___`) prints.

    Consecutive `___` lines are one flowable, kept on one page. The rules
    are artifacts: there is nothing for a screen reader to read.
    """

    def __init__(self, size: float, count: int = 1):
        super().__init__()
        self.size = size
        self.count = count

    def wrap(self, availWidth, availHeight):  # noqa: N803 - ReportLab's signature
        # The room WriteInLines leaves above each rule, and a little below the last.
        self.width, self.height = availWidth, self.count * (self.size + 14) + self.size * 0.5
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        with artifact(canvas):
            canvas.setStrokeColorRGB(0, 0, 0)
            canvas.setLineWidth(0.8)
            for index in range(self.count):
                y = self.height - (index + 1) * (self.size + 14)
                canvas.line(0, y, self.width, y)
