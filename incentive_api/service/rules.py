"""The ruleset this process serves, swapped whole so no answer mixes two revisions."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from ..adapters.rulefiles import load_ruleset
from ..core.errors import RulesetError
from ..core.ruleset import Ruleset
from .clock import utc_now_text


@dataclass(frozen=True)
class Active:
    ruleset: Ruleset
    loaded_at: str


class RulesState:
    def __init__(self, directory: Path):
        self.directory = directory
        self.active: Active | None = None  # read once per request: an atomic reference
        self.last_errors: list = []  # the RuleError objects of the last failed load
        self._lock = threading.Lock()

    @classmethod
    def holding(cls, ruleset: Ruleset) -> "RulesState":
        """A state serving an already compiled ruleset (the command line, what-if)."""
        state = cls(Path("."))
        state.active = Active(ruleset, utc_now_text())
        return state

    @property
    def last_error(self) -> list[str] | None:
        """The last failed load's errors as text, or None after a good load."""
        return [str(e) for e in self.last_errors] or None

    def load(self) -> bool:
        """Load and validate the whole directory; only a good ruleset replaces the active one."""
        with self._lock:
            try:
                ruleset = load_ruleset(self.directory)
            except RulesetError as exc:
                self.last_errors = [e for e in exc.errors if e.severity == "error"]
                return False
            self.active = Active(ruleset, utc_now_text())
            self.last_errors = []
            return True
