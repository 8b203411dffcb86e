"""Settings from environment variables, with defaults that need no editing to start."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .adapters.rulefiles import DEFAULT_DIR


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, got {raw!r}") from None


@dataclass(frozen=True)
class Settings:
    rules_dir: Path = field(default_factory=lambda: Path(os.environ.get("RULES_DIR") or DEFAULT_DIR))
    max_body_bytes: int = field(default_factory=lambda: _int("MAX_BODY_BYTES", 4 * 1024 * 1024))
    max_batch_items: int = field(default_factory=lambda: _int("MAX_BATCH_ITEMS", 1000))
