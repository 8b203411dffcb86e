"""Read a rules directory from disk: the (name, text) pairs the core compiler takes."""

from __future__ import annotations

from pathlib import Path

from ..core.errors import RuleError, RulesetError
from ..core.yamlsafe import MAX_BYTES

SUFFIXES = (".yaml", ".yml")


def read_rule_files(directory: Path) -> list[tuple[str, str]]:
    """(name relative to `directory`, text) for every rule file below it.

    Hidden files and folders are not read: editors keep their swap and backup copies there, and Kubernetes
    keeps a mounted ConfigMap's files in a hidden folder with a link to each beside it."""
    directory = Path(directory)
    if not directory.is_dir():
        raise RulesetError([RuleError(str(directory), 1, 1, "rules directory not found")])
    files, errors = [], []
    for path in sorted(directory.rglob("*")):
        if path.suffix not in SUFFIXES or not path.is_file():
            continue
        relative = path.relative_to(directory)
        if any(part.startswith(".") for part in relative.parts):
            continue
        name = str(relative)
        if path.stat().st_size > MAX_BYTES:
            errors.append(RuleError(name, 1, 1, f"file is larger than {MAX_BYTES} bytes; refused"))
            continue
        try:
            files.append((name, path.read_text(encoding="utf-8")))
        except UnicodeDecodeError as exc:
            errors.append(RuleError(name, 1, 1, f"not UTF-8 text: {exc.reason} at byte {exc.start}"))
    if errors:
        raise RulesetError(errors)
    if not files:
        raise RulesetError([RuleError(str(directory), 1, 1, "no rule files (*.yaml) found")])
    return files
