"""Decision records, the audit trail: a database (SQLite embedded, PostgreSQL shared), written in groups,
with a local journal that keeps what the database cannot take right now."""

from .model import PlanRecord, Record, RecordQuery, RulesetRecord
from .store import RecordStore, RecordsUnavailable
from .writer import GroupCommit, NotRecorded

__all__ = ["GroupCommit", "NotRecorded", "PlanRecord", "Record", "RecordQuery", "RecordStore", "RecordsUnavailable", "RulesetRecord"]
