"""Reading a request body from a file or standard input, and saying why one was refused, alike for every
command that takes one (evaluate, esi, plan)."""

from __future__ import annotations

import sys
from pathlib import Path

from ..core.jsonwire import MalformedJson


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
