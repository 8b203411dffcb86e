"""A decision as the engine makes it: frozen objects that records, metrics, logs and plans read directly.

`to_json` gives the answer's JSON-ready structure, with its keys in the order the contract shows; keys
that only some entries carry (obligations, estimated, advice) appear only there. `from_json` reads an
answer back, where only its bytes are held: an answer found in the shared cache, a journaled record.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class ProgramOutcome:
    program: str
    edition: str
    name: str
    sponsor: str
    kind: str  # incentive or requirement
    status: str
    score: object
    level: str | None
    benefits: list
    total: dict | None  # {"amount", "currency"} when the benefits add up to one sum of money
    next_level: dict | None
    criteria: list
    missing: list
    notes: list
    draft: bool
    sources: list
    obligations: list | None = None  # requirement programs only
    estimated: bool = False
    advice: list | None = None  # only when the request asked for advice, and the entry can be raised

    def to_json(self) -> dict:
        out = {"program": self.program, "edition": self.edition, "name": self.name, "sponsor": self.sponsor,
               "kind": self.kind, "status": self.status, "score": self.score, "level": self.level,
               "benefits": self.benefits, "total": self.total, "next_level": self.next_level,
               "criteria": self.criteria, "missing": self.missing, "notes": self.notes, "draft": self.draft}
        if self.obligations is not None:
            out["obligations"] = self.obligations
        out["sources"] = self.sources
        if self.estimated:
            out["estimated"] = True
        if self.advice is not None:
            out["advice"] = self.advice
        return out

    @classmethod
    def made(cls, entry: dict) -> ProgramOutcome:
        """The engine's entry (every field without a default, any with one; the engine's own, given up to the
        outcome) as an outcome. The generated __init__ of a frozen dataclass sets each of the 19 fields
        through object.__setattr__ (2.4 us an outcome, a tenth of a decision's cost); the entry becomes the
        instance's dict instead, and the instance is as frozen as any other."""
        outcome = object.__new__(cls)
        object.__setattr__(outcome, "__dict__", entry)
        return outcome

    def with_advice(self, options: list | None) -> ProgramOutcome:
        return replace(self, advice=options)

    @classmethod
    def from_json(cls, entry: dict) -> ProgramOutcome:
        """An entry read back; one kept by an earlier version may lack a field, which is then empty."""
        return cls(**{name: entry.get(name, default) for name, default in _READ_BACK_DEFAULTS.items()})


_READ_BACK_DEFAULTS = {"program": None, "edition": None, "name": None, "sponsor": None, "kind": None,
                       "status": None, "score": None, "level": None, "benefits": [], "total": None,
                       "next_level": None, "criteria": [], "missing": [], "notes": [], "draft": False,
                       "sources": [], "obligations": None, "estimated": False, "advice": None}


@dataclass(frozen=True)
class Decision:
    decision_id: str
    as_of: str  # ISO date
    revision: str
    imo: str
    programs: tuple[ProgramOutcome, ...]
    port: str | None = None  # the call's port: not part of the answer, which the request already states

    @classmethod
    def made(cls, decision_id: str, as_of: str, revision: str, imo: str, programs: tuple, port: str | None):
        """As ProgramOutcome.made: without the frozen __init__'s cost, once per decision."""
        decision = object.__new__(cls)
        object.__setattr__(decision, "__dict__", {"decision_id": decision_id, "as_of": as_of, "revision": revision,
                                                  "imo": imo, "programs": programs, "port": port})
        return decision

    def to_json(self) -> dict:
        return {"decision_id": self.decision_id, "as_of": self.as_of, "ruleset": {"revision": self.revision},
                "vessel": {"imo": self.imo}, "programs": [p.to_json() for p in self.programs]}

    def outcomes(self) -> tuple:
        """(program, edition, status) per program: what /metrics counts."""
        return tuple((p.program, p.edition or "", p.status) for p in self.programs)

    def with_programs(self, programs) -> Decision:
        return replace(self, programs=tuple(programs))

    @classmethod
    def from_json(cls, answer: dict, port: str | None = None) -> Decision:
        return cls(answer["decision_id"], answer["as_of"], answer["ruleset"]["revision"], answer["vessel"]["imo"],
                   tuple(ProgramOutcome.from_json(p) for p in answer["programs"]), port)
