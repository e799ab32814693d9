"""Strict YAML reading that remembers where every value came from.

PyYAML's `safe_load` takes the last of two duplicate keys without a word and
expands aliases without limit; clinic staff editing by hand need the first
reported and nobody needs the second. So files are composed into nodes with
a SafeLoader that refuses anchors and aliases, then turned into plain Python
while each value's line is recorded under its key path.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import Problem, display_path
from .reading import TEXT_LIMIT, ReadError, read_bytes
from .yamlwords import MISPLACED_ITEM, explain, misplaced_item, trailing_comment

MAX_BYTES = TEXT_LIMIT

# The tags a plain YAML document resolves to implicitly; anything else is an
# explicit tag (`!!python/object`, `!!binary`, `!custom`) that has no place in
# clinic content.
_CORE_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")
}

Key = tuple[Any, ...]


class _YamlProblem(Exception):
    def __init__(self, mark: yaml.Mark | None, message: str):
        super().__init__(message)
        self.mark = mark
        self.message = message


MAX_DEPTH = 50


class _Strict:
    """Composing that refuses anchors, aliases and absurd nesting (mixed into a loader)."""

    _depth = 0

    def compose_node(self, parent, index):  # noqa: ANN001 - PyYAML's signature
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _YamlProblem(event.start_mark, "aliases (*name) are not allowed; write the value out")
        if getattr(event, "anchor", None) is not None:
            raise _YamlProblem(event.start_mark, "anchors (&name) are not allowed; write the value out")
        # PyYAML composes recursively: thousands of nested brackets would
        # end in a RecursionError rather than a message.
        if self._depth >= MAX_DEPTH:
            raise _YamlProblem(event.start_mark, f"values are nested more than {MAX_DEPTH} levels deep")
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _StrictLoader(_Strict, yaml.SafeLoader):
    """PyYAML's own scanner and parser, in Python: the one whose error messages yamlwords explains."""


try:
    from yaml.cyaml import CParser as _CParser
except ImportError:  # PyYAML built without libyaml: the Python loader alone
    _CParser = None


if _CParser is not None:
    class _FastStrictLoader(_Strict, yaml.composer.Composer, _CParser, yaml.constructor.SafeConstructor,
                            yaml.resolver.Resolver):
        """libyaml's scanner and parser (in C, four times faster) under the same strict Python composer.

        Only the events come from C: nodes, tags, marks and the checks are
        the Python loader's. A file libyaml refuses is read again with
        `_StrictLoader`, so every message is worded as before.
        """

        def __init__(self, stream):
            _CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)


@dataclass(frozen=True)
class YamlDoc:
    """A loaded YAML file: its data and the line of each value by key path."""

    path: Path
    data: Any
    lines: dict[Key, int] = field(default_factory=dict)
    # Scalar styles ('|', '>', '', '"', "'") and (first, last) file lines:
    # a literal block keeps the file's line breaks, so a line inside its text
    # maps to a file line by offset; folded and plain multi-line scalars do
    # not, and problems in them are placed by searching the raw lines.
    styles: dict[Key, str] = field(default_factory=dict)
    spans: dict[Key, tuple[int, int]] = field(default_factory=dict)
    source: str = ""
    # Plain (unquoted) values followed by ` # ...` on their last line: YAML
    # drops that text as a comment, which in a title is rarely meant.
    comments: dict[Key, tuple[int, str]] = field(default_factory=dict)

    @property
    def shown(self) -> str:
        """The path as messages show it."""
        return display_path(self.path)

    def line(self, *key: Any) -> int | None:
        """Line of the value at `key`, or of its nearest parent that has one."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 1)

    def text_start(self, *key: Any) -> int:
        """File line on which the text of the scalar at `key` begins."""
        line = self.line(*key) or 1
        return line + 1 if self.styles.get(key) in ("|", ">") else line

    def exact_lines(self, *key: Any) -> bool:
        """Whether line N of the scalar's text is file line text_start + N - 1."""
        first, last = self.spans.get(key, (0, 0))
        return self.styles.get(key) == "|" or first == last

    def raw_lines(self, *key: Any) -> tuple[tuple[int, str], ...]:
        """The file lines the scalar at `key` spans, numbered."""
        first, last = self.spans.get(key, (0, -1))
        lines = self.source.split("\n")
        return tuple((n, lines[n - 1]) for n in range(first, last + 1) if 0 < n <= len(lines))

    def problem(self, message: str, *key: Any) -> Problem:
        """A problem located at `key` in this file."""
        return Problem(self.shown, self.line(*key), message)


# Loaders catch one error for "this file cannot be read", YAML or not.
YamlReadError = ReadError


def read_text(path: Path, *, max_bytes: int = MAX_BYTES, what: str = "file") -> str:
    """Read a UTF-8 text file, refusing missing, huge, binary or non-UTF-8 ones.

    The text is returned in Unicode normal form C: "José" typed with a
    combining accent and with a precomposed é is then the same value, prints
    the same and gives the same bytes.
    """
    shown = display_path(path)
    raw = read_bytes(path, max_bytes=max_bytes, what=what)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlReadError(
            Problem(shown, line, f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8")
        ) from None
    if "\x00" in text:
        raise YamlReadError(Problem(shown, None, f"{what} holds NUL bytes; is it a text file?"))
    return unicodedata.normalize("NFC", text)


def load_yaml(path: Path, *, max_bytes: int = MAX_BYTES, what: str = "YAML file") -> YamlDoc:
    """Load one YAML document strictly, recording the line of each value.

    Raises YamlReadError with a located problem for unreadable files, syntax
    errors, duplicate keys, anchors, aliases, explicit tags and empty files.
    """
    text = read_text(path, max_bytes=max_bytes, what=what)
    if _CParser is not None:
        try:
            return _compose(path, text, _FastStrictLoader, what)
        except (YamlReadError, yaml.YAMLError, RecursionError):
            pass  # read again below, for the Python loader's exact message
    return _compose(path, text, _StrictLoader, what)


def _compose(path: Path, text: str, loader_class: type, what: str) -> YamlDoc:
    shown = display_path(path)
    try:
        loader = loader_class(text)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise YamlReadError(Problem(shown, line, f"invalid YAML: control character U+{exc.character:04X} "
                                                 "is not allowed; delete it")) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise YamlReadError(Problem(shown, None, f"{what} is empty"))
        lines: dict[Key, int] = {(): node.start_mark.line + 1}
        styles: dict[Key, str] = {}
        spans: dict[Key, tuple[int, int]] = {}
        comments: dict[Key, tuple[int, str]] = {}
        data = _to_python(loader, node, (), lines, (styles, spans, text.split("\n"), comments))
    except _YamlProblem as exc:
        line = exc.mark.line + 1 if exc.mark else None
        col = f" (column {exc.mark.column + 1})" if exc.mark else ""
        raise YamlReadError(Problem(shown, line, f"{exc.message}{col}")) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        reason = explain(exc, text) or exc.problem or exc.context or "invalid YAML"
        col = f" (column {mark.column + 1})" if mark else ""
        raise YamlReadError(Problem(shown, line, f"invalid YAML: {reason}{col}")) from None
    except yaml.YAMLError as exc:
        raise YamlReadError(Problem(shown, None, f"invalid YAML: {exc}")) from None
    except RecursionError:
        raise YamlReadError(Problem(shown, None, "invalid YAML: nested too deeply")) from None
    finally:
        loader.dispose()
    return YamlDoc(path=path, data=data, lines=lines, styles=styles, spans=spans, source=text, comments=comments)


def _to_python(loader: yaml.SafeLoader, node: yaml.Node, key: Key, lines: dict, scalars: tuple) -> Any:
    if node.tag not in _CORE_TAGS:
        raise _YamlProblem(node.start_mark, f"the tag {node.tag!r} is not allowed; plain values only")
    lines[key] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _YamlProblem(key_node.start_mark, "a key must be plain text")
            k = _scalar(loader, key_node, key)
            if not isinstance(k, (str, int, float, bool)) and k is not None:
                raise _YamlProblem(key_node.start_mark, "a key must be plain text")
            if k in result:
                first = lines.get(key + (k,), "?")
                raise _YamlProblem(key_node.start_mark, f"duplicate key {k!r} (first on line {first})")
            result[k] = _to_python(loader, value_node, key + (k,), lines, scalars)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(loader, item, key + (i,), lines, scalars) for i, item in enumerate(node.value)]
    styles, spans, source_lines, comments = scalars
    styles[key] = node.style or ""
    # end_mark of a block scalar sits on the line after its last text line.
    last = node.end_mark.line + (0 if node.end_mark.column else -1) + 1
    spans[key] = (node.start_mark.line + 1, max(last, node.start_mark.line + 1))
    if not node.style and key and isinstance(key[-1], int):
        misplaced = misplaced_item(source_lines, *spans[key])
        if misplaced:
            raise _YamlProblem(yaml.Mark("", 0, misplaced[0] - 1, misplaced[1] - 1, None, None), MISPLACED_ITEM)
    if not node.style:
        comment = trailing_comment(source_lines, node.end_mark.line, node.end_mark.column)
        if comment:
            comments[key] = (node.end_mark.line + 1, comment)
    return _scalar(loader, node, key)


def _scalar(loader: yaml.SafeLoader, node: yaml.ScalarNode, key: Key) -> Any:
    if node.tag not in _CORE_TAGS:
        raise _YamlProblem(node.start_mark, f"the tag {node.tag!r} is not allowed; plain values only")
    try:
        value = loader.construct_object(node)
    except (ValueError, KeyError, IndexError, AttributeError, TypeError, OverflowError):
        # PyYAML's constructors crash on values their tag cannot hold:
        # `!!int abc`, `!!bool maybe`, a date like 2026-13-45.
        kind = {"timestamp": "date"}.get(node.tag.rsplit(":", 1)[-1], node.tag.rsplit(":", 1)[-1])
        where = f"'{'.'.join(str(k) for k in key)}': " if key else ""
        raise _YamlProblem(node.start_mark, f"{where}{node.value!r} is not a valid {kind}; "
                                            "put text in quotes, write dates as YYYY-MM-DD") from None
    # An escape such as "Jose\u0301" is decoded only here, after read_text
    # normalised the file's text.
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value
