"""What a patient's copy says: the fingerprint a mailing is known by.

The e-mail ledger records, for each patient, which mailing they were sent:
the handout's id and version, the edition's language and layout, and this
fingerprint of the content that prints. It answers "would the patient read
anything different?", so it holds what the clinic wrote and what prints
around it, and nothing that only changes how or when a copy was made:

- in: every text field as written (title, subtitle, section headings and
  bodies, references and their links, the risk disclosure, its write-in
  labels and acknowledgment), each picture's bytes, the printed labels of
  the edition's message catalogue (page, signature and footer lines), the
  clinic's name and contact details, and the reviewed date the footer
  prints (the review-due date only when a text prints it);
- out: lint.yaml, the handouts version, fonts, colours, logo and the
  layout's measurements (the layout's name is part of the mailing), YAML
  comments and formatting, file names and folders, the e-mail's own
  subject and body, and the date a copy is filled in.

Texts are taken before their templates are filled: `{{ today }}` is the
same text every day, so the date a copy is issued is not a change of
content, and a reader's own values (the patient's name, their provider)
are not part of the handout's content either.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..pipeline.prepare import Prepared

# Raised by hand if what goes into the fingerprint changes: a new value is a
# new fingerprint for every handout, so raise it only with a migration.
FORMAT = 1


def content_fingerprint(prepared: Prepared) -> str:
    """SHA-256 (hex) of what one edition of a handout prints, for every reader alike."""
    handout = prepared.handout

    def texts(*sources) -> list[str | None]:
        return [src.text if src is not None else None for src in sources]

    def part(section) -> dict:
        return {
            "kind": getattr(section, "kind", "risk_disclosure"),
            "texts": texts(section.title, section.body),
            "references": [[r.text.text if r.text else None, r.url] for r in getattr(section, "references", ())],
            "pictures": [hashlib.sha256(f.picture.data).hexdigest() for f in section.figures],
        }

    disclosure = handout.risk_disclosure
    printed = {
        "format": FORMAT,
        "handout": [handout.id, handout.version, handout.language, handout.reviewed.isoformat()],
        # Printed only where a text names it.
        "review_due": handout.review_due.isoformat() if handout.review_due and _names_review_due(handout) else None,
        "title": texts(handout.title, handout.subtitle),
        "sections": [part(s) for s in handout.sections],
        "disclosure": {**part(disclosure), "acknowledgment": texts(disclosure.acknowledgment),
                       "fill_in": texts(*disclosure.fill_in)},
        "labels": [[key, text] for key, text in prepared.messages.items if _prints(key)],
        "clinic": prepared.brand.clinic(),
    }
    data = json.dumps(printed, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(data.encode("ascii")).hexdigest()


def _names_review_due(handout) -> bool:
    from ..fill.templates import template_variables

    return any("handout.review_due" in template_variables(src) for src in handout.text_fields())


def _prints(key: str) -> bool:
    # The e-mail's lines go in the message, not on paper; `subject` is PDF metadata.
    return not key.startswith("email_") and key != "subject"
