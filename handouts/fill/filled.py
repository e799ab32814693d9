"""A handout with its templates filled in for one reader: what gets printed.

This is the boundary between content and rendering: everything here is
final text (Markdown for bodies, plain text otherwise), and the renderer
needs nothing else from the content files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..load.pictures import Picture
from .catalog import Messages, messages


@dataclass(frozen=True)
class FilledReference:
    """A reference entry as printed."""

    text: str | None
    url: str | None
    language: str | None = None  # the language it is written in, when not the handout's


@dataclass(frozen=True)
class FilledSection:
    """A section as printed: heading, Markdown body, references."""

    kind: str
    title: str
    body: str
    references: tuple[FilledReference, ...]
    # The pictures the body shows, checked and read when the handout loaded.
    pictures: tuple[Picture, ...] = ()
    # Lines to write on after the body (see Section.write_in).
    write_in: int = 0


@dataclass(frozen=True)
class FilledDecision:
    """The signer's choice as printed: the two boxes' words and the lines saying what is done."""

    yes: str
    no: str
    fill_in: tuple[str, ...] = ()


@dataclass(frozen=True)
class FilledHandout:
    """Everything one printed handout says, in order."""

    id: str
    version: str
    reviewed: dt.date
    review_due: dt.date | None
    language: str
    title: str
    subtitle: str | None
    sections: tuple[FilledSection, ...]
    disclosure: FilledSection
    acknowledgment: str | None
    provider_name: str | None
    provider_credentials: str | None
    provider_phone: str | None
    patient_name: str | None
    # Labels of the disclosure's write-in lines, in order.
    fill_in: tuple[str, ...] = ()
    # The decision the signer marks; a disclosure that declares none (lint's
    # decision-missing, printed only past it) gets the catalogue's wording.
    decision: FilledDecision | None = None
    # The fixed texts (labels, footer, page numbers) in the handout's language.
    messages: Messages = field(default_factory=messages)

    def choice(self) -> FilledDecision:
        """The decision the signer marks: the handout's own, else the catalogue's words.

        A disclosure that declares none is lint's decision-missing error; a
        handout printed past it still asks for a decision.
        """
        return self.decision or FilledDecision(yes=self.messages["decision_yes"], no=self.messages["decision_no"])
