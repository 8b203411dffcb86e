"""What a record holds, and what a reconciliation query asks for."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import orjson

from ...core.decision import Decision


def utc_naive(at: dt.datetime | None) -> dt.datetime | None:
    """Times are kept as UTC without a zone, which SQLite and PostgreSQL store and compare alike."""
    return at.astimezone(dt.timezone.utc).replace(tzinfo=None) if at is not None and at.tzinfo else at


@dataclass(frozen=True)
class Record:
    decision_id: str
    answer: bytes  # the answer's bytes, verbatim
    request: str  # the normalised request, as canonical JSON
    key_name: str  # the API key that asked ("" with AUTH=off)
    at: dt.datetime  # when it was served to this key, UTC
    # The answer as the service made it; a record read back from the journal has only its bytes.
    decision: Decision | None = field(default=None, compare=False, repr=False)

    def _decision(self) -> Decision:
        if self.decision is not None:
            return self.decision
        port = (orjson.loads(self.request).get("call") or {}).get("port")
        return Decision.from_json(orjson.loads(self.answer), port)

    def columns(self) -> dict:
        """The answer's facts as columns: revision, as-of date, IMO number, port, and per program its outcome."""
        decision = self._decision()
        programs = []
        for entry in decision.programs:
            total = entry.total
            programs.append({"decision_id": self.decision_id, "program": entry.program,
                             "edition": entry.edition, "status": entry.status, "level": entry.level,
                             "amount": total["amount"] if total else None,
                             "currency": total["currency"] if total else None})
        at = utc_naive(self.at)
        return {"decision": {"decision_id": self.decision_id, "created_at": at,
                             "revision": decision.revision,
                             "as_of": dt.date.fromisoformat(decision.as_of), "imo": decision.imo,
                             "port": decision.port, "request": self.request,
                             "answer": self.answer},
                "asked": {"decision_id": self.decision_id, "key_name": self.key_name, "first_at": at},
                "programs": programs}

    def to_journal(self) -> bytes:
        return orjson.dumps({"decision_id": self.decision_id, "answer": self.answer.decode(),
                             "request": self.request, "key_name": self.key_name, "at": self.at.isoformat()})

    @classmethod
    def from_journal(cls, line: bytes) -> Record | PlanRecord | RulesetRecord:
        """A journaled line: a decision's record, or a plan's (kept in the same group as its calls')."""
        d = orjson.loads(line)
        if d.get("kind") == "plan":
            return PlanRecord(d["plan_id"], d["key_name"], d["answer"].encode(), dt.datetime.fromisoformat(d["at"]),
                              d.get("revision"))
        if d.get("kind") == "ruleset":
            return RulesetRecord(d["revision"], tuple(tuple(f) for f in d["files"]), dt.datetime.fromisoformat(d["at"]))
        return cls(d["decision_id"], d["answer"].encode(), d["request"], d["key_name"],
                   dt.datetime.fromisoformat(d["at"]))


@dataclass(frozen=True)
class PlanRecord:
    """A plan's answer for the key that asked: kept with its calls' records, in one group, or not at all."""
    plan_id: str
    key_name: str
    answer: bytes
    at: dt.datetime
    revision: str | None = None

    def columns(self) -> dict:
        return {"plan_id": self.plan_id, "key_name": self.key_name, "created_at": utc_naive(self.at),
                "answer": self.answer, "revision": self.revision}

    def to_journal(self) -> bytes:
        return orjson.dumps({"kind": "plan", "plan_id": self.plan_id, "answer": self.answer.decode(),
                             "key_name": self.key_name, "at": self.at.isoformat(), "revision": self.revision})


@dataclass(frozen=True)
class RulesetRecord:
    """The rule files of a revision, kept with the first records that name it (in the same group)."""
    revision: str
    files: tuple  # ((name, text), ...)
    at: dt.datetime

    def columns(self) -> dict:
        return {"revision": self.revision, "created_at": utc_naive(self.at),
                "files": orjson.dumps([list(f) for f in sorted(self.files)])}

    def to_journal(self) -> bytes:
        return orjson.dumps({"kind": "ruleset", "revision": self.revision, "files": [list(f) for f in self.files],
                             "at": self.at.isoformat()})


@dataclass(frozen=True)
class RecordQuery:
    """Filters of GET /v1/decisions; `key_name` None means every key's records (an operator)."""
    key_name: str | None = None
    imo: str | None = None
    program: str | None = None
    status: str | None = None
    since: dt.datetime | None = None  # served at or after
    before: dt.datetime | None = None  # served before
    after: int | None = None  # the cursor: the commit-order position (seq) of the last row seen
    limit: int = 100
    extra: dict = field(default_factory=dict)
