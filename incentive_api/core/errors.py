"""Located rule errors: every problem in a rule file is reported as file:line:col."""

from __future__ import annotations

from dataclasses import dataclass


def rule_path_text(rpath: tuple) -> str:
    """('editions', 1, 'bands', 0) -> 'editions[1].bands[0]'."""
    out = ""
    for part in rpath:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass(frozen=True, order=True)
class RuleError:
    file: str
    line: int  # 1-based
    col: int  # 1-based
    message: str
    rule_path: str = ""
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        where = f" [{self.rule_path}]" if self.rule_path else ""
        tag = "" if self.severity == "error" else f"{self.severity}: "
        return f"{self.file}:{self.line}:{self.col}: {tag}{self.message}{where}"


class RulesetError(Exception):
    """Raised when a ruleset cannot be loaded; carries every error found."""

    def __init__(self, errors: list[RuleError]):
        self.errors = sorted(errors)
        super().__init__("\n".join(str(e) for e in self.errors))
