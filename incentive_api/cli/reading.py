"""Reading a request body from a file or standard input, and saying why one was refused, alike for every
command that takes one (evaluate, esi, plan)."""

from __future__ import annotations

import sys
from pathlib import Path

from ..core.errors import RulesetError
from ..core.jsonwire import MalformedJson
from ..core.ruleset import Ruleset
from ..service.rules import load_checked

EXIT_FAIL, EXIT_USAGE = 1, 2


def read_body(source: str) -> bytes:
    """The bytes of FILE, or of standard input for '-'; raises OSError."""
    return sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()


def refusal(source: str, exc: Exception) -> list[str]:
    """Why a body was not read: one line, or one per invalid field named by its JSON pointer."""
    if isinstance(exc, OSError):
        return [f"error: cannot read {source}: {exc.strerror}"]
    if isinstance(exc, MalformedJson):
        return [f"error: {source}: {exc.detail}"]
    return [f"error: {err['pointer'] or '/'}: {err['message']}" for err in exc.errors]


def body_and_rules(source: str, rules_dir: str | None) -> tuple[bytes, Ruleset] | int:
    """The body of `source` and the ruleset a server would serve from `rules_dir` (default RULES_DIR); or,
    having said why on stderr, the exit status: 2 for a body that cannot be read, 1 for rules that do not load."""
    try:
        body = read_body(source)
    except OSError as exc:
        print("\n".join(refusal(source, exc)), file=sys.stderr)
        return EXIT_USAGE
    try:
        return body, load_checked(rules_dir)
    except RulesetError as exc:
        print("\n".join(str(err) for err in exc.errors), file=sys.stderr)
        return EXIT_FAIL
