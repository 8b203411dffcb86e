"""Compile condition trees (all / any / not / comparisons) into closures.

A compiled condition is called as cond(facts, criteria, missing) and returns
True, False or None (unknown because an input is absent). Every leaf appends one
explanation to `criteria`, and every child is evaluated, so an answer always
says both why and why not. Three-valued logic: a False anywhere decides `all`,
a True anywhere decides `any`; otherwise an unknown child makes the result unknown.
"""

from __future__ import annotations

import datetime as dt
import difflib
import operator
from collections.abc import Callable
from decimal import Decimal
from typing import NamedTuple

from .errors import rule_path_text
from .inputs import FIELDS, RANGES, FieldType
from .values import show, to_json

Cond = Callable[[dict, list, list], "bool | None"]

COMPARE = {
    "=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge,
}
OPS = (*COMPARE, "in", "not in", "present", "contains")
LEAF_KEYS = {"path", "op", "value", "why"}


class Leaf(NamedTuple):
    """One compiled comparison: its rule id and text (coverage, answers), and what it compares, so that
    what reads the rules (the sampler, advice) need not read the text back."""
    rule: str
    text: str
    path: str
    op: str
    value: object  # as the rule file gives it, a list as a tuple; None for 'present'


class Problems:
    """Collects located problems while compiling one rule file."""

    def __init__(self, locate):
        self.locate = locate  # (rule_path, key=None, severity) -> None, records a RuleError
        self.leaves: list[Leaf] = []  # every comparison compiled

    def __call__(self, rpath: tuple, message: str, key: str | None = None, severity: str = "error"):
        self.locate(rpath, message, key, severity)


def compile_condition(raw, rpath: tuple, problem: Problems) -> Cond | None:
    if not isinstance(raw, dict) or not raw:
        problem(rpath, "a condition is a mapping: {path, op, value}, or all/any/not")
        return None
    keys = set(raw)
    for combinator in ("all", "any"):
        if combinator in keys:
            if keys != {combinator}:
                problem(rpath, f"'{combinator}' stands alone; found also {sorted(keys - {combinator})}")
            items = raw[combinator]
            if not isinstance(items, list) or not items:
                problem(rpath + (combinator,), f"'{combinator}' takes a non-empty list of conditions")
                return None
            parts = [compile_condition(c, rpath + (combinator, i), problem) for i, c in enumerate(items)]
            if any(p is None for p in parts):
                return None
            return _all(parts) if combinator == "all" else _any(parts)
    if "not" in keys:
        if keys != {"not"}:
            problem(rpath, f"'not' stands alone; found also {sorted(keys - {'not'})}")
        inner = compile_condition(raw["not"], rpath + ("not",), problem)
        return None if inner is None else _not(inner)
    return _compile_leaf(raw, rpath, problem)


def _all(parts):
    return _kleene(parts, decisive=False)


def _any(parts):
    return _kleene(parts, decisive=True)


def _kleene(parts, decisive: bool):
    """Three-valued all (one False decides) or any (one True decides); unknown otherwise."""
    undecided = not decisive

    def cond(facts, crit, missing):
        result, unknown = undecided, []
        for part in parts:
            r = part(facts, crit, unknown)
            if r is decisive:
                result = decisive
            elif r is None and result is undecided:
                result = None
        if result is None:  # absent inputs matter only when nothing else decided
            missing.extend(unknown)
        return result
    return cond


def _not(inner):
    def cond(facts, crit, missing):
        r = inner(facts, crit, missing)
        return None if r is None else not r
    return cond


def _suggest(path: str) -> str:
    close = difflib.get_close_matches(path, FIELDS, n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def _value_ok(ftype: FieldType, value) -> bool:
    k = ftype.kind
    if k in ("number", "integer"):
        return isinstance(value, (int, Decimal)) and not isinstance(value, bool) and (
            k == "number" or value == int(value))
    if k == "bool":
        return isinstance(value, bool)
    if k == "date":
        return isinstance(value, dt.date)
    if k in ("enum", "enum_list"):
        return isinstance(value, str) and value in ftype.choices
    return isinstance(value, str)


def _compile_leaf(raw: dict, rpath: tuple, problem: Problems) -> Cond | None:
    cond = _compile_comparison(raw, rpath, problem)
    if cond is not None:
        value = raw.get("value")
        problem.leaves.append(Leaf(rule_path_text(rpath), condition_text(raw), raw["path"], raw.get("op", "="),
                                   tuple(value) if isinstance(value, list) else value))
    return cond


def _compile_comparison(raw: dict, rpath: tuple, problem: Problems) -> Cond | None:
    bad = set(raw) - LEAF_KEYS
    for key in sorted(bad):
        problem(rpath + (key,), f"unknown key {key!r} in a condition (allowed: path, op, value, why, or all/any/not)", key=key)
    path, op = raw.get("path"), raw.get("op", "=")
    if not isinstance(path, str):
        problem(rpath, "a condition needs 'path': the input it reads, e.g. vessel.esi.score")
        return None
    ftype = FIELDS.get(path)
    if ftype is None:
        problem(rpath + ("path",), f"unknown input path {path!r}{_suggest(path)}")
        return None
    if op not in OPS:
        problem(rpath + ("op",), f"unknown operator {op!r}; use one of {', '.join(OPS)}")
        return None
    why = raw.get("why")
    if why is not None and not isinstance(why, str):
        problem(rpath + ("why",), "'why' is a short text")
        why = None
    has_value = "value" in raw
    value = raw.get("value")
    if op == "present":
        if has_value and value is not True:
            problem(rpath + ("value",), "'present' takes no value")
        return _present(path, why, rule_path_text(rpath))
    if not has_value:
        problem(rpath, f"operator {op!r} needs a 'value'")
        return None
    kind = ftype.kind
    if op == "contains":
        if kind != "enum_list":
            problem(rpath + ("op",), f"'contains' is for lists; {path} is {ftype.describe()}")
            return None
        if not _value_ok(ftype, value):
            problem(rpath + ("value",), f"{value!r} is not a valid item of {path} ({ftype.describe()})")
            return None
        return _leaf(path, op, value, lambda v: value in v, why, rule_path_text(rpath))
    if kind == "enum_list":
        problem(rpath + ("op",), f"{path} is a list: use 'contains' or 'present'")
        return None
    if op in ("in", "not in"):
        if not isinstance(value, list) or not value:
            problem(rpath + ("value",), f"{op!r} takes a non-empty list")
            return None
        wrong = [v for v in value if not _value_ok(ftype, v)]
        if wrong:
            problem(rpath + ("value",), f"{wrong!r} cannot match {path}, which is {ftype.describe()}")
            return None
        members = frozenset(value)
        test = (lambda v: v in members) if op == "in" else (lambda v: v not in members)
        return _leaf(path, op, value, test, why, rule_path_text(rpath))
    if kind in ("bool", "string", "enum") and op not in ("=", "!="):
        problem(rpath + ("op",), f"{op!r} does not apply to {path}, which is {ftype.describe()}")
        return None
    if not _value_ok(ftype, value):
        problem(rpath + ("value",), f"{value!r} cannot be compared with {path}, which is {ftype.describe()}")
        return None
    never = _never_true(path, op, value)
    if never:
        problem(rpath + ("value",), f"this condition can never be true: {never}")
        return None
    fn = COMPARE[op]
    return _leaf(path, op, value, lambda v: fn(v, value), why, rule_path_text(rpath))


def _never_true(path: str, op: str, value) -> str:
    """Why `path op value` cannot hold for any valid request, or ''."""
    bounds = RANGES.get(path)
    if bounds is None or not isinstance(value, (int, Decimal)) or isinstance(value, bool):
        return ""
    lo, hi = bounds
    impossible = {
        "<": lo is not None and value <= lo, "<=": lo is not None and value < lo,
        ">": hi is not None and value >= hi, ">=": hi is not None and value > hi,
        "=": (lo is not None and value < lo) or (hi is not None and value > hi),
    }.get(op, False)
    if not impossible:
        return ""
    return f"{path} is always within [{lo}, {hi}]"


def _leaf(path, op, value, test, why, rule) -> Cond:
    label = f" ({why})" if why else ""
    target = show(value)
    prefix = path + " is "
    ok_tail = f": meets {op} {target}{label}"
    fail_tail = f": needs {op} {target}{label}"
    absent = f"{path} not given: needs {op} {target}{label}"

    def cond(facts, crit, missing):
        v = facts[path]
        if v is None:
            crit.append({"passed": None, "path": path, "value": None, "reason": absent, "rule": rule})
            missing.append(path)
            return None
        ok = test(v)
        crit.append({"passed": ok, "path": path, "value": to_json(v),
                     "reason": prefix + show(v) + (ok_tail if ok else fail_tail), "rule": rule})
        return ok
    return cond


def _present(path, why, rule) -> Cond:
    label = f" ({why})" if why else ""
    yes, no = f"{path} is given{label}", f"{path} is not given{label}"

    def cond(facts, crit, missing):
        v = facts[path]
        ok = v is not None
        crit.append({"passed": ok, "path": path, "value": to_json(v), "reason": yes if ok else no, "rule": rule})
        return ok
    return cond


def condition_text(raw) -> str:
    """A one-line reading of a condition tree, for catalogues: 'a >= 1 and (b = x or not c present)'."""
    if not isinstance(raw, dict):
        return "?"
    for key, joiner in (("all", " and "), ("any", " or ")):
        if key in raw and isinstance(raw[key], list):
            parts = [condition_text(c) for c in raw[key]]
            return parts[0] if len(parts) == 1 else "(" + joiner.join(parts) + ")"
    if "not" in raw:
        return "not " + condition_text(raw["not"])
    op = raw.get("op", "=")
    if op == "present":
        return f"{raw.get('path')} present"
    return f"{raw.get('path')} {op} {show(raw.get('value'))}"
