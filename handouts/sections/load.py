"""Loading and validating a handout manifest and, through sections.files, the files it names."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import ContentError, Problem, display_path
from ..load.fields import Fields
from ..load.yamlfile import YamlReadError, load_yaml
from .figures import finder
from .files import LANGUAGE_CODE, disclosure_texts, load_disclosure, load_section, section_texts, source_text
from .translations import language_of_name, original_path
from .model import Handout, Section, SourceText

MANIFEST_KEYS = (
    "id",
    "title",
    "subtitle",
    "language",
    "version",
    "reviewed",
    "review_due",
    "sections",
    "risk_disclosure",
    "brand",
    "translates",
)
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def default_id(manifest: Path) -> str:
    """The id of a manifest without `id:`: its file's stem, or its folder's name for handout.yaml."""
    name = manifest.stem if manifest.stem != "handout" else manifest.parent.resolve().name
    return name if _ID.match(name) else (re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "handout")


def original_id(original: Path) -> str:
    """The id an original manifest gives its editions: its `id:`, or its default when it has none.

    Read on its own for a translation being loaded; a broken original is
    reported when it is loaded itself (and its default id stands meanwhile).
    """
    try:
        data = load_yaml(original, what="handout manifest").data
    except YamlReadError:
        data = None
    value = data.get("id") if isinstance(data, dict) else None
    return value if isinstance(value, str) and _ID.match(value) else default_id(original)


def load_handout(manifest: Path, *, allow_outside: bool = False) -> Handout:
    """Load a manifest and every file it names, validating all of them.

    Every problem in every file is collected; ContentError is raised once
    with all of them, so a content editor fixes everything in one pass.
    """
    handout, _, problems, _ = read_handout(manifest, allow_outside=allow_outside)
    if problems:
        raise ContentError(problems)
    assert handout is not None
    return handout


def read_handout(manifest: Path, *, allow_outside: bool = False
                 ) -> tuple[Handout | None, tuple[SourceText, ...], list[Problem], Path | None]:
    """Whatever of a handout could be read, every text field that was, every problem, and its `brand`.

    `lint` checks the text of every file it could read, even when another
    file (or this one) has problems. The handout is None when the manifest,
    its required keys or the risk disclosure could not be read; sections
    with problems are left out of it.
    """
    manifest = Path(manifest)
    try:
        fields = Fields.open(manifest, "handout manifest", ContentError)
    except ContentError as exc:
        return None, (), list(exc.problems), None
    doc, problems = fields.doc, fields.problems
    fields.unknown(MANIFEST_KEYS)

    # A translation (handout.es.yaml beside handout.yaml) shares the original's id.
    original = original_path(manifest)
    named = original or manifest
    handout_id = _handout_id(fields, manifest, original)
    title = source_text(doc, fields, "title", markdown=False, required=True)
    subtitle = source_text(doc, fields, "subtitle", markdown=False, required=False)
    language = _language(fields, manifest, named)
    translates = fields.text("translates")
    if original is not None and translates is None and not fields.has("translates"):
        fields.fail(f"a translation must name the version of {display_path(original)} it translates, "
                    f"for example translates: \"1.0\"")
    if original is None and fields.has("translates"):
        fields.fail(f"'translates' is for translations, named like {manifest.stem}.es{manifest.suffix} beside "
                    f"{manifest.name}", "translates")
    version = fields.text("version", required=True)
    reviewed = fields.date("reviewed", required=True)
    review_due = fields.date("review_due")
    if reviewed and review_due and review_due < reviewed:
        fields.fail(f"'review_due' ({review_due}) is before 'reviewed' ({reviewed})", "review_due")

    def named_file(key: tuple, value: object) -> Path | None:
        # Existence is checked where the file is read, with a message naming it.
        return fields.path(key, value, f"'{fields.label(key[0])}' entry", allow_outside=allow_outside,
                           must_exist=False)

    sections: list[Section] = []
    texts: list[SourceText] = [t for t in (title, subtitle) if t is not None]
    # Picture paths start at the handout's folder, whichever file names them.
    pictures = finder(manifest.parent)
    seen: dict[Path, int] = {}
    for index, entry in enumerate(fields.items("sections", required=True) or []):
        path = named_file(("sections", index), entry)
        if path is None:
            continue
        if path in seen:
            problems.append(doc.problem(f"section '{entry}' is listed twice (first as entry {seen[path] + 1})", "sections", index))
            continue
        seen[path] = index
        before = len(problems)
        section = load_section(path, doc, ("sections", index), problems, pictures)
        if section is not None:
            texts += section_texts(section)
            if len(problems) == before:
                sections.append(section)

    disclosure = None
    if not fields.has("risk_disclosure"):
        fields.fail(
            "missing required key 'risk_disclosure': every handout must name its risk-disclosure file"
        )
    else:
        path = named_file(("risk_disclosure",), fields.raw("risk_disclosure"))
        if path is not None:
            if path in seen:
                fields.fail("the risk disclosure must not also be listed under 'sections'", "risk_disclosure")
            disclosure = load_disclosure(path, doc, problems, pictures)
            if disclosure is not None:
                texts += disclosure_texts(disclosure)

    brand_path = None
    if fields.has("brand"):
        brand_path = named_file(("brand",), fields.raw("brand"))

    if title is None or version is None or reviewed is None or disclosure is None:
        return None, tuple(texts), problems, brand_path
    handout = Handout(
        id=handout_id or "handout",
        title=title,
        subtitle=subtitle,
        language=language,
        version=version,
        reviewed=reviewed,
        review_due=review_due,
        sections=tuple(sections),
        risk_disclosure=disclosure,
        path=manifest,
        brand_path=brand_path,
        key_lines=tuple((k, doc.line(k)) for k in MANIFEST_KEYS if k in fields.mapping),
        translates=translates,
        section_lines=tuple(doc.line("sections", i) or 0 for i in range(len(fields.raw("sections") or []))),
    )
    return handout, tuple(texts), problems, brand_path


def _handout_id(fields: Fields, manifest: Path, original: Path | None) -> str | None:
    """The handout's id: its own, a translation's original's, or one made from the folder's name."""
    handout_id = fields.text("id")
    if handout_id is not None and not _ID.match(handout_id):
        fields.fail(f"'id' must be lower-case letters, digits and dashes, found {handout_id!r}", "id")
    elif original is not None:
        # Every edition's files, footer, keywords, batch manifest and ledger
        # entries carry one id: the original's, whatever the folder is called.
        own, handout_id = handout_id, original_id(original)
        if own is not None and own != handout_id:
            fields.fail(f"'id' is {own!r} but {display_path(original)} (the original) says {handout_id!r}; "
                        "a translation has the original's id: remove 'id' here", "id")
    elif handout_id is None and not fields.has("id"):
        handout_id = default_id(manifest)
    return handout_id


def _language(fields: Fields, manifest: Path, named: Path) -> str:
    """The handout's language: its own, else the file name's (handout.es.yaml), else en; the two must agree."""
    from_name = language_of_name(manifest)
    language = fields.text("language") or from_name or "en"
    if not LANGUAGE_CODE.match(language):
        fields.fail(f"'language' must be a language code such as en or es-US, found {language!r}", "language")
    elif from_name and language != from_name:
        fields.fail(f"'language' is {language!r} but the file name says {from_name!r}; "
                    f"a translation into {language} is named {named.stem}.{language}{named.suffix}", "language")
    return language


