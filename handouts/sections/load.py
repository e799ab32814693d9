"""Loading and validating a handout manifest and its section files."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import ContentError, Problem, display_path
from ..load.fields import Fields, describe, did_you_mean
from ..load.outbound import link_problem
from ..load.yamlfile import YamlDoc, YamlReadError, load_yaml
from .figures import finder, find_figures
from .translations import language_of_name, original_path
from .model import (
    RISK_DISCLOSURE_KIND,
    SECTION_KINDS,
    Decision,
    Handout,
    Reference,
    RiskDisclosure,
    Section,
    SourceText,
)

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
SECTION_KEYS = ("kind", "title", "body", "references", "write_in")
# A page of lines to write on at the most (large print).
MAX_WRITE_IN = 20
DISCLOSURE_KEYS = ("kind", "title", "body", "fill_in", "acknowledgment", "decision")
# YAML 1.1 reads the keys yes: and no: as true and false; both spellings name the boxes.
DECISION_KEYS = {"yes": True, "no": False}
# A write-in line holds a short label; longer text belongs in the body.
MAX_FILL_IN_LABEL = 80
# The words by a decision box: one sentence a signer reads at a glance.
MAX_CHOICE = 160
REFERENCE_KEYS = ("text", "url", "language")

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


def source_text(doc: YamlDoc, fields: Fields, name: str, *, markdown: bool, required: bool) -> SourceText | None:
    """Read a template field with the line its text starts on."""
    value = fields.text(name, required=required)
    if value is None:
        return None
    key = (*fields.key, name)
    # A one-line quoted value can still hold line breaks ("a\nb"): its text's
    # lines are not the file's then.
    exact = doc.exact_lines(*key) and (doc.styles.get(key) == "|" or "\n" not in value)
    return SourceText(
        text=value,
        path=doc.path,
        field=fields.label(name),
        line=doc.text_start(*key),
        markdown=markdown,
        exact=exact,
        raw=() if exact else doc.raw_lines(*key),
        comment=doc.comments.get(key),
    )


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
    title = source_text(doc, fields, "title", markdown=False, required=True)
    subtitle = source_text(doc, fields, "subtitle", markdown=False, required=False)
    from_name = language_of_name(manifest)
    language = fields.text("language") or from_name or "en"
    if not _LANGUAGE.match(language):
        fields.fail(f"'language' must be a language code such as en or es-US, found {language!r}", "language")
    elif from_name and language != from_name:
        fields.fail(f"'language' is {language!r} but the file name says {from_name!r}; "
                    f"a translation into {language} is named {named.stem}.{language}{named.suffix}", "language")
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
        section = _load_section(path, doc, ("sections", index), problems, pictures)
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
            disclosure = _load_disclosure(path, doc, problems, pictures)
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


def section_texts(section: Section) -> list[SourceText]:
    """A section's template fields: title, body, reference texts."""
    return [section.title, section.body] + [r.text for r in section.references if r.text]


def disclosure_texts(disclosure: RiskDisclosure) -> list[SourceText]:
    """The risk disclosure's template fields."""
    fields = [disclosure.title, disclosure.body]
    fields += ([disclosure.acknowledgment] if disclosure.acknowledgment else []) + list(disclosure.fill_in)
    return fields + (disclosure.decision.texts() if disclosure.decision else [])


def _open_named(path: Path, manifest: YamlDoc, key: tuple, problems: list[Problem], what: str,
                allowed: tuple[str, ...] | None) -> Fields | None:
    """A file the manifest names, read as a mapping with its keys checked (unless `allowed` is None); None if unreadable."""
    if not path.exists():
        problems.append(manifest.problem(f"{what} file '{display_path(path)}' not found", *key))
        return None
    try:
        doc = load_yaml(path, what=what + " file")
    except YamlReadError as exc:
        problems.append(exc.problem)
        return None
    fields = Fields(doc, problems, what=f"a {what} file")
    if not fields.ok:
        return None
    if allowed is not None:
        fields.unknown(allowed)
    return fields


def _load_section(path: Path, manifest: YamlDoc, key: tuple, problems: list[Problem], pictures) -> Section | None:
    before = len(problems)
    fields = _open_named(path, manifest, key, problems, "section", None)
    if fields is None:
        return None
    # A disclosure file listed as a section is one mistake, reported once:
    # its own keys are not also unknown ones.
    fields.unknown(DISCLOSURE_KEYS if fields.raw("kind") == RISK_DISCLOSURE_KIND else SECTION_KEYS)
    doc = fields.doc
    kind = fields.text("kind", required=True)
    if kind == RISK_DISCLOSURE_KIND:
        fields.fail("a risk disclosure belongs under 'risk_disclosure' in the manifest, not under 'sections'", "kind")
    elif kind is not None and kind not in SECTION_KINDS:
        fields.choice("kind", SECTION_KINDS)
    title = source_text(doc, fields, "title", markdown=False, required=True)
    body = source_text(doc, fields, "body", markdown=True, required=True)
    references = _references(doc, fields, problems)
    write_in = fields.number("write_in", low=0, high=MAX_WRITE_IN) or 0
    if write_in != int(write_in):
        fields.fail(f"'write_in' is a number of lines, a whole number from 0 to {MAX_WRITE_IN}, found {write_in:g}",
                    "write_in")
    if title is None or body is None:
        return None
    figures = find_figures(body, pictures, problems)
    # With problems elsewhere in the file it is still returned, for its text
    # to be checked; the caller leaves it out of the handout.
    good_kind = kind if len(problems) == before else "other"
    return Section(kind=good_kind or "other", title=title, body=body, references=references, path=path,
                   figures=figures, write_in=int(write_in))


def _references(doc: YamlDoc, fields: Fields, problems: list[Problem]) -> tuple[Reference, ...]:
    refs: list[Reference] = []
    for index, entry in enumerate(fields.items("references") or []):
        key = ("references", index)
        if isinstance(entry, str):
            if not entry.strip():
                problems.append(doc.problem("a reference is empty", *key))
                continue
            text = SourceText(entry, doc.path, fields.label("references") + f"[{index + 1}]", doc.text_start(*key),
                              comment=doc.comments.get(key))
            refs.append(Reference(text=text, url=None))
            continue
        if not isinstance(entry, dict):
            problems.append(doc.problem(f"a reference must be text or {{text, url}}, found {describe(entry)}", *key))
            continue
        ref = Fields(doc, problems, key)
        ref.unknown(REFERENCE_KEYS)
        text = source_text(doc, ref, "text", markdown=False, required=False)
        url = ref.text("url")
        if text is None and url is None and not ref.has("text"):
            ref.fail("a reference needs a 'text' or a 'url'")
            continue
        if url is not None and (not re.match(r"^https?://[^\s<>\"]+$", url.strip()) or link_problem(url.strip())):
            ref.fail(f"reference url must start with http:// or https://, name a host and hold no spaces, "
                     f"found {url!r}", "url")
            continue
        # The language the reference is written in, when not the handout's
        # (an English source in a Spanish edition): screen readers switch voice.
        language = ref.text("language")
        if language is not None and not _LANGUAGE.match(language.strip()):
            ref.fail(f"reference 'language' must be a language code such as en or es-US, found {language!r}",
                     "language")
            continue
        refs.append(Reference(text=text, url=url.strip() if url else None,
                              language=language.strip() if language else None))
    return tuple(refs)


def _load_disclosure(path: Path, manifest: YamlDoc, problems: list[Problem], pictures) -> RiskDisclosure | None:
    fields = _open_named(path, manifest, ("risk_disclosure",), problems, "risk disclosure", DISCLOSURE_KEYS)
    if fields is None:
        return None
    doc = fields.doc
    kind = fields.text("kind", required=True)
    if kind is not None and kind != RISK_DISCLOSURE_KIND:
        fields.fail(f"'kind' of the risk-disclosure file must be '{RISK_DISCLOSURE_KIND}', found {kind!r}", "kind")
    title = source_text(doc, fields, "title", markdown=False, required=True)
    if fields.has("body") and isinstance(fields.raw("body"), str) and not fields.raw("body").strip():
        fields.fail("the risk disclosure's 'body' is empty; a handout cannot be built without it", "body")
        body = None
    else:
        body = source_text(doc, fields, "body", markdown=True, required=True)
    fill_in = _fill_in(doc, fields, problems)
    acknowledgment = source_text(doc, fields, "acknowledgment", markdown=True, required=False)
    if acknowledgment is not None:
        find_figures(acknowledgment, pictures, problems, allowed=False)
    decision = _decision(doc, fields, problems)
    if title is None or body is None:
        return None
    return RiskDisclosure(title=title, body=body, acknowledgment=acknowledgment, path=path, fill_in=fill_in,
                          figures=find_figures(body, pictures, problems), decision=decision)


def _decision(doc: YamlDoc, fields: Fields, problems: list[Problem]) -> Decision | None:
    """The `decision` block: the two boxes' wording and the lines saying what is being done."""
    block = fields.sub("decision")
    if block is None:
        return None
    texts = {}
    for name, as_boolean in DECISION_KEYS.items():
        key = name if name in block.mapping else as_boolean
        value = block.mapping.get(key)
        if value is None:
            block.fail(f"missing required key 'decision.{name}': the words by the {name.upper()} box")
            continue
        if not isinstance(value, str) or not value.strip():
            block.fail(f"'decision.{name}' must be text, found {describe(value)}", key)
            continue
        if "\n" in value.strip() or len(value.strip()) > MAX_CHOICE:
            block.fail(f"'decision.{name}' must be one line of at most {MAX_CHOICE} characters", key)
            continue
        path = (*block.key, key)
        texts[name] = SourceText(" ".join(value.split()), doc.path, f"decision.{name}", doc.text_start(*path),
                                 comment=doc.comments.get(path))
    for name in block.mapping:
        if name not in ("fill_in", *DECISION_KEYS, *DECISION_KEYS.values()):
            block.fail(f"unknown key 'decision.{name}'{did_you_mean(str(name), ['yes', 'no', 'fill_in'])}", name)
    fill_in = _fill_in(doc, block, problems)
    if len(texts) < 2:
        return None
    return Decision(yes=texts["yes"], no=texts["no"], fill_in=fill_in, line=fields.line("decision") or 1)


def _fill_in(doc: YamlDoc, fields: Fields, problems: list[Problem]) -> tuple[SourceText, ...]:
    """The `fill_in` labels: one short line of text each, printed with a line to write on."""
    labels: list[SourceText] = []
    for index, entry in enumerate(fields.items("fill_in") or []):
        key = (*fields.key, "fill_in", index)
        if not isinstance(entry, str) or not entry.strip():
            problems.append(doc.problem(
                f"a '{fields.label('fill_in')}' entry must be a short label, found {describe(entry)}", *key))
            continue
        if "\n" in entry.strip() or len(entry.strip()) > MAX_FILL_IN_LABEL:
            problems.append(doc.problem(
                f"a '{fields.label('fill_in')}' label must be one line of at most {MAX_FILL_IN_LABEL} characters",
                *key))
            continue
        labels.append(SourceText(entry.strip(), doc.path, fields.label("fill_in") + f"[{index + 1}]",
                                 doc.text_start(*key), comment=doc.comments.get(key)))
    return tuple(labels)
