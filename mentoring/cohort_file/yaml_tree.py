"""The cohort file's YAML as plain data: dicts, lists, strings and None, with the line of each value.

Every scalar stays the text it was written as (``16:00``, ``no``, ``0123`` and
``2027-02-01`` are all strings), so there are no YAML 1.1 type surprises; the field
checks parse them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from mentoring.cohort_file.problems import Report
from mentoring.cohort_file.reading import MAX_VALUES
from mentoring.inputs import short

_NULL_TAG = "tag:yaml.org,2002:null"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_MAX_DEPTH = 30
# PyYAML's scanner is slow on deeply nested flow collections ("[[[[..."); brackets in
# text count too, and 50 is plenty for a cohort file.
_MAX_BRACKETS = 50
Path_ = tuple[Any, ...]


@dataclass
class Tree:
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    # Problems found on the way (duplicate keys and the like): path, message, line.
    pending: list[tuple[Path_, str, int | None]] = field(default_factory=list)


class _TooComplex(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def _too_many_values(line: int) -> _TooComplex:
    return _TooComplex(line, f"the file holds more than {MAX_VALUES} values; a cohort file is much smaller")


class _Loader(yaml.SafeLoader):
    """Composes like ``SafeLoader``, but stops after ``MAX_VALUES`` nodes.

    PyYAML is slow (pure Python): a 5 MB file of tiny values took minutes to
    compose before ``convert`` could count them. Counting while composing
    keeps any file under the size limit to a few seconds.
    """

    def __init__(self, stream: str):
        super().__init__(stream)
        self.nodes = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.nodes += 1
        if self.nodes > MAX_VALUES:
            # PyYAML's Composer has no annotations.
            raise _too_many_values(self.peek_event().start_mark.line + 1)  # type: ignore[no-untyped-call]
        return super().compose_node(parent, index)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _join_surrogates(value: str) -> str:
    """Join escaped UTF-16 pairs: JSON writes an emoji as "\\ud83d\\ude00", PyYAML reads two halves.

    Lone halves stay, and the field checks refuse them.
    """
    if not _SURROGATE.search(value):
        return value
    try:
        return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError:
        return value


def parse_yaml(text: str, display: str, add: Report) -> Tree | None:
    """The file's data, or None after reporting why it cannot be read as YAML."""
    if _nested_too_deeply(text, display, add):
        return None
    composed, root = _compose(text, display, add)
    if not composed:
        return None
    if root is None or (isinstance(root, yaml.ScalarNode) and root.tag == _NULL_TAG):
        add(display, "the file is empty")
        return None
    tree = Tree(data=None)
    try:
        tree.data = _Converter(tree).convert(root, (), 0)
    except _TooComplex as e:
        add(f"{display} line {e.line}", e.message)
        return None
    return tree


def _nested_too_deeply(text: str, display: str, add: Report) -> bool:
    depth = 0
    opening = text.count("[") + text.count("{")
    for index, ch in enumerate(text if opening > _MAX_BRACKETS else ""):
        if ch in "[{":
            depth += 1
            if depth > _MAX_BRACKETS:
                add(f"{display} line {text.count(chr(10), 0, index) + 1}", "the file is nested too deeply")
                return True
        elif ch in "]}":
            depth = max(0, depth - 1)
    return False


def _compose(text: str, display: str, add: Report) -> tuple[bool, yaml.Node | None]:
    """The YAML node tree (what ``yaml.compose`` does, with the loader at hand for errors)."""
    loader: _Loader | None = None
    try:
        loader = _Loader(text)  # checks for unprintable characters already
        return True, loader.get_single_node()
    except yaml.MarkedYAMLError as e:
        add(*_marked_error(e, display))
    except yaml.YAMLError as e:
        position = getattr(e, "position", None)
        where = f"{display} line {text[:position].count(chr(10)) + 1}" if position is not None else display
        add(where, f"malformed YAML: {getattr(e, 'reason', None) or e}")
    except RecursionError:
        add(display, "malformed YAML: nested too deeply")
    except _TooComplex as e:
        add(f"{display} line {e.line}", e.message)
    except ValueError:
        add(*_value_error(loader, text, display))
    finally:
        if loader is not None:
            loader.dispose()
    return False, None


def _marked_error(e: yaml.MarkedYAMLError, display: str) -> tuple[str, str]:
    mark = e.problem_mark or e.context_mark
    where = f"{display} line {mark.line + 1}, column {mark.column + 1}" if mark else display
    reason = e.problem or "unreadable YAML"
    if e.context:
        reason = f"{reason} ({e.context})"
    if "'\\t'" in reason:
        reason += "; YAML does not allow tabs for indentation, use spaces"
    return where, f"malformed YAML: {reason}"


def _value_error(loader: _Loader | None, text: str, display: str) -> tuple[str, str]:
    """PyYAML's scanner lets Python fail on "\\U00110000" (past the last character)
    and on a %YAML directive with thousands of digits."""
    mark = loader.get_mark() if loader is not None else None
    lines_of_text = text.splitlines()
    line_text = lines_of_text[mark.line] if mark and mark.line < len(lines_of_text) else ""
    reason = (
        "a number in this directive is far too long"
        if line_text.startswith("%")
        else "an escape names no character (the last one is \\U0010FFFF)"
    )
    where = f"{display} line {mark.line + 1}, column {mark.column + 1}" if mark else display
    return where, f"malformed YAML: {reason}"


def _lines(a: int, b: int) -> str:
    return f"on line {a}" if a == b else f"lines {a} and {b}"


class _Converter:
    """Turns nodes into plain data, noting each path's line; counts values and refuses cycles."""

    def __init__(self, tree: Tree):
        self.tree = tree
        self.count = 0
        self.active: set[int] = set()

    def convert(self, node: yaml.Node, path: Path_, depth: int) -> Any:
        self.count += 1
        line = node.start_mark.line + 1
        if self.count > MAX_VALUES:
            raise _too_many_values(line)
        if depth > _MAX_DEPTH:
            raise _TooComplex(line, "the file is nested too deeply")
        self.tree.lines.setdefault(path, line)
        if isinstance(node, yaml.ScalarNode):
            return None if node.tag == _NULL_TAG else _join_surrogates(node.value)
        if id(node) in self.active:
            raise _TooComplex(line, "an alias (*name) refers to the value that contains it")
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.convert(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
            return self._mapping(node, path, depth)
        finally:
            self.active.discard(id(node))

    def _mapping(self, node: yaml.Node, path: Path_, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        key_lines: dict[str, int] = {}
        merged: list[yaml.Node] = []
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if key_node.tag == _MERGE_TAG:
                merged.append(value_node)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.tree.pending.append((path, "a key must be plain text, not a list or mapping", key_line))
                continue
            key = key_node.value
            if key in key_lines:
                message = f"the key '{short(key)}' appears twice ({_lines(key_lines[key], key_line)}); keep one"
                self.tree.pending.append((path + (key,), message, key_line))
                continue
            key_lines[key] = key_line
            self.tree.lines[path + (key,)] = key_line
            result[key] = self.convert(value_node, path + (key,), depth + 1)
        for value_node in merged:
            self._merge(result, value_node, path, depth)
        return result

    def _merge(self, result: dict[str, Any], value_node: yaml.Node, path: Path_, depth: int) -> None:
        """``<<: *defaults``: keys written out win over merged ones."""
        sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        for source in sources:
            value = self.convert(source, path + ("<<",), depth + 1)
            if not isinstance(value, dict):
                self.tree.pending.append((path + ("<<",), "'<<' must refer to a mapping", None))
                continue
            for key, item in value.items():
                result.setdefault(key, item)
