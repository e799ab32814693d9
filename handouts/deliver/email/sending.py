"""Sending composed messages over SMTP one by one, keeping the ledger and the rate (send_handouts' last step).

Each message is marked `pending` in the ledger before its body goes out
and finished with the server's answer; a 4xx reply or a lost connection is
retried after a bounded wait, and a connection lost after the body leaves
the message `pending` (it may have been delivered).
"""

from __future__ import annotations

import logging
import time
from contextlib import ExitStack
from typing import TYPE_CHECKING

from ...load.outbound import MailAddress, checked_address
from ..interrupts import held
from .ledger import FAILED, SENT, Ledger
from .planning import Job
from .settings import SmtpConfigError
from .smtp import Lost, NotOffered, Refused, SmtpClient, mask_reply

if TYPE_CHECKING:
    from .mailing import EmailResult

log = logging.getLogger("handouts")


class Sender:
    """Sends composed messages one by one, keeping the ledger and the rate."""

    def __init__(self, client: SmtpClient, book: Ledger, sender: MailAddress, rate: float | None,
                 retry_delays: tuple[float, ...], result: EmailResult):
        self.client, self.book, self.sender, self.result = client, book, sender, result
        self.interval = 60.0 / rate if rate else 0.0
        self.retry_delays = retry_delays
        self.last_send = float("-inf")

    def _wait_for_rate(self) -> None:
        wait = self.last_send + self.interval - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self.last_send = time.monotonic()

    def deliver(self, job: Job, message: bytes) -> bool:
        """Send one message with retries; False when the run must stop.

        From the moment its ledger row is marked `pending` until the
        server's answer is recorded, Ctrl-C and SIGTERM are held back
        (deliver.interrupts): they arrive after, so a stop never leaves
        `pending` a message the server accepted.
        """
        message_id = _message_id(message)
        for attempt in range(len(self.retry_delays) + 1):
            self._wait_for_rate()
            with ExitStack() as hold:
                verdict = self._attempt(job, message, message_id, attempt, hold)
            if verdict is None:  # try again, after the wait (which an interruption may cut short)
                time.sleep(self.retry_delays[attempt])
                continue
            return verdict
        return True

    def _attempt(self, job: Job, message: bytes, message_id: str, attempt: int, hold: ExitStack) -> bool | None:
        """One try: True to go on, False to stop the run, None to try again."""
        patient, mailing = job.patient, job.mailing
        last_try = attempt == len(self.retry_delays)
        recipient = checked_address(patient.email)  # the patients file passed the same check
        body_sent = False

        def before_body() -> None:
            nonlocal body_sent
            hold.enter_context(held())
            self.book.mark_pending(patient.id, mailing, address=patient.email, message_id=message_id)
            body_sent = True

        try:
            reply = self.client.send(str(self.sender), str(recipient), message, before_body,
                                     smtputf8=self.sender.smtputf8 or recipient.smtputf8)
        except NotOffered as exc:
            self._failed(job, False, None, exc.reason)
            return True
        except Refused as exc:
            reason = mask_reply(f"{exc.reply.code} {exc.reply.text}", patient.email, patient.name)
            if exc.reply.transient and not last_try:
                log.warning("patient %s: %s at %s; retrying in %g s", patient.id, reason, exc.stage,
                            self.retry_delays[attempt])
                if body_sent:  # the server answered: nothing was delivered
                    self.book.finish(patient.id, mailing, FAILED, exc.reply.code, reason)
                return None
            self._failed(job, body_sent, exc.reply.code, reason)
            return True
        except Lost as exc:
            if exc.after_body:
                self.result.pending.append((patient.id, "the connection broke after the message was sent and "
                                                        "before the server answered: it may have been "
                                                        "delivered; left pending"))
                log.warning("patient %s: %s after the message body; left pending", patient.id, exc.reason)
                return True
            if last_try:
                self._failed(job, False, None, exc.reason)
                self.result.stopped = f"the server cannot be reached ({exc.reason}); the rest were not sent"
                return False
            log.warning("patient %s: %s; reconnecting in %g s", patient.id, exc.reason, self.retry_delays[attempt])
            return None
        except SmtpConfigError as exc:
            self.result.stopped = "; ".join(p.message for p in exc.problems)
            return False
        except KeyboardInterrupt:  # only where it could not be held (a run outside the main thread)
            if body_sent:
                self.result.pending.append((patient.id, "interrupted while the message was being sent: it may "
                                                        "have been delivered; left pending"))
            raise
        self.book.finish(patient.id, mailing, SENT, reply.code, mask_reply(reply.text, patient.email, patient.name))
        self.result.sent.append(patient.id)
        log.info("patient %s: sent (%s)", patient.id, message_id)
        return True

    def _failed(self, job: Job, body_sent: bool, code: int | None, reason: str) -> None:
        patient = job.patient
        if body_sent:
            self.book.finish(patient.id, job.mailing, FAILED, code, reason)
        else:
            self.book.fail_unsent(patient.id, job.mailing, address=patient.email, code=code, reply=reason)
        self.result.failed.append((patient.id, reason))
        log.warning("patient %s: failed: %s", patient.id, reason)


def _message_id(message: bytes) -> str:
    end = message.find(b"\r\n\r\n")  # the headers, not a copy of the megabyte after them
    head = message if end < 0 else message[:end]
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"message-id:"):
            return line.split(b":", 1)[1].strip().decode("ascii", "replace")
    return ""
