"""Who gets a message in an e-mail run, from the ledger: once per patient per mailing.

A patient is sent a mailing (handout id, version, language, layout and the
fingerprint of what prints) once. A patient already `sent` it is skipped; one
left `pending` is reported (resent with --resend-pending); one the ledger
says got this version and edition with other printed content, under the
same version, is a change nobody versioned: the run stops before anything
is sent, one line per edition, unless --new-mailing says to send the new
text to those patients too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...errors import ContentError, Problem, display_path
from ...load.patients import Patient
from ..content import content_fingerprint
from .ledger import PENDING, SENT, Delivery, Mailing

if TYPE_CHECKING:
    from ...pipeline.prepare import Prepared
    from .mailing import EmailResult

log = logging.getLogger("handouts")


@dataclass(frozen=True)
class Job:
    """One patient's message to make: which prepared edition ("layout/language") and which mailing."""

    patient: Patient
    key: str
    mailing: Mailing


def mailing_of(prepared: Prepared) -> Mailing:
    """The mailing every patient of this prepared edition receives."""
    handout = prepared.handout
    return Mailing(handout_id=handout.id, version=handout.version, language=handout.language,
                   layout=prepared.layout.name, content=content_fingerprint(prepared))


def plan(jobs: list[Job], rows: Iterable[Delivery], *, prepared: dict[str, Prepared], resend_pending: bool,
         new_mailing: bool, result: EmailResult) -> list[Job]:
    """The jobs to send this run; skipped, pending and refused patients go to `result`.

    Raises ContentError, before anything is sent, when an edition prints
    differently from what patients were sent under the same version, unless
    `new_mailing` (then each such edition is logged as a warning and sent).
    """
    earlier: dict[tuple[str, ...], list[Delivery]] = {}
    for row in rows:
        earlier.setdefault((row.patient_id, *row.edition_key), []).append(row)
    todo: list[Job] = []
    changed: dict[str, int] = {}
    for job in jobs:
        mailing = job.mailing
        mine = earlier.get((job.patient.id, mailing.handout_id, mailing.version, mailing.language, mailing.layout), [])
        states = {row.state for row in mine if mailing.same_content(row.content)}
        # Another text of this version reached (or may have reached) the patient.
        other = any(row.state in (SENT, PENDING) and not mailing.same_content(row.content) for row in mine)
        if SENT in states:
            result.skipped.append(job.patient.id)
        elif PENDING in states and not resend_pending:
            result.pending.append((job.patient.id, "left pending by an earlier run: it may have been delivered; "
                                                   "check the mail server's log, then rerun with --resend-pending"))
        elif not job.patient.password and not job.patient.unencrypted_ok:
            result.refused.append((job.patient.id, "no password and no 'unencrypted_ok: yes': the patient has not "
                                                   "agreed to unencrypted e-mail"))
        else:
            if other:
                changed[job.key] = changed.get(job.key, 0) + 1
            if not other or new_mailing:
                todo.append(job)
    problems = [_changed(prepared[key], count, new_mailing) for key, count in sorted(changed.items())]
    if problems and not new_mailing:
        raise ContentError(problems)
    for problem in problems:
        log.warning("%s", problem)
    return todo


def _changed(prepared: Prepared, count: int, new_mailing: bool) -> Problem:
    """One line for an edition whose printed content changed under the same version."""
    handout = prepared.handout
    said = (f"version {handout.version} ({prepared.layout.name}, {handout.language}) prints differently from what "
            f"{count} patient(s) were sent under this version; ")
    if new_mailing:
        said += "sending it to them again (--new-mailing)"
    else:
        said += ("nothing was sent: give the handout a new version for a new mailing, or pass --new-mailing to "
                 "send this text to them again")
    return Problem(display_path(handout.path), handout.line_of("version"), said)
