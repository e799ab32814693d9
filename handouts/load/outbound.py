"""Values that leave the tool in an e-mail header or as a link: one check each, used everywhere.

A header value must not be able to carry a line break in any encoding:
control characters (CR, LF, NUL, NEL, U+2028/2029...), invisible formatting
characters, and `=?`, the start of an RFC 2047 encoded word, which Python's
`email` package before 3.11.10 / 3.12.5 decodes and can write out as a real
line break (CVE-2024-6923). So `checked_header_value` refuses them rather
than relying on the interpreter's fix. An address is checked by
`checked_address` (email-validator, plus the same header rule), for the
patients file, `--from`, the brand's e-mail and the moment of sending alike.
A link is checked by `checked_link`: http, https, mailto (one address and
nothing after it) or tel.

The reasons these functions give never quote the value: it may be a
patient's name or address.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from ..errors import HandoutError, Problem

# Zero-width joiner and non-joiner are part of how names are spelt (Persian,
# Indic scripts, emoji); every other format character is invisible and can
# reorder or hide text (U+202E), so it has no place in a header.
_KEPT_FORMAT = {"\u200c", "\u200d"}
_REFUSED_CATEGORIES = {"Cc": "a control character", "Cs": "a lone surrogate (not a character)",
                       "Zl": "a line separator", "Zp": "a paragraph separator",
                       "Cf": "an invisible formatting character"}
LINK_SCHEMES = ("http", "https", "mailto", "tel")
# After the address of a mailto: link, `?` starts headers (bcc=, body=) and
# `,` or `;` add recipients; `#`, `&` and `%` have no place in the one address either.
_MAILTO_REFUSED = set("?#&,;%")
_PHONE = re.compile(r"\+?[0-9().\- ]{3,40}(;ext=[0-9]{1,10})?")


class UnsafeValue(HandoutError):
    """A value refused for a header, an address or a link; `reason` says why without quoting it.

    Callers catch it and report the reason where the value came from (file
    and line, option, or patients-file row).
    """

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__([Problem("value", None, reason)])


def header_value_problem(text: str) -> str | None:
    """Why `text` cannot go in an e-mail header, or None when it can."""
    if "=?" in text:
        return "holds '=?', which mail programs decode as an encoded word (RFC 2047) that can hide a line break"
    return _hidden_character(text)


def _hidden_character(text: str) -> str | None:
    for char in text:
        if char.isprintable() or char == " ":
            continue
        category = unicodedata.category(char)
        if category in _REFUSED_CATEGORIES and char not in _KEPT_FORMAT:
            return f"holds {_REFUSED_CATEGORIES[category]} (U+{ord(char):04X})"
    return None


def checked_header_value(text: str) -> str:
    """`text`, unchanged, when it may go in an e-mail header; UnsafeValue otherwise."""
    problem = header_value_problem(text)
    if problem:
        raise UnsafeValue(problem)
    return text


@dataclass(frozen=True)
class MailAddress:
    """A checked address: its local part, its domain as written and as IDNA (ASCII).

    `smtputf8` is True when the local part is not ASCII: such an address can
    only be written in a UTF-8 header and sent to a server offering SMTPUTF8.
    Otherwise the address is used in its ASCII form (`a@xn--bcher-kva.example`),
    which every server takes.
    """

    local: str
    domain: str
    ascii_domain: str

    @property
    def smtputf8(self) -> bool:
        """Whether the address needs SMTPUTF8 (RFC 6531)."""
        return not self.local.isascii()

    def __str__(self) -> str:
        """The form for the envelope and the header."""
        return f"{self.local}@{self.domain if self.smtputf8 else self.ascii_domain}"


def checked_address(text: str) -> MailAddress:
    """One e-mail address, checked as a header value and by email-validator; UnsafeValue otherwise.

    No deliverability lookup (no network); special-use domains (`.test`,
    `.local`, `localhost`, `.invalid`) are refused, as email-validator does
    by default.
    """
    from email_validator import EmailNotValidError, validate_email

    problem = header_value_problem(text)
    if problem:
        raise UnsafeValue(f"is not a valid e-mail address: it {problem}")
    try:
        valid = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise UnsafeValue(f"is not a valid e-mail address: {_without(str(exc), text)}") from None
    return MailAddress(local=valid.local_part, domain=valid.domain, ascii_domain=valid.ascii_domain)


def _without(message: str, address: str) -> str:
    """email-validator's reason with the address and its parts taken out (some reasons quote the domain)."""
    local, _, domain = address.rpartition("@")
    for part in sorted({address, local, domain, *domain.split(".")} - {""}, key=len, reverse=True):
        if len(part) > 2:
            message = re.sub(rf"(?<![\w.-]){re.escape(part)}(?![\w-])", "...", message, flags=re.IGNORECASE)
    return message.rstrip(".")


def link_problem(url: str) -> str | None:
    """Why `url` may not be a live link, or None when it may: the one rule for every link.

    Allowed: http and https with a host (and no user name before it), mailto
    with exactly one address and nothing after it, and tel with a phone
    number. Percent-encoding is undone before the mailto and tel checks, so
    `%3F` is refused as `?` is.
    """
    if _hidden_character(url) or any(char.isspace() for char in url):
        return "may not hold spaces or control characters"
    scheme, _, rest = url.partition(":")
    scheme = scheme.lower()
    if scheme not in LINK_SCHEMES or not rest:
        return "must start with https://, http://, mailto: or tel:"
    if scheme in ("http", "https"):
        try:
            host = urlsplit(url).netloc
        except ValueError:
            host = ""
        if not rest.startswith("//") or not host or "@" in host or "\\" in rest:
            return (f"must name a host after {scheme}://, as in {scheme}://example.org/page, with no user name "
                    "before it")
        return None
    target = unquote(rest)
    if scheme == "mailto":
        if _MAILTO_REFUSED & set(target) or target.count("@") != 1:
            return "must be one e-mail address with nothing after it ('?' would add headers such as bcc)"
        return _mailto_problem(target)
    if not _PHONE.fullmatch(target) or sum(char.isdigit() for char in target) < 3:
        return "must hold a phone number after tel: (digits, '+', '-', '.', '(', ')' and spaces)"
    return None


def _mailto_problem(address: str) -> str | None:
    """`checked_address`'s reason for refusing a link's address, or None; kept in the run's cache.

    A handout's links are the clinic's: a build reads back what the last
    one found rather than import email-validator (a twentieth of a cold build).
    """
    from .cache import remember

    def problem() -> str | None:
        try:
            checked_address(address)
        except UnsafeValue as exc:
            return exc.reason
        return None

    return remember("mailto", address, problem, load=_reason)


def _reason(value: object) -> str | None:
    if value is not None and type(value) is not str:
        raise ValueError("not a reason")
    return value


def checked_link(url: str) -> str:
    """`url`, unchanged, when `link_problem` finds nothing; UnsafeValue with the reason otherwise."""
    problem = link_problem(url)
    if problem:
        raise UnsafeValue(problem)
    return url


def safe_link(url: str | None) -> str | None:
    """`url` when it may be a live link, else None: for renderers that print a refused link as text."""
    return url if url and link_problem(url) is None else None
