"""What must stay together on a page: a heading with what follows it, a short list, a short paragraph.

Platypus's own tools (keepWithNext, KeepTogether) wrap and re-split whole
groups on every attempt, a large cost in a batch. `KeepRoom` is a
conditional page break instead: placed before a group, it measures, when
the page is being filled, how much of the group must share the page, and
starts a new page when that much does not fit (unless even a whole page
could not hold it). Measuring wraps copies, which share the paragraphs'
remembered line breaks (render.markup.CachedParagraph).
"""

from __future__ import annotations

import math

from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Spacer, Table

from .copies import twin as copy_of
from .rlprivate import list_wrap_on

# A paragraph of at most this many lines never splits across pages.
SHORT_PARAGRAPH_LINES = 4
# A list of at most this many items stays on one page.
SHORT_LIST_ITEMS = 5
# A heading keeps at least this many lines of what follows on its page.
LINES_AFTER_HEADING = 2
# The body's last page holds at least this share of a page where the
# content allows (the risk disclosure starts a new one after it).
TAIL_SHARE = 0.5
# A group (a short list, table or box, a heading with its start) moves whole
# to the next page only from a page at least this share full: a little over
# half the frame, so that no page is left under half full for it.
MOVE_WHOLE_FROM = 0.56
# In large print, a short list taller than this share of a page may break
# between its items: kept whole, it would leave up to this much of a page
# empty (large print's long items made pages 40% empty, 30 pages to
# letter's 13).
TALL_LIST_SHARE = 0.25


class KeepRoom(CondPageBreak):
    """A page break unless the start of what follows fits on this page.

    `whole` is a group (a short list) that must fit entirely, unless it is
    taller than `share` of a page; `heads` are
    headings that must keep `LINES_AFTER_HEADING` lines of what follows
    them (`after`, filled in by `link_headings`). A keeper right after a
    heading (`led`) never breaks by itself: a break there would leave the
    heading behind, so the heading's keeper makes room for both.
    """

    def __init__(self, heads: tuple[Flowable, ...] = (), whole: tuple[Flowable, ...] = (), share: float = 1.0,
                 lead: int = 0):
        super().__init__(0)
        self.heads = heads
        self.whole = whole
        # A group taller than `share` of a page keeps only its start (its
        # first `lead` flowables, an introduction, and the lines after them).
        self.share = share
        self.lead = lead
        self.after: tuple[Flowable, ...] = ()
        self.led = False
        # Shared by the shallow copies each document lays out (render.story):
        # the group's height depends only on the widths asked, and a batch
        # asks the same for every document.
        self._needed: dict[tuple[float, float, bool], float] = {}

    def wrap(self, availWidth, availHeight):  # noqa: N803 - ReportLab's signature
        frame = self._doctemplateAttr("frame")
        full = getattr(frame, "_aH", None) if frame else None
        full = full or float("inf")
        # A group that would leave this page under half full if moved whole
        # keeps only its start here, and splits by its own rules (between
        # list items, table rows, parts of a box).
        loose = full - availHeight < full * MOVE_WHOLE_FROM
        need = 0.0 if self.led else self.needed(availWidth, full, loose)
        # A group taller than a whole page starts where it is: a new page would not help.
        self.height = need if need <= full else 0.0
        return super().wrap(availWidth, availHeight)

    def needed(self, width: float, full: float, loose: bool = False) -> float:
        """The height that must fit below this point for the group to start here.

        `loose`: when the whole group cannot share a page with the headings
        above it, only its first lines (a short list then splits).
        """
        key = (width, full, loose)
        found = self._needed.get(key)
        if found is None:
            # A heading's need takes in the next heading's, and so on down a
            # run of short sections: 400 of them ran out of Python's stack.
            # A long run is measured from its far end, so that each keeper
            # finds the next one's need already known (the same values).
            run = self._run(key)
            if len(run) > _SHORT_RUN:
                for keeper in reversed(run):
                    if key not in keeper._needed:
                        keeper._needed[key] = keeper._measure(width, full, loose)
            found = self._needed[key] = self._measure(width, full, loose)
        return found

    def _run(self, key: tuple[float, float, bool]) -> list[KeepRoom]:
        """The keepers whose needs this one's may take in, nearest first, up to one already measured for `key`."""
        run: list[KeepRoom] = []
        keeper = _next_keeper(self)
        while keeper is not None and key not in keeper._needed and len(run) <= _LONG_RUN:
            run.append(keeper)
            keeper = _next_keeper(keeper)
        return run

    def _measure(self, width: float, full: float, loose: bool) -> float:
        if self.whole:
            intro = _height(self.whole[:self.lead], width)
            if not loose and self.share:
                # The share is the list's: an introduction does not make a short list tall.
                height = _height(self.whole[self.lead:], width)
                if height <= full * self.share:
                    return intro + height
            return intro + _start(self.whole[self.lead:], width, LINES_AFTER_HEADING, full, full, True)
        heads = _height(self.heads, width)
        return heads + _start(self.after, width, LINES_AFTER_HEADING, full, full - heads, loose)


# Runs of keepers up to this long are measured by recursion, as they
# always were; longer ones from their far end, in steps of at most
# _LONG_RUN (each step's recursion is then at most that deep).
_SHORT_RUN = 32
_LONG_RUN = 64


def _next_keeper(keeper: KeepRoom) -> KeepRoom | None:
    """The keeper `_start` would measure next when measuring `keeper`'s group, if it reaches that far."""
    group = keeper.whole[keeper.lead:] if keeper.whole else keeper.after
    return next((f for f in group if isinstance(f, KeepRoom) and (f.whole or f.heads)), None)


def _height(flowables, width: float) -> float:
    """The height of `flowables` stacked, with the space between them."""
    total = 0.0
    for flowable in flowables:
        twin = copy_of(flowable)
        if isinstance(twin, KeepTogether):  # its wrap wants a canvas; its content's does not
            h = list_wrap_on(twin._content, width, None)[1]
        else:
            _, h = twin.wrap(width, 1e6)
        # Space before counts even for the first: nothing here starts a page.
        total += h + twin.getSpaceBefore() + twin.getSpaceAfter()
    return total


def _start(flowables, width: float, lines: int, full: float, room: float, loose: bool) -> float:
    """The height of the first `lines` lines of `flowables` (whole short lists and paragraphs)."""
    total = 0.0
    for flowable in flowables:
        if lines <= 0:
            break
        if isinstance(flowable, KeepRoom):
            # A short list comes whole, a subheading with its own lines;
            # loosely when that much cannot fit below the headings.
            if flowable.whole or flowable.heads:
                need = flowable.needed(width, full, loose)
                if not loose and total + need > room:
                    need = flowable.needed(width, full, True)
                return total + need
            continue
        if isinstance(flowable, CondPageBreak) or not hasattr(flowable, "wrap"):
            continue
        twin = copy_of(flowable)
        _, h = twin.wrap(width, 1e6)
        space = twin.getSpaceBefore()
        if isinstance(twin, Spacer) or not (isinstance(twin, (Paragraph, Table))
                                            or hasattr(twin, "nested_flowables")):
            total += h  # spacing and rules: room, but no lines of text
        elif isinstance(twin, Paragraph):
            count = len(getattr(twin.blPara, "lines", ())) or 1
            if count <= SHORT_PARAGRAPH_LINES or count <= lines:
                total += space + h + twin.getSpaceAfter()
                lines -= count
            else:
                total += space + lines * twin.style.leading
                lines = 0
        elif isinstance(twin, Table):
            # The header and the first row: a table starts no lower.
            rows = getattr(twin, "_rowHeights", None) or [h]
            total += space + sum(rows[: (twin.repeatRows or 0) + 1])
            lines = 0
        else:
            leading = _leading(twin)
            total += space + min(h, lines * leading + _padding(twin))
            lines -= max(1, math.ceil(h / leading))
    return total


def _leading(flowable: Flowable) -> float:
    for inner in getattr(flowable, "nested_flowables", lambda: ())():
        style = getattr(inner, "style", None)
        if style is not None:
            return style.leading
    return 14.0


def _padding(flowable: Flowable) -> float:
    return 2 * getattr(flowable, "pad", 0.0)


class TailBreak(CondPageBreak):
    """A place near the body's end where a page may break: breaks where the last two pages come out most even.

    `plan` holds, for every such place in order, the height of everything
    after it (`keep_tail`); this one is `plan[index]`. Laid out where the
    rest does not fit, it weighs a break here against a break at each later
    place the page can still reach, and against no break (the page fills
    and the rest runs over), by the emptier of this page and the next, and
    breaks if here is best. The later places, reached when this one did not
    break, weigh the same figures and agree.
    """

    def __init__(self, plan: list[float], index: int, full: float):
        super().__init__(0)
        self.plan, self.index, self.full = plan, index, full

    def wrap(self, availWidth, availHeight):  # noqa: N803 - ReportLab's signature
        self.height = availHeight + 1 if self._breaks_here(availHeight) else 0.0
        return super().wrap(availWidth, availHeight)

    def _breaks_here(self, room: float) -> bool:
        rest = self.plan[self.index]
        if rest <= room or room >= self.full - 1 or rest - room > self.full:
            return False  # it fits; a break at a page's top helps nothing; or pages more to come
        used = self.full - room
        best, best_at = min(self.full, rest - room), None  # no break: this page fills
        for at in range(self.index, len(self.plan)):
            before = rest - self.plan[at]
            if before > room:
                break  # this page cannot reach that place
            even = min(used + before, self.plan[at])
            if even > best + 0.01:
                best, best_at = even, at
        return best_at == self.index


def keep_tail(flowables: list[Flowable], width: float, full: float, share: float = TAIL_SHARE) -> list[Flowable]:
    """Let the body's last pages break where they come out most even (in place; returned).

    Placed before a forced page break, so that the page before it is not
    nearly empty, nor the one before that: a TailBreak goes at every place
    in the last two pages' worth of `flowables` where a break parts nothing
    the keeping rules hold together (a keeper from what it keeps, a heading
    from what it heads, a short list or box), at least `share` of a page
    from the end.
    """
    heights = [0.0 if isinstance(f, CondPageBreak) else _height((f,), width) for f in flowables]
    rest = [0.0] * (len(flowables) + 1)
    for index in range(len(flowables) - 1, -1, -1):
        rest[index] = rest[index + 1] + heights[index]
    inside: set[int] = set()  # places inside a group kept whole
    for index, flowable in enumerate(flowables):
        if isinstance(flowable, KeepRoom) and flowable.whole:
            end = index + 1 + len(flowable.whole)
            kept = end
            if sum(heights[index + 1:end]) > flowable.share * full:
                # A list too tall to keep whole keeps only its start (its
                # introduction and first lines): it may break after that.
                kept = min(end, index + 1 + flowable.lead + LINES_AFTER_HEADING)
            inside.update(range(index + 1, kept))
    places = [at for at in range(1, len(flowables))
              if share * full <= rest[at] <= 2 * full and at not in inside
              and not isinstance(flowables[at - 1], CondPageBreak) and not _heads(flowables, at - 1)]
    plan = [rest[at] for at in places]
    for index in range(len(places) - 1, -1, -1):
        flowables.insert(places[index], TailBreak(plan, index, full))
    return flowables


def _heads(flowables: list[Flowable], index: int) -> bool:
    """Whether flowables[index] is a heading: a heading's keeper comes just before it.

    (The story holds copies of the keepers, whose `heads` are the originals.)
    """
    keeper = flowables[index - 1] if index > 0 else None
    return isinstance(keeper, KeepRoom) and bool(keeper.heads)


def link_headings(flowables: list[Flowable]) -> list[Flowable]:
    """Give each heading keeper in `flowables` the flowables that follow it (in place; returned)."""
    for index, flowable in enumerate(flowables):
        if isinstance(flowable, KeepRoom) and flowable.heads:
            start = index + 1 + len(flowable.heads)
            if not flowable.after:
                flowable.after = tuple(flowables[start:start + 8])
            if start < len(flowables) and isinstance(flowables[start], KeepRoom):
                flowables[start].led = True
    return flowables


class SignedPageTooLong(Exception):
    """The acknowledgment and signatures are taller than a page: printed, they would split.

    `points` is how far they run over; the builder reports it with lint's
    `consent-too-long` message (the renderer does not word lint's findings).
    """

    def __init__(self, points: float):
        super().__init__(f"the signed page runs {points:.1f} pt over one page")
        self.points = points


class SignedPage(KeepTogether):
    """The acknowledgment and the signature lines: on one page, or not printed at all.

    Platypus's KeepTogether splits a group taller than a page across pages;
    a consent with its signatures on another page than what was signed for
    must never print. Checked on every copy as it is laid out, whatever its
    patient's name or title, so nothing splits that lint's measure missed.
    """

    def split(self, aW, aH):  # noqa: N803 - ReportLab's signature
        if getattr(self, "_wrapInfo", None) != (aW, aH):
            self.wrap(aW, aH)
        frame = getattr(self, "_frame", None)
        if frame is not None:
            page = frame._y2 - frame._topPadding - frame._y1p
            if self._H > page + 1e-6:
                raise SignedPageTooLong(self._H - page)
        return super().split(aW, aH)
