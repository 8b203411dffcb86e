"""A loaded ruleset: every program, indexed by port and date, with a content revision."""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from functools import lru_cache

from .compiler import AREAS_FILE, SOURCES_FILE, compile_area_list, compile_file, compile_source_list
from .errors import RuleError, RulesetError
from .model import Edition, Program


def revision_of(files: list[tuple[str, str]]) -> str:
    """A content hash of all rule files: names and bytes, in name order."""
    h = hashlib.sha256()
    for name, text in sorted(files):
        data = text.encode("utf-8")
        h.update(name.encode("utf-8") + b"\0" + str(len(data)).encode() + b"\0" + data)
    return h.hexdigest()[:16]


class _PortIndex:
    """Editions of one port (or one country wildcard), cut into date segments.

    Between two consecutive window edges the set of editions in effect cannot
    change, so a lookup is one bisect.
    """

    def __init__(self, editions: list[Edition]):
        edges = sorted({d for e in editions for d in (e.start, e.until) if d is not None})
        self.edges = edges
        probes = [dt.date.min] + edges
        self.segments = [tuple(sorted((e for e in editions if e.in_effect(day)), key=lambda e: e.program.id))
                         for day in probes]

    def at(self, day: dt.date) -> tuple:
        return self.segments[bisect.bisect_right(self.edges, day)]


@dataclass
class Ruleset:
    programs: dict  # id -> Program
    revision: str
    files: list  # relative file names
    warnings: list = field(default_factory=list)
    areas: dict = field(default_factory=dict)  # port or country* -> ECA id or "none" (AREAS_FILE)

    def __post_init__(self):
        by_port: dict[str, list] = {}
        for program in self.programs.values():
            for ed in program.editions:
                for port in ed.ports:
                    by_port.setdefault(port, []).append(ed)
        self._index = {port: _PortIndex(eds) for port, eds in by_port.items()}
        self._all = _PortIndex([e for p in self.programs.values() for e in p.editions])
        self.in_effect = lru_cache(maxsize=8192)(self._in_effect)
        self.published = lru_cache(maxsize=8192)(self._published)

    @property
    def edition_count(self) -> int:
        return sum(len(p.editions) for p in self.programs.values())

    @property
    def ports(self) -> list[str]:
        return sorted(self._index)

    def _published(self, port: str | None, day: dt.date) -> tuple:
        """Editions in effect, without drafts."""
        return tuple(e for e in self.in_effect(port, day) if not e.draft)

    def _in_effect(self, port: str | None, day: dt.date) -> tuple:
        """Editions in effect at `port` (every port when None) on `day`, by program id."""
        if port is None:
            return self._all.at(day)
        exact = self._index.get(port)
        country = self._index.get(port[:2] + "*")
        if country is None:
            return exact.at(day) if exact else ()
        merged = (exact.at(day) if exact else ()) + country.at(day)
        return tuple(sorted(merged, key=lambda e: e.program.id))


def compile_ruleset(files: list[tuple[str, str]]) -> Ruleset:
    """Compile (name, text) pairs; raise RulesetError with every error in every file.

    sources.yaml is the source list, not a program: every citation must be in it. Without one
    (rules built from a few texts) citations are not checked and carry no title or url.
    emission-control-areas.yaml places ports in MARPOL emission control areas; without it no port is placed.
    """
    errors: list[RuleError] = []
    programs: dict[str, Program] = {}
    listed = None
    source_list = [text for name, text in files if name == SOURCES_FILE]
    if source_list:
        listed, problems = compile_source_list(SOURCES_FILE, source_list[0])
        errors.extend(problems)
    areas: dict = {}
    area_list = [text for name, text in files if name == AREAS_FILE]
    if area_list:
        placed, problems = compile_area_list(AREAS_FILE, area_list[0], listed)
        errors.extend(problems)
        areas = placed or {}
    for name, text in sorted(files):
        if name in (SOURCES_FILE, AREAS_FILE):
            continue
        program, problems = compile_file(name, text, listed)
        errors.extend(problems)
        if program is None:
            continue
        if program.id in programs:
            errors.append(RuleError(name, *program.at, f"duplicate program id {program.id!r}; "
                                                f"also defined in {programs[program.id].file}", "program"))
            continue
        programs[program.id] = program
    hard = [e for e in errors if e.severity == "error"]
    if hard:
        raise RulesetError(errors)
    return Ruleset(programs=programs, revision=revision_of(files), files=sorted(n for n, _ in files),
                   warnings=errors, areas=areas)

