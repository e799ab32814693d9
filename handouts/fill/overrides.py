"""A clinic's own page and e-mail templates: where they live, what they see, and their check.

A clinic may replace the HTML edition's templates with files of the same
name in `html/` beside its handout.yaml, and the e-mail's subject and bodies
with `email/subject.txt`, `email/body.txt` and `email/body.html`. They run in
the bounded sandbox (fill.bounded) like every template; this module checks
them before anything runs, the way content fields are checked: every
syntax error, unknown filter, unknown variable and reach for a Python
internal (`cycler.__init__`), at its file and line. Loading collects these
problems, so lint lists them and build, batch and email refuse to start
(`--allow-lint-errors` does not pass them).

Jinja2 is imported only when such a folder exists.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UNKNOWN_VARIABLE, Problem, display_path
from ..load.reading import TEXT_LIMIT, ReadError, read_bytes

HTML_FOLDER = "html"
EMAIL_FOLDER = "email"
EMAIL_TEMPLATES = ("subject.txt", "body.txt", "body.html")

# What the HTML edition's pages see (render.html); the e-mail's page adds the letter.
PAGE_VARIABLES = frozenset({"text", "handout", "brand", "colors", "logo_uri", "logo_alt", "provider", "sections",
                            "disclosure", "contact_lines", "provider_phone", "write_in_lines", "decision"})
EMAIL_PAGE_VARIABLES = PAGE_VARIABLES | {"letter", "clinic", "encrypted"}
# What the e-mail's subject and bodies see (deliver.email.message.message_context).
MESSAGE_VARIABLES = frozenset({"clinic", "colors", "handout", "provider", "patient", "encrypted", "text"})


def html_folder(handout_folder: Path) -> Path:
    """Where a clinic's own HTML templates go: html/ beside its handout.yaml."""
    return Path(handout_folder) / HTML_FOLDER


def check_overrides(handout_folder: Path) -> list[Problem]:
    """Every problem in the clinic's html/ and email/ templates beside a handout, without running them."""
    pages = html_folder(handout_folder)
    mail = Path(handout_folder) / EMAIL_FOLDER
    found = []
    if pages.is_dir():
        # Any file there can be included by name, and base.html is shared with the e-mail's page.
        found += [(path, "page", EMAIL_PAGE_VARIABLES) for path in sorted(pages.glob("*.html"))]
    if mail.is_dir():
        found += [(mail / name, "page" if name.endswith(".html") else "text", MESSAGE_VARIABLES)
                  for name in EMAIL_TEMPLATES if (mail / name).exists()]
    problems: list[Problem] = []
    for path, kind, known in found:
        problems += _check_file(path, kind, known)
    return problems


def _check_file(path: Path, kind: str, known: frozenset[str]) -> list[Problem]:
    from jinja2 import TemplateSyntaxError, meta, nodes

    from . import bounded

    shown = display_path(path)
    try:
        source = read_bytes(path, max_bytes=TEXT_LIMIT, what="template file").decode("utf-8")
    except ReadError as exc:
        return [exc.problem]
    except UnicodeDecodeError:
        return [Problem(shown, None, "not UTF-8 text; save it as UTF-8")]
    page = kind == "page"
    env = bounded.environment(bounded.PAGE if page else bounded.TEXT, autoescape=page, trim_blocks=page,
                              lstrip_blocks=page, extra_filters={"markdown": str} if page else None)
    try:
        tree = env.parse(source, filename=str(path))
        env.compile(tree, filename=str(path))  # unknown filters and tests are found only here
    except TemplateSyntaxError as exc:
        return [Problem(shown, exc.lineno, f"template error: {exc.message}")]
    except RecursionError:
        return [Problem(shown, None, "template error: expressions are nested too deeply")]
    problems = []
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        attribute = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
        if isinstance(attribute, str) and attribute.startswith("_"):
            problems.append(Problem(shown, node.lineno, f"template error: unsafe attribute '{attribute}': "
                                                        "templates cannot reach Python's internals"))
    unknown = meta.find_undeclared_variables(tree) - known
    for name in sorted(unknown):
        line = next((n.lineno for n in tree.find_all(nodes.Name) if n.name == name), None)
        problems.append(Problem(shown, line, f"template error: unknown variable '{name}'; these templates can "
                                             f"use {', '.join(sorted(known))}", UNKNOWN_VARIABLE))
    return problems
