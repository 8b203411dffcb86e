"""Turn rule-file text into plain Python data plus a map of where each value sits.

Only the YAML core types are built (mappings, sequences, strings, numbers,
booleans, null, dates); any other tag is an error, so no file can construct
objects. Anchors and aliases are refused outright: operators do not need them
and they are how "billion laughs" files blow up. Size and nesting are capped.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import yaml

try:  # libyaml's composer is ~28x faster than the pure-Python one
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - wheels ship libyaml
    _Loader = yaml.SafeLoader

from .errors import RuleError

MAX_BYTES = 1_000_000
MAX_DEPTH = 32

Path = tuple  # a tuple of keys and indexes from the document root
Marks = dict  # Path -> (line, col) of the value; ("key",) + Path -> (line, col) of the key

_T = "tag:yaml.org,2002:"


class YamlProblem(Exception):
    def __init__(self, line: int, col: int, message: str):
        self.line, self.col, self.message = line, col, message
        super().__init__(message)


def load_located(text: str, filename: str) -> tuple[Any, Marks, list[RuleError]]:
    """Parse `text`; returns (data, marks, errors). `data` is None when errors."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return None, {}, [RuleError(filename, 1, 1, f"file is larger than {MAX_BYTES} bytes; refused")]
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        msg = f"YAML syntax: {exc.problem}" + (f" ({exc.context})" if exc.context else "")
        return None, {}, [RuleError(filename, line, col, msg)]
    except yaml.YAMLError as exc:
        return None, {}, [RuleError(filename, 1, 1, f"YAML syntax: {exc}")]
    except RecursionError:
        return None, {}, [RuleError(filename, 1, 1, f"nesting deeper than {MAX_DEPTH} levels; refused")]
    if node is None:
        return None, {}, [RuleError(filename, 1, 1, "file is empty")]
    marks: Marks = {}
    try:
        data = _build(node, (), marks, set(), 0)
    except YamlProblem as p:
        return None, {}, [RuleError(filename, p.line, p.col, p.message)]
    return data, marks, []


def _at(node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _build(node, path: tuple, marks: Marks, seen: set, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise YamlProblem(*_at(node), f"nesting deeper than {MAX_DEPTH} levels; refused")
    if id(node) in seen:
        raise YamlProblem(*_at(node), "anchors and aliases are not allowed in rule files")
    seen.add(id(node))
    if getattr(node, "anchor", None):
        raise YamlProblem(*_at(node), "anchors and aliases are not allowed in rule files")
    marks[path] = _at(node)
    if isinstance(node, yaml.MappingNode):
        if node.tag != _T + "map":
            raise YamlProblem(*_at(node), f"tag {node.tag!r} is not allowed")
        out: dict = {}
        for knode, vnode in node.value:
            if not isinstance(knode, yaml.ScalarNode) or knode.tag == _T + "merge":
                raise YamlProblem(*_at(knode), "mapping keys must be plain strings (no merge keys)")
            key = knode.value
            if key in out:
                raise YamlProblem(*_at(knode), f"duplicate key {key!r}")
            marks[("key",) + path + (key,)] = _at(knode)
            out[key] = _build(vnode, path + (key,), marks, seen, depth + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _T + "seq":
            raise YamlProblem(*_at(node), f"tag {node.tag!r} is not allowed")
        return [_build(v, path + (i,), marks, seen, depth + 1) for i, v in enumerate(node.value)]
    return _scalar(node)


def _scalar(node) -> Any:
    tag, value = node.tag, node.value
    if tag == _T + "str":
        return value
    if tag == _T + "null":
        return None
    if tag == _T + "bool":
        return value.lower() in ("true", "yes", "on", "y")
    if tag == _T + "int":
        try:
            return int(value.replace("_", ""), 0)
        except ValueError:
            raise YamlProblem(*_at(node), f"not an integer: {value!r}") from None
    if tag == _T + "float":
        # Kept as text so that money and thresholds never pass through binary floats.
        low = value.lower()
        if low in (".nan", ".inf", "-.inf", "+.inf"):
            raise YamlProblem(*_at(node), f"{value!r} is not allowed in rule files")
        return Decimal(value.replace("_", ""))
    if tag == _T + "timestamp":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise YamlProblem(*_at(node), f"only plain dates (YYYY-MM-DD) are allowed, got {value!r}") from None
    raise YamlProblem(*_at(node), f"tag {tag!r} is not allowed")

