"""Reading the section and risk-disclosure files a handout manifest names, and their template fields.

Each reader adds every problem it finds to the list it is given, so one
run reports all of a handout's mistakes (sections.load.read_handout).
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import Problem, display_path
from ..load.fields import Fields, describe, did_you_mean
from ..load.outbound import link_problem
from ..load.yamlfile import YamlDoc, YamlReadError, load_yaml
from .figures import find_figures
from .model import (
    RISK_DISCLOSURE_KIND,
    SECTION_KINDS,
    Decision,
    Reference,
    RiskDisclosure,
    Section,
    SourceText,
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

LANGUAGE_CODE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


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


def load_section(path: Path, manifest: YamlDoc, key: tuple, problems: list[Problem], pictures) -> Section | None:
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
        if language is not None and not LANGUAGE_CODE.match(language.strip()):
            ref.fail(f"reference 'language' must be a language code such as en or es-US, found {language!r}",
                     "language")
            continue
        refs.append(Reference(text=text, url=url.strip() if url else None,
                              language=language.strip() if language else None))
    return tuple(refs)


def load_disclosure(path: Path, manifest: YamlDoc, problems: list[Problem], pictures) -> RiskDisclosure | None:
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
