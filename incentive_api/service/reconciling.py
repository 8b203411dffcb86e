"""Reconciliation: a billing system reads back the records of the decisions it was served.

A client key sees only the records its own key made; an operator sees all. An id
that exists but is not the caller's is answered as unknown (404), so ids are not
confirmed to those who were not served them.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import io

import orjson
from marshmallow import ValidationError, fields, validate, validates_schema

from ..adapters.records import RecordQuery
from ..core.request import ImoField, IsoDate, error_pointers
from ..core.ruleset import revision_of
from ..core.strict import StrictSchema
from .problems import Problem, single_values
from .recording import Recorder

STATUSES = ("eligible", "ineligible", "insufficient_data", "required", "not_required")
CSV_COLUMNS = ("decision_id", "served_at", "key", "revision", "as_of", "imo", "port", "program", "edition",
               "status", "level", "amount", "currency")


class RecordsQuerySchema(StrictSchema):
    imo = ImoField()
    program = fields.String(validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,63}\Z", error="A program id."))
    status = fields.String(validate=validate.OneOf(STATUSES))
    from_ = IsoDate(data_key="from")
    to = IsoDate()
    cursor = fields.String(validate=validate.Length(max=400))
    limit = fields.Integer(validate=validate.Range(min=1, max=1000), load_default=100)

    @validates_schema
    def _from_before_to(self, data, **kw):
        if "from_" in data and "to" in data and data["from_"] > data["to"]:
            raise ValidationError("from is after to: no day is in that range.", "from")


QUERY = RecordsQuerySchema()


def _cursor(row: dict) -> str:
    """The position of the last row of a page in the order records were committed."""
    return base64.urlsafe_b64encode(orjson.dumps(["seq", row["seq"]])).decode().rstrip("=")


def _bad_cursor() -> Problem:
    return Problem(422, "The query string is invalid; see errors.",
                   [{"pointer": "/cursor", "message": "Not a cursor this service gave."}])


def _after(cursor: str, recorder: Recorder) -> int:
    try:
        given = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError):
        raise _bad_cursor() from None
    if isinstance(given, list) and len(given) == 2 and given[0] == "seq" and type(given[1]) is int:
        return given[1]
    if isinstance(given, list) and len(given) == 3 and all(isinstance(g, str) for g in given):
        # A cursor given before pages followed the commit order (served time, decision, key): the position
        # of that very record, so a billing system paging across the upgrade goes on where it was.
        try:
            dt.datetime.fromisoformat(given[0])
        except ValueError:
            raise _bad_cursor() from None
        seq = recorder.sequence_of(given[1], given[2])
        if seq is not None:
            return seq
    raise _bad_cursor()


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.timezone.utc)


class Reconciling:
    def __init__(self, recorder: Recorder):
        self.recorder = recorder

    def record(self, decision_id: str, key_name: str | None) -> bytes | None:
        return self.recorder.get(decision_id, key_name)

    def rules(self, revision: str) -> dict | None:
        """The rule files of a revision kept records name, as published, with each file's SHA-256 and the
        revision recomputed from them (so anyone holding the files can check it); None when none is kept."""
        files = self.recorder.rules(revision)
        if files is None:
            return None
        return {"revision": revision, "recomputed_revision": revision_of(files),
                "files": [{"name": name, "sha256": hashlib.sha256(text.encode()).hexdigest(), "text": text}
                          for name, text in sorted(files)]}

    def find(self, args: dict, key_name: str | None) -> tuple[list[dict], str | None]:
        """The caller's records matching the query string ({name: [values]}, or {name: value}), in the order
        they were committed (a record journaled while the database was away comes when it is replayed, so a
        cursor never passes one by), and the next page's cursor."""
        try:
            q = QUERY.load(single_values(args))
        except ValidationError as exc:
            raise Problem(422, "The query string is invalid; see errors.", error_pointers(exc.messages)) from None
        since = _start_of(q["from_"]) if "from_" in q else None
        before = _start_of(q["to"]) + dt.timedelta(days=1) if "to" in q and q["to"] < dt.date.max else None
        rows = self.recorder.find(RecordQuery(
            key_name=key_name, imo=q.get("imo"), program=q.get("program"), status=q.get("status"), since=since,
            before=before, after=_after(q["cursor"], self.recorder) if "cursor" in q else None, limit=q["limit"]))
        next_cursor = _cursor(rows[-1]) if len(rows) == q["limit"] else None
        if q.get("program"):  # the program asked about, not the others decided with it
            for r in rows:
                r["programs"] = [p for p in r["programs"] if p["program"] == q["program"]]
        return [_shown(r) for r in rows], next_cursor


def _shown(row: dict) -> dict:
    return {"decision_id": row["decision_id"], "served_at": row["first_at"].isoformat(timespec="milliseconds"),
            "key": row["key_name"], "revision": row["revision"], "as_of": row["as_of"].isoformat(),
            "imo": row["imo"], "port": row["port"], "programs": row["programs"]}


# A cell a spreadsheet would read as a formula (OWASP's list): written after a quote, as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def as_csv(records: list[dict]) -> str:
    """One line per decision and program (a decision with no program in effect: one line without one);
    no cell is ever a formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in records:
        head = [r["decision_id"], r["served_at"], r["key"], r["revision"], r["as_of"], r["imo"], r["port"] or ""]
        for p in r["programs"] or [{}]:
            cells = head + [p.get(k) or "" for k in ("program", "edition", "status", "level", "amount", "currency")]
            writer.writerow([inert(str(c)) for c in cells])
    return out.getvalue()
