"""The ruleset this process serves, swapped whole so no answer mixes two revisions, and the one way a
ruleset is built from rule files, for the server, the command line and the dry-run alike.

A ruleset becomes active only when it compiles and every example its files carry
passes, and only from the exact files it was compiled from, which travel with it
when it is published.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from ..adapters import metrics
from ..adapters.rulefiles import read_rule_files
from ..config import rules_dir
from ..core.compiler import SOURCES_FILE
from ..core.errors import RuleError, RulesetError
from ..core.examples import example_errors
from ..core.ruleset import Ruleset, compile_ruleset
from .clock import utc_now_text


@dataclass(frozen=True)
class Active:
    ruleset: Ruleset
    loaded_at: str
    files: tuple = ()  # the (name, text) pairs it was compiled from: what a publication carries


def compiled(files) -> Ruleset:
    """Rule files (name, text) compiled, with a warning when they carry no source list; raises RulesetError
    with every error. Their examples are not run: `rules test` and the dry-run report them."""
    ruleset = compile_ruleset(list(files))
    if SOURCES_FILE not in ruleset.files:
        # A directory without its source list still loads, but nobody should miss that it has none.
        ruleset.warnings.append(RuleError(SOURCES_FILE, 1, 1, "no source list in this rules directory: "
                                          "citations are not checked and answers give no source titles or urls",
                                          severity="warning"))
    return ruleset


def compile_checked(files) -> Ruleset:
    """What may be served: rule files compiled, and every example they carry passing; raises RulesetError
    with every error and failing example."""
    ruleset = compiled(files)
    failing = example_errors(ruleset)
    if failing:
        raise RulesetError(failing)
    return ruleset


def directory_files(directory=None) -> list[tuple[str, str]]:
    """The rule files of a directory (default: RULES_DIR); raises RulesetError for one that cannot be read."""
    return read_rule_files(Path(directory) if directory else rules_dir())


def load_checked(directory=None) -> Ruleset:
    """The ruleset a server would serve from this directory (default: RULES_DIR)."""
    return compile_checked(directory_files(directory))


def load_compiled(directory=None) -> Ruleset:
    """The directory's ruleset whether or not its examples pass (to report them, or what-if)."""
    return compiled(directory_files(directory))


class RulesState:
    def __init__(self, directory: Path):
        self.directory = directory
        self.active: Active | None = None  # read once per request: an atomic reference
        self.last_errors: list = []  # the RuleError objects of the last failed load
        self._lock = threading.Lock()
        # A fork while another thread holds the lock would leave the child's copy locked for ever.
        os.register_at_fork(after_in_child=self._new_lock)

    def _new_lock(self) -> None:
        self._lock = threading.Lock()

    @classmethod
    def holding(cls, ruleset: Ruleset) -> RulesState:
        """A state serving an already compiled ruleset (the command line, what-if)."""
        state = cls(Path("."))
        state.active = Active(ruleset, utc_now_text())
        return state

    @property
    def last_error(self) -> list[str] | None:
        """The last failed load's errors as text, or None after a good load."""
        return [str(e) for e in self.last_errors] or None

    def load(self) -> bool:
        """Load, validate and test the whole directory; only a good ruleset replaces the active one."""
        try:
            files = read_rule_files(self.directory)
        except RulesetError as exc:
            loaded = self._refused(exc.errors)
        else:
            loaded = self.activate(files)
        metrics.rules_loaded(loaded)
        return loaded

    def activate(self, files, revision: str | None = None) -> bool:
        """Serve the ruleset of these files; with `revision`, only if they are exactly that revision."""
        with self._lock:
            try:
                ruleset = compile_checked(files)
            except RulesetError as exc:
                return self._refused(exc.errors)
            if revision is not None and ruleset.revision != revision:
                return self._refused([RuleError("(published)", 1, 1, f"the files are revision {ruleset.revision}, "
                                                f"not the published {revision}")])
            self.active = Active(ruleset, utc_now_text(), tuple(files))
            self.last_errors = []
            metrics.ruleset_active(ruleset.revision)
            return True

    def _refused(self, errors) -> bool:
        self.last_errors = [e for e in errors if e.severity == "error"]
        return False
