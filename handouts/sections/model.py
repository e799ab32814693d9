"""The validated, immutable model of a handout and its sections."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..load.pictures import Picture

SECTION_KINDS = (
    "how_it_works",
    "benefits",
    "side_effects",
    "alternatives",
    "lifestyle",
    "cost",
    "evidence",
    "when_to_call",
    "questions",
    "other",
)
RISK_DISCLOSURE_KIND = "risk_disclosure"


@dataclass(frozen=True)
class SourceText:
    """A text field as written, with where it came from.

    Every text field is a Jinja2 template; keeping its file, field and first
    line lets template and font errors point at the line a person edits.
    `markdown` says whether the text is a Markdown body or plain text.
    """

    text: str
    path: Path
    field: str
    line: int
    markdown: bool = False
    # False for folded and plain multi-line scalars, whose line breaks are
    # not the file's; `raw` then holds the numbered file lines to search.
    exact: bool = True
    raw: tuple[tuple[int, str], ...] = ()
    # (file line, text) of a ` # ...` YAML cut off an unquoted value as a comment.
    comment: tuple[int, str] | None = None

    def where(self, offset: int = 1, needle: str | None = None) -> int:
        """File line of the template's line `offset` (1-based).

        When the text's lines are not the file's, the first raw line holding
        `needle` is the answer.
        """
        if not self.exact and self.raw:
            if needle:
                for number, text in self.raw:
                    if needle in text:
                        return number
            return self.raw[0][0] if self.raw[0][1].strip() else self.line
        return self.line + max(offset, 1) - 1


@dataclass(frozen=True)
class FigureUse:
    """A picture where a body shows it: the checked file, its alt text and caption, and its line."""

    picture: Picture
    alt: str
    caption: str | None
    line: int
    field: str


def pictures_of(figures: tuple[FigureUse, ...]) -> tuple[Picture, ...]:
    """The distinct pictures (by address as written) that `figures` show, in order."""
    return tuple({f.picture.src: f.picture for f in figures}.values())


@dataclass(frozen=True)
class Reference:
    """One entry in a section's reference list."""

    text: SourceText | None
    url: str | None
    language: str | None = None  # when not the handout's


@dataclass(frozen=True)
class Section:
    """One section of a handout, in print order."""

    kind: str
    title: SourceText
    body: SourceText
    references: tuple[Reference, ...]
    path: Path
    # The pictures the body shows (see sections.figures).
    figures: tuple[FigureUse, ...] = ()
    # Lines to write on after the body (a question list's answers); 0: none.
    write_in: int = 0


@dataclass(frozen=True)
class Decision:
    """What the signer decides, in the handout's own words: two boxes, one marked.

    `yes` and `no` label the boxes ("Yes, I want the shot described on this
    form."); `fill_in` labels the lines that say what is being done (which
    knee, how many shots, who gives them), written in before signing.
    """

    yes: SourceText
    no: SourceText
    fill_in: tuple[SourceText, ...] = ()
    # The file line of the `decision:` key.
    line: int = 1

    def texts(self) -> list[SourceText]:
        """Its template fields, in print order."""
        return [*self.fill_in, self.yes, self.no]


@dataclass(frozen=True)
class RiskDisclosure:
    """The required risk-disclosure page."""

    title: SourceText
    body: SourceText
    acknowledgment: SourceText | None
    path: Path
    # Labels of lines the clinic fills in by hand (product, price quoted...).
    fill_in: tuple[SourceText, ...] = ()
    # The pictures the body shows (see sections.figures).
    figures: tuple[FigureUse, ...] = ()
    # The signer's choice; lint's `decision-missing` when a file declares none.
    decision: Decision | None = None


@dataclass(frozen=True)
class Handout:
    """A whole handout as its manifest describes it."""

    id: str
    title: SourceText
    subtitle: SourceText | None
    language: str
    version: str
    reviewed: dt.date
    review_due: dt.date | None
    sections: tuple[Section, ...]
    risk_disclosure: RiskDisclosure
    path: Path
    brand_path: Path | None = None
    # Line of each manifest key, for findings about the manifest itself.
    key_lines: tuple[tuple[str, int], ...] = ()
    # For a translation: the version of the original it translates.
    translates: str | None = None
    # Manifest line of each `sections` entry, in order.
    section_lines: tuple[int, ...] = ()

    def line_of(self, key: str) -> int | None:
        """The manifest line of `key`, if the manifest has it."""
        return dict(self.key_lines).get(key)

    @property
    def folder(self) -> Path:
        """The folder the manifest lives in; relative paths start here."""
        return self.path.parent

    def text_fields(self) -> list[SourceText]:
        """Every template field, in print order: what templates, claims and fonts are checked on."""
        fields = [self.title] + ([self.subtitle] if self.subtitle else [])
        for section in self.sections:
            fields += [section.title, section.body] + [r.text for r in section.references if r.text]
        disclosure = self.risk_disclosure
        fields += [disclosure.title, disclosure.body, *disclosure.fill_in]
        if disclosure.acknowledgment:
            fields.append(disclosure.acknowledgment)
        if disclosure.decision:
            fields += disclosure.decision.texts()
        return fields

    def source_files(self) -> tuple[Path, ...]:
        """Every file the handout's content was read from, manifest first, pictures last."""
        files = [self.path, *(s.path for s in self.sections), self.risk_disclosure.path]
        # The pictures the bodies show are content too (the batch fingerprint hashes them).
        files += [f.picture.path for part in (*self.sections, self.risk_disclosure) for f in part.figures]
        return tuple(dict.fromkeys(files))
