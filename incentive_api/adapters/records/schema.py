"""The records schema and its versioned migrations, applied at start under a lock.

Each migration is a list of steps run once, in order; `schema_version` holds the
last one applied. Adding a column or an index is a new entry, never an edit of an
old one, so every database, embedded or shared, reaches the same shape.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Connection

metadata = MetaData()

schema_version = Table("schema_version", metadata, Column("version", Integer, nullable=False))

decisions = Table(
    "decisions", metadata,
    Column("decision_id", String(32), primary_key=True),
    # Times are UTC, stored without a zone: SQLite and PostgreSQL then store and compare them alike.
    Column("created_at", DateTime, nullable=False),
    Column("revision", String(32), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("imo", String(7), nullable=False),
    Column("port", String(5)),
    Column("request", Text, nullable=False),
    Column("answer", LargeBinary, nullable=False),
    Index("decisions_by_imo", "imo"),
)

# Who was served a decision, and when first: a record is per decision and per key that asked. `seq` is the
# order records were committed in (a journal replayed late commits an earlier time late): what pages follow.
asked = Table(
    "decision_keys", metadata,
    Column("decision_id", String(32), nullable=False),
    Column("key_name", String(200), nullable=False),
    Column("first_at", DateTime, nullable=False),
    Column("seq", BigInteger),
    PrimaryKeyConstraint("decision_id", "key_name"),
    Index("decision_keys_by_time", "first_at", "decision_id", "key_name"),
    Index("decision_keys_by_key", "key_name", "first_at"),
)

# The rule files of every revision a kept record or plan names, exactly as published: what a dispute about
# a decision needs months later. Removed by the purge once nothing kept names the revision.
rulesets = Table(
    "rulesets", metadata,
    Column("revision", String(32), primary_key=True),
    Column("created_at", DateTime, nullable=False),
    Column("files", LargeBinary, nullable=False),  # JSON: [[name, text], ...] in name order
)

# The next `seq`, in one row. Every write takes it (UPDATE ... RETURNING), which holds that row until the
# commit: writers, on any instance, commit in the order of their numbers, and a purge waits its turn too.
record_sequence = Table("record_sequence", metadata, Column("next", BigInteger, nullable=False))

programs = Table(
    "decision_programs", metadata,
    Column("decision_id", String(32), nullable=False),
    Column("program", String(64), nullable=False),
    Column("edition", String(64), nullable=False),
    Column("status", String(32), nullable=False),
    Column("level", String(64)),
    Column("amount", Numeric(24, 6, asdecimal=True)),
    Column("currency", String(3)),
    PrimaryKeyConstraint("decision_id", "program"),
    Index("decision_programs_by_program", "program", "status"),
)

# A voyage plan's answer, verbatim, per key that asked (its calls' decisions are records of their own).
plans = Table(
    "plans", metadata,
    Column("plan_id", String(32), nullable=False),
    Column("key_name", String(200), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("answer", LargeBinary, nullable=False),
    Column("revision", String(32)),
    PrimaryKeyConstraint("plan_id", "key_name"),
)

MIGRATIONS = [
    # 1: decisions, who asked, and per-program outcomes, with the indexes reconciliation reads by.
    [lambda conn: metadata.create_all(conn, tables=[decisions, asked, programs])],
    # 2: voyage plans.
    [lambda conn: metadata.create_all(conn, tables=[plans])],
    # 3: the commit order of records, which reconciliation pages by (numbered for the records already there
    #    in the order they were served), and the one row that hands the numbers out.
    [lambda conn: _add_column(conn, "decision_keys", "seq", "BIGINT"),
     lambda conn: conn.execute(text(
         "UPDATE decision_keys SET seq = o.n FROM (SELECT decision_id AS d, key_name AS k, ROW_NUMBER() OVER "
         "(ORDER BY first_at, decision_id, key_name) AS n FROM decision_keys) AS o "
         "WHERE o.d = decision_keys.decision_id AND o.k = decision_keys.key_name")),
     lambda conn: metadata.create_all(conn, tables=[record_sequence]),
     lambda conn: conn.execute(text("INSERT INTO record_sequence (next) SELECT COALESCE(MAX(seq), 0) + 1 "
                                    "FROM decision_keys")),
     lambda conn: conn.execute(text("CREATE UNIQUE INDEX IF NOT EXISTS decision_keys_by_seq "
                                    "ON decision_keys (seq)"))],
    # 4: the rule files behind the records, and the revision each plan was decided under.
    [lambda conn: metadata.create_all(conn, tables=[rulesets]),
     lambda conn: _add_column(conn, "plans", "revision", "VARCHAR(32)"),
     lambda conn: conn.execute(text("CREATE INDEX IF NOT EXISTS decisions_by_revision ON decisions (revision)"))],
]


def _add_column(conn: Connection, table: str, column: str, kind: str) -> None:
    """ALTER TABLE ... ADD COLUMN, unless migration 1 (which creates tables as they are defined now) made it."""
    if column not in {c["name"] for c in inspect(conn).get_columns(table)}:
        conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {kind}"))


def migrate(conn: Connection) -> int:
    """Bring the schema to the latest version; returns it. The caller holds the database's lock."""
    metadata.create_all(conn, tables=[schema_version])
    current = conn.execute(select(schema_version.c.version)).scalar()
    if current is None:
        conn.execute(insert(schema_version).values(version=0))
        current = 0
    for version, steps in enumerate(MIGRATIONS[current:], start=current + 1):
        for step in steps:
            step(conn)
        conn.execute(text("UPDATE schema_version SET version = :v"), {"v": version})
    return len(MIGRATIONS)
