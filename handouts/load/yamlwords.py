"""The commonest YAML slips, explained in plain words with the fix.

PyYAML reports what its parser met ("mapping values are not allowed
here"), not what the person typing did. The slips clinic staff make most
often are recognised from the parser's problem and the line it points at,
and explained; anything else keeps the parser's own words.
"""

from __future__ import annotations

import re

import yaml

_KEY = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][\w-]*)\s*:\s")


def explain(exc: yaml.MarkedYAMLError, source: str) -> str | None:
    """A plain-words message for a YAML syntax error, or None to keep PyYAML's."""
    problem = exc.problem or ""
    mark = exc.problem_mark
    lines = source.split("\n")
    text = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    if "'\\t'" in problem:
        return "use spaces, not tabs, to indent (and to separate a key from its value)"
    if problem.startswith("mapping values are not allowed"):
        key = _KEY.match(text)
        if key and mark is not None and mark.column >= key.end():
            # The colon PyYAML stopped at comes after the line's own "key: ".
            what = key.group(1)
            value = text[key.end():].strip()
            return (f"a colon followed by a space starts a new key; put the {what} in quotes: "
                    f"{what}: \"{value}\"")
        return "this line is indented more than the line above it; line its key up with the keys above"
    if problem.startswith("expected <block end>"):
        if "<block sequence start>" in problem:
            return "this list item is indented differently from the list above it; line up the '-' marks"
        return "this line is indented less than the lines around it; line it up with the keys above"
    if "could not find expected ':'" in problem:
        return ("a line inside this value looks like a new key or list item; indent it like the lines "
                "above, or quote the value")
    return None


def misplaced_item(lines: list[str], first_line: int, last_line: int) -> tuple[int, int] | None:
    """The (line, column) of a list item written inside the text of the item above it.

    `- a.yaml` followed by a more indented `- b.yaml` is not a second item
    to YAML but the text "a.yaml - b.yaml"; that is never what was meant.
    `lines` is the file split at line breaks; line numbers are 1-based, as
    are the results.
    """
    for number in range(first_line + 1, last_line + 1):
        if number - 1 < len(lines):
            text = lines[number - 1]
            stripped = text.lstrip(" ")
            if stripped.startswith("- ") or stripped == "-":
                return number, len(text) - len(stripped) + 1
    return None


MISPLACED_ITEM = "this line is indented more than the list above it; start its '-' in the same column as the '-' above"


def trailing_comment(lines: list[str], line: int, column: int) -> str | None:
    """The ` # ...` comment after a value ending at 0-based (line, column), if any."""
    if line >= len(lines):
        return None
    rest = lines[line][column:]
    if rest[:1] in (" ", "\t") and rest.lstrip(" \t").startswith("#"):
        return rest.strip()
    return None
