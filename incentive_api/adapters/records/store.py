"""The records database, through SQLAlchemy Core: SQLite (WAL) embedded, or PostgreSQL shared by instances.

One code path for both; what differs (the upsert's spelling, the lock migrations
take, SQLite's pragmas) is chosen by dialect here and nowhere else.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import functools
import os
import threading
from decimal import Decimal
from pathlib import Path

import orjson
from sqlalchemy import and_, bindparam, create_engine, delete, event, exists, func, select, text, true
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from ...core.money import amount_text, finer_than_minor_unit
from .model import PlanRecord, Record, RecordQuery, RulesetRecord, utc_naive
from .schema import asked, decisions, migrate, plans, programs, rulesets

MIGRATION_LOCK = 7_264_012  # PostgreSQL advisory lock id taken while migrating


class RecordsUnavailable(Exception):
    """The records database cannot be reached or written right now."""


def database_url(url: str | None, run_dir: Path) -> str:
    """DATABASE_URL, spelled for SQLAlchemy; by default an SQLite file in RUN_DIR."""
    if not url:
        return f"sqlite:///{Path(run_dir).resolve() / 'records.sqlite3'}"
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain):]
    return url


class RecordStore:
    def __init__(self, url: str, connect_timeout: float = 2.0):
        self.url, self.connect_timeout = url, connect_timeout
        self._engines: dict[int, Engine] = {}
        self._lock = threading.Lock()
        self._migrated = False

    @property
    def kind(self) -> str:
        return "sqlite" if self.url.startswith("sqlite") else "postgresql"

    # -- connections (one engine per process: pooled connections must not cross a fork) --------------
    def engine(self) -> Engine:
        pid = os.getpid()
        found = self._engines.get(pid)
        if found is not None:
            return found
        with self._lock:
            if pid not in self._engines:
                self._engines = {pid: self._create_engine()}
            return self._engines[pid]

    def _create_engine(self) -> Engine:
        if self.kind == "sqlite":
            Path(self.url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(self.url, connect_args={"timeout": 5.0, "check_same_thread": False})
            event.listen(engine, "connect", _sqlite_pragmas)
            # A write takes SQLite's write lock at BEGIN (no upgrade deadlock between workers); reads do not.
            event.listen(engine, "begin", lambda conn: conn.exec_driver_sql(
                "BEGIN IMMEDIATE" if conn.get_execution_options().get("writes") else "BEGIN"))
            return engine
        # Bounded waits: a stalled server or a held lock must turn into RecordsUnavailable (and the journal)
        # within seconds, not hang the writer for TCP's retransmission time.
        return create_engine(self.url, pool_pre_ping=True, pool_size=4, max_overflow=8, connect_args={
            "connect_timeout": max(1, int(self.connect_timeout)),
            "options": "-c statement_timeout=5000 -c lock_timeout=3000",
            "keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 2,
            "tcp_user_timeout": 5000})

    @contextlib.contextmanager
    def _writer_turn(self):
        """SQLite: the processes of one host take turns to write through a file lock, which wakes the next
        writer the moment it is released; SQLite's own busy wait sleeps in steps of milliseconds."""
        if self.kind != "sqlite":
            yield
            return
        fd = os.open(self.url[len("sqlite:///"):] + ".write-lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    @staticmethod
    @functools.cache
    def _insert(table):
        """INSERT ... ON CONFLICT DO NOTHING, spelled alike by SQLite and PostgreSQL. As text with typed
        parameters it is compiled once and cached; the dialects' own upsert constructs are compiled anew
        for every execution, which cost more than the commit itself."""
        columns = [c.name for c in table.columns]
        sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"
               " ON CONFLICT DO NOTHING")
        return text(sql).bindparams(*(bindparam(c.name, type_=c.type) for c in table.columns))

    def _run(self, work, writes: bool = False):
        try:
            with self._writer_turn() if writes else contextlib.nullcontext(), self.engine().connect() as conn:
                if writes:
                    conn = conn.execution_options(writes=True)
                with conn.begin():
                    return work(conn)
        except (SQLAlchemyError, OSError) as exc:  # OSError: an SQLite file whose folder cannot be made
            raise RecordsUnavailable(f"{type(exc).__name__}: {str(exc).splitlines()[0]}") from None

    # -- schema -------------------------------------------------------------------------------------
    def migrate(self) -> int:
        def work(conn):
            if self.kind == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK})
            return migrate(conn)
        version = self._run(work, writes=True)
        self._migrated = True
        return version

    def ping(self) -> bool:
        try:
            self._run(lambda conn: conn.execute(text("SELECT 1")))
            return True
        except RecordsUnavailable:
            return False

    # -- writing --------------------------------------------------------------------------------------
    def write(self, records: list) -> None:
        """Commit records (decisions' and plans') in one transaction; a decision, a key or a plan already
        recorded is left as it was."""
        if not records:
            return
        if not self._migrated:  # the database was away at start
            self.migrate()
        rows = [r.columns() for r in records if isinstance(r, Record)]
        plan_rows = [r.columns() for r in records if isinstance(r, PlanRecord)]
        ruleset_rows = [r.columns() for r in records if isinstance(r, RulesetRecord)]

        def work(conn):
            # The numbers first: taking them holds the one row a purge takes too, so a decision already
            # recorded (whose insert below is skipped) cannot be purged between that insert and its key's.
            keys = _numbered(conn, _unique_pairs([r["asked"] for r in rows]))  # with none, the turn alone
            if ruleset_rows:
                conn.execute(self._insert(rulesets), _unique(ruleset_rows, "revision"))
            if rows:
                conn.execute(self._insert(decisions), _unique([r["decision"] for r in rows], "decision_id"))
                conn.execute(self._insert(asked), keys)
            outcomes = [p for r in rows for p in r["programs"]]
            if outcomes:
                conn.execute(self._insert(programs), outcomes)
            if plan_rows:
                conn.execute(self._insert(plans), plan_rows)
        self._run(work, writes=True)

    # -- reading --------------------------------------------------------------------------------------
    def get_plan(self, plan_id: str, key_name: str | None = None) -> bytes | None:
        """A plan's answer; with `key_name`, only if that key asked for it."""
        query = select(plans.c.answer).where(plans.c.plan_id == plan_id)
        if key_name is not None:
            query = query.where(plans.c.key_name == key_name)
        return self._run(lambda conn: conn.execute(query.limit(1)).scalar())

    def get(self, decision_id: str, key_name: str | None = None) -> bytes | None:
        """The answer's bytes; with `key_name`, only if that key was served it."""
        query = select(decisions.c.answer).where(decisions.c.decision_id == decision_id)
        if key_name is not None:
            query = query.where(exists().where(and_(asked.c.decision_id == decision_id,
                                                    asked.c.key_name == key_name)))
        return self._run(lambda conn: conn.execute(query).scalar())

    def query(self, q: RecordQuery) -> list[dict]:
        """Records in the order they were committed, after the cursor (a position in that order)."""
        cond = []
        if q.key_name is not None:
            cond.append(asked.c.key_name == q.key_name)
        if q.imo:
            cond.append(decisions.c.imo == q.imo)
        if q.since:
            cond.append(asked.c.first_at >= utc_naive(q.since))
        if q.before:
            cond.append(asked.c.first_at < utc_naive(q.before))
        if q.program or q.status:
            match = [programs.c.decision_id == decisions.c.decision_id]
            if q.program:
                match.append(programs.c.program == q.program)
            if q.status:
                match.append(programs.c.status == q.status)
            cond.append(exists().where(and_(*match)))
        if q.after is not None:
            cond.append(asked.c.seq > q.after)
        query = (select(asked.c.seq, asked.c.decision_id, asked.c.key_name, asked.c.first_at, decisions.c.revision,
                        decisions.c.as_of, decisions.c.imo, decisions.c.port)
                 .join(decisions, decisions.c.decision_id == asked.c.decision_id)
                 .where(and_(true(), *cond)).order_by(asked.c.seq)
                 .limit(q.limit))

        def work(conn):
            rows = [dict(r._mapping) for r in conn.execute(query)]
            ids = sorted({r["decision_id"] for r in rows})
            outcomes: dict[str, list] = {}
            if ids:
                for p in conn.execute(select(programs).where(programs.c.decision_id.in_(ids))
                                      .order_by(programs.c.decision_id, programs.c.program)):
                    outcomes.setdefault(p.decision_id, []).append(
                        {"program": p.program, "edition": p.edition, "status": p.status, "level": p.level,
                         "amount": None if p.amount is None else _money_text(p.amount, p.currency),
                         "currency": p.currency})
            for r in rows:
                r["first_at"] = r["first_at"].replace(tzinfo=dt.timezone.utc)
                r["programs"] = outcomes.get(r["decision_id"], [])
            return rows
        return self._run(work)

    def ruleset_files(self, revision: str) -> list[tuple[str, str]] | None:
        """The rule files of a revision a kept record names, as published; None when none is kept."""
        query = select(rulesets.c.files).where(rulesets.c.revision == revision)
        found = self._run(lambda conn: conn.execute(query).scalar())
        return None if found is None else [tuple(f) for f in orjson.loads(bytes(found))]

    def sequence_of(self, decision_id: str, key_name: str) -> int | None:
        """Where the record of (decision, key) stands in the commit order: what a cursor of the earlier kind
        (served time, decision, key) is read as."""
        query = select(asked.c.seq).where(and_(asked.c.decision_id == decision_id, asked.c.key_name == key_name))
        return self._run(lambda conn: conn.execute(query).scalar())

    def requests(self, since: dt.datetime | None = None, limit: int = 100_000) -> list[str]:
        """The normalised requests of recorded decisions (distinct), oldest first: what a what-if replays."""
        query = select(decisions.c.request).order_by(decisions.c.created_at, decisions.c.decision_id).limit(limit)
        if since:
            query = query.where(decisions.c.created_at >= utc_naive(since))
        return self._run(lambda conn: [r[0] for r in conn.execute(query)])

    def count(self) -> int:
        return self._run(lambda conn: conn.execute(select(func.count()).select_from(decisions)).scalar())

    # -- retention -----------------------------------------------------------------------------------
    def purge(self, before: dt.datetime) -> int:
        """Remove what every key was first served before `before`, and the plans made before it; returns the
        decisions removed."""
        if not self._migrated:  # a database from before the plans table
            self.migrate()

        def work(conn):
            # Writers' turn first: a decision served again while this runs is either committed before the
            # purge looks for orphans (and kept) or after it (and recorded afresh), never half of each.
            conn.execute(text("UPDATE record_sequence SET next = next"))
            conn.execute(delete(plans).where(plans.c.created_at < utc_naive(before)))
            conn.execute(delete(asked).where(asked.c.first_at < utc_naive(before)))
            orphans = select(decisions.c.decision_id).where(~exists().where(asked.c.decision_id == decisions.c.decision_id))
            gone = [r[0] for r in conn.execute(orphans)]
            for start in range(0, len(gone), 500):
                chunk = gone[start:start + 500]
                conn.execute(delete(programs).where(programs.c.decision_id.in_(chunk)))
                conn.execute(delete(decisions).where(decisions.c.decision_id.in_(chunk)))
            # The rules of a revision go with the last record or plan that names it, and not before.
            conn.execute(delete(rulesets).where(and_(
                ~exists().where(decisions.c.revision == rulesets.c.revision),
                ~exists().where(plans.c.revision == rulesets.c.revision))))
            return len(gone)
        return self._run(work, writes=True)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None  # SQLAlchemy's BEGIN IMMEDIATE takes the write lock at the start
    cursor = dbapi_conn.cursor()
    # WAL: readers never wait for the writer; NORMAL: a commit survives a killed process (not a power cut).
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=5000"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _numbered(conn, keys: list[dict]) -> list[dict]:
    """The rows with the next numbers of the commit order; the row that hands them out stays held until
    the commit, so numbers are committed in order whichever instance writes."""
    first = conn.execute(text("UPDATE record_sequence SET next = next + :n RETURNING next - :n"),
                         {"n": len(keys)}).scalar()
    return [{**row, "seq": first + i} for i, row in enumerate(keys)]


def _unique_pairs(rows: list[dict]) -> list[dict]:
    seen, out = set(), []
    for row in rows:
        pair = (row["decision_id"], row["key_name"])
        if pair not in seen:
            seen.add(pair)
            out.append(row)
    return out


def _unique(rows: list[dict], key: str) -> list[dict]:
    seen, out = set(), []
    for row in rows:
        if row[key] not in seen:
            seen.add(row[key])
            out.append(row)
    return out


def _money_text(amount, currency: str) -> str:
    """An amount column as the answer wrote it: to the currency's minor unit where it has no finer digits."""
    amount = Decimal(str(amount))  # SQLite hands back a float; its text is the stored value
    return format(amount.normalize(), "f") if finer_than_minor_unit(amount, currency) else amount_text(amount, currency)
