"""Building one patient's message: subject, plain and HTML bodies, the PDF attached.

The subject and plain body are Jinja2 templates run in the sandbox: the
package holds defaults (`handouts/data/email/`) and a clinic overrides
either with a file of the same name in an `email/` folder beside its
handout. The HTML body is the HTML edition's page (render.html's
`email.html`: the letter, then the handout unless the attachment is
password-protected), so it is as accessible as the edition; a clinic's
`email/body.html`, when present, replaces it and autoescapes every value.
Templates are checked once, before anything is written or sent, so a typo
stops the run rather than one message.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8
from email.utils import format_datetime, make_msgid
from pathlib import Path

from jinja2 import FunctionLoader, TemplateError, TemplateSyntaxError

from ...errors import ContentError, Problem, display_path
from ...fill import bounded
from ...fill.overrides import EMAIL_FOLDER, EMAIL_TEMPLATES
from ...load.outbound import MailAddress, UnsafeValue, checked_address, checked_header_value, header_value_problem
from ...load.project import data_folder
from ...load.reading import TEXT_LIMIT, ReadError, read_bytes
from .bodies import SharedStart, base64_lines

TEMPLATE_NAMES = EMAIL_TEMPLATES


@dataclass(frozen=True)
class MessageTemplates:
    """The compiled subject and body templates, and where each came from."""

    subject: object
    text: object
    html: object | None  # None: the HTML edition's email.html
    sources: tuple[str, ...]


def load_templates(handout_folder: Path, subject: str | None = None) -> MessageTemplates:
    """Compile the clinic's templates (or the defaults); `subject` overrides the subject template.

    A clinic's template files are input like any other: read through the
    bounded reader (regular files of at most 1 MB). Raises ContentError
    naming the template file and line on a syntax error or a bad file.
    """
    clinic = Path(handout_folder) / EMAIL_FOLDER
    bundled = data_folder() / EMAIL_FOLDER
    problems: list[Problem] = []
    sources: dict[str, Path] = {}

    def source(name: str):
        origin = clinic / name if (clinic / name).exists() or name == "body.html" else bundled / name
        try:
            text = read_bytes(origin, max_bytes=TEXT_LIMIT, what="template file").decode("utf-8")
        except ReadError as exc:
            raise ContentError([exc.problem]) from None
        except UnicodeDecodeError:
            raise ContentError([Problem(display_path(origin), None, "not UTF-8 text; save it as UTF-8")]) from None
        sources[name] = origin
        return text, str(origin), lambda: False  # compiled once per run: never reloaded

    loader = FunctionLoader(source)
    # The same bounded sandbox as every template: a clinic's file can loop,
    # build text and call macros only within the profile's caps.
    text_env = bounded.environment(bounded.TEXT, loader=loader, autoescape=False)
    html_env = bounded.environment(bounded.PAGE, loader=loader, autoescape=True)
    compiled = []
    shown = []
    for name, env in zip(TEMPLATE_NAMES, (text_env, text_env, html_env)):
        try:
            if name == "subject.txt" and subject is not None:
                shown.append("--subject")
                compiled.append(env.from_string(subject))
            elif name == "body.html" and not (clinic / name).exists():
                shown.append("html edition")
                compiled.append(None)
            else:
                compiled.append(env.get_template(name))
                shown.append(str(sources[name]))
        except TemplateSyntaxError as exc:
            where = "--subject" if name == "subject.txt" and subject is not None else display_path(clinic / name
                    if (clinic / name).exists() else bundled / name)
            problems.append(Problem(where, exc.lineno, f"template error: {exc.message}"))
            compiled.append(None)
            shown.append(where)
        except ContentError as exc:
            problems.extend(exc.problems)
            compiled.append(None)
            shown.append(name)
    if problems:
        raise ContentError(problems)
    return MessageTemplates(*compiled, sources=tuple(shown))


def message_context(prepared, *, provider, patient_name: str | None, encrypted: bool) -> dict:
    """The variables the templates see: clinic, colours, handout, provider, patient, and `text`.

    `text` holds the message's fixed lines in the handout's language, from
    its message catalogue, with the values filled in.
    """
    from ...pipeline.produce import shared_title

    brand, handout, messages = prepared.brand, prepared.handout, prepared.messages
    title, clinic = shared_title(prepared), brand.name or ""
    provider_name = (provider.name if provider else "") or ""
    text = {key.removeprefix("email_"): messages[key] for key in messages if key.startswith("email_")}
    text.update(
        subject=messages.format("email_subject", title=title, clinic=clinic),
        greeting=(messages.format("email_greeting", name=patient_name) if patient_name
                  else messages["email_greeting_no_name"]),
        attached=messages.format("email_attached", title=title, clinic=clinic, version=handout.version),
        from_provider=messages.format("email_from_provider", provider=provider_name) if provider_name else "",
        signoff=messages.format("email_signoff", clinic=clinic),
    )
    return {
        "clinic": {k: v or "" for k, v in brand.clinic().items()},
        "colors": {"primary": brand.primary, "foreground": brand.foreground, "background": brand.background},
        "handout": {"id": handout.id, "title": title, "version": handout.version,
                    "language": messages.language},
        "provider": {"name": provider_name, "credentials": (provider.credentials if provider else "") or ""},
        "patient": {"name": patient_name or ""},
        "encrypted": encrypted,
        "text": text,
    }


def render_texts(templates: MessageTemplates, context: dict) -> tuple[str, str, str | None]:
    """Subject (one line), plain body and HTML body for one patient.

    The HTML body is None when it comes from the HTML edition (see
    `html_body`). Raises ContentError naming the template when a variable
    is unknown.
    """
    out = []
    for template, source in zip((templates.subject, templates.text, templates.html), templates.sources):
        if template is None:
            out.append(None)
            continue
        try:
            out.append(template.render(context))
        except TemplateError as exc:
            where = source if source == "--subject" else display_path(source)
            line = getattr(exc, "lineno", None) or bounded.template_frame(exc)[1]
            raise ContentError([Problem(where, line, f"template error: {exc}")]) from None
    subject = " ".join(out[0].split())
    return subject, out[1].strip() + "\n", out[2]


def html_body(filled, *, prepared, context: dict) -> str:
    """The HTML edition's e-mail page for one patient: the letter, then the handout unless encrypted."""
    from ...pipeline.produce import html_templates
    from ...render.html import render_email_html

    return render_email_html(filled, brand=prepared.brand, letter=context["text"], clinic=context["clinic"],
                             encrypted=context["encrypted"], override=html_templates(prepared))


def check_templates(templates: MessageTemplates, context: dict) -> None:
    """Fill the templates once, so a typo stops the run before any message.

    The subject is checked as a header value (load.outbound), so a template
    or `--subject` that would put a line break into it is refused here.
    """
    subject, _, _ = render_texts(templates, context)
    if not subject:
        raise ContentError([Problem(templates.sources[0], None, "the subject is empty")])
    problem = header_value_problem(subject)
    if problem:
        where = templates.sources[0]
        raise ContentError([Problem(where if where == "--subject" else display_path(where), None,
                                    f"the subject {problem}; remove it")])


def title_problem(edition) -> Problem | None:
    """The handout's title as a problem at its own line, if it cannot be part of a subject (a header)."""
    from ...pipeline.produce import shared_title

    problem = header_value_problem(shared_title(edition))
    if not problem:
        return None
    title = edition.handout.title
    return Problem(display_path(title.path), title.where(),
                   f"title {problem}: the title is part of each e-mail's subject; remove it")


def header_problems(edition, templates: MessageTemplates) -> list[Problem]:
    """The title, then the subject as filled for this edition (its language's catalogue), as headers."""
    title = title_problem(edition)
    if title:
        return [title]
    try:
        check_templates(templates, message_context(edition, provider=None, patient_name="Sample Patient",
                                                   encrypted=False))
    except ContentError as exc:
        return list(exc.problems)
    return []


# A dry run's From when neither --from nor the brand names a sender.
NO_SENDER = MailAddress(local="outbox", domain="handouts.invalid", ascii_domain="handouts.invalid")


def sender_address(text: str | None) -> MailAddress | None:
    """The checked sender (--from, HANDOUTS_SMTP_FROM), or None when none is given."""
    if not text:
        return None
    try:
        return checked_address(text)
    except UnsafeValue as exc:
        raise ContentError([Problem("--from", None, f"the sender {exc.reason}")]) from None


def build_message(*, sender: MailAddress, sender_name: str, recipient: MailAddress, subject: str, text: str,
                  html: str, attachment: bytes, attachment_name: str, message_id: str, date,
                  shared_start: SharedStart | None = None) -> bytes:
    """The complete message as bytes with CRLF line ends, ready for DATA or an .eml file.

    `shared_start` encodes the attachment when the run's attachments begin
    alike (bodies.SharedStart: the same bytes, made faster).

    Addresses come checked (load.outbound.checked_address); every other
    header value is checked here, the last place before a header is made,
    and UnsafeValue is raised for one that could break a header. A message
    to or from an address needing SMTPUTF8 is written with UTF-8 headers
    (RFC 6532), the only form such an address has.
    """
    for value in (sender_name, subject, attachment_name, message_id):
        checked_header_value(value)
    # Long header lines unfolded (up to RFC 5322's 998): some readers show
    # a subject folded right after "Subject:" with a leading space.
    policy = SMTPUTF8 if sender.smtputf8 or recipient.smtputf8 else SMTP
    message = EmailMessage(policy=policy.clone(max_line_length=998))
    message["From"] = _address(sender, sender_name)
    message["To"] = _address(recipient, "")
    message["Subject"] = subject
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    # The page and the PDF are base64 (not the quoted-printable the library
    # picks for non-ASCII text), set in after the library has written the
    # rest (`_with_bodies`).
    bodies = {"html": html.encode("utf-8"), "pdf": attachment}
    markers = {name: secrets.token_hex(16) for name in bodies}
    message.add_alternative(markers["html"], subtype="html", cte="7bit")
    message.add_attachment(markers["pdf"].encode("ascii"), maintype="application", subtype="pdf",
                           filename=attachment_name)
    for part in message.walk():
        if part.get_content_type() in ("text/html", "application/pdf"):
            part.replace_header("Content-Transfer-Encoding", "base64")
            part.set_payload(markers["html" if part.get_content_type() == "text/html" else "pdf"])
    _random_boundaries(message)
    encoded = {markers["html"]: base64_lines(bodies["html"]),
               markers["pdf"]: (shared_start.lines if shared_start else base64_lines)(attachment)}
    return _with_bodies(message.as_bytes(), encoded)


def _with_bodies(skeleton: bytes, bodies: dict[str, bytes]) -> bytes:
    """`skeleton` with each marker line replaced by its body, in base64 lines already (bodies.base64_lines).

    The library writes a base64 body a line at a time in Python, and with
    our unfolded headers' 998-character limit it wrote 996-character lines,
    longer than base64 allows: for the page and the PDF (a megabyte) that
    was most of composing a message. Here the library writes the headers and
    the structure, and the bodies are encoded by the C codec.
    """
    for marker, lines in bodies.items():
        line = marker.encode("ascii") + b"\r\n"
        if skeleton.count(line) != 1:
            raise ValueError("a body's marker is not in the message exactly once")
        skeleton = skeleton.replace(line, lines)
    return skeleton


def _address(address: MailAddress, name: str) -> Address:
    local, _, domain = str(address).rpartition("@")
    return Address(display_name=name, username=local, domain=domain)


def _random_boundaries(message: EmailMessage) -> None:
    """Give each multipart a boundary of 128 random bits, in the library's own form.

    Left to choose one, the library searches the whole message (the PDF's
    base64 included) for each boundary it tries. No line of a base64 part
    can hold one (base64 has no '-'), nor of a quoted-printable part (it
    writes a literal '=' as '=3D', so never '=='), and a plain-text part
    would have to contain these random bits.
    """
    for part in message.walk():
        if part.is_multipart():
            part.set_boundary("=" * 15 + secrets.token_hex(16) + "==")


def new_message_id(sender: MailAddress) -> str:
    """A Message-ID in the sender's domain (its ASCII form); it holds no patient data."""
    return make_msgid(domain=sender.ascii_domain)
