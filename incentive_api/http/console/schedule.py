"""A schedule as CSV, one call per row (port, arrival, departure, fees), read into a plan's `calls`.

Only the shape is read here; the plan route validates every value, so a bad port or date is refused there,
at its place in `calls`. Fees are `name=amount CURRENCY`, several separated by `;`:
`dockage=31250.00 USD; port_dues=10000.00 SGD`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

COLUMNS = ("port", "arrival", "departure", "fees")
REQUIRED = ("port", "arrival")
MAX_CALLS = 500  # what POST /v1/plans takes
_FEE = re.compile(r"^\s*([A-Za-z0-9_]+)\s*=\s*([0-9]+(?:\.[0-9]+)?)\s+([A-Za-z]{3})\s*$")


MAX_ERRORS = 100  # listed; past that they are counted, so a file of bad rows cannot make a huge answer


class ScheduleError(ValueError):
    def __init__(self, errors: list[dict], count: int | None = None):
        super().__init__("; ".join(f"{e['pointer']}: {e['message']}" for e in errors))
        self.errors = errors
        self.count = len(errors) if count is None else count  # how many there were, listed or not


class _Errors(list):
    """The first MAX_ERRORS errors, and how many there were."""

    count = 0

    def append(self, error: dict) -> None:
        self.count += 1
        if len(self) < MAX_ERRORS:
            super().append(error)


def parse_schedule(text: str) -> list[dict]:
    # newline=None: rows may end in CRLF, LF or a lone CR (spreadsheets still save all three).
    rows = _rows(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=None)))
    header_line, header = next(rows, (0, None))
    if header is None:
        raise ScheduleError([{"pointer": "", "message": f"the CSV is empty: its first line names the columns "
                                                        f"({', '.join(COLUMNS)})"}])
    names = [h.strip().lower() for h in header]
    unknown = [n for n in names if n not in COLUMNS]
    absent = [n for n in REQUIRED if n not in names]
    if unknown or absent or len(set(names)) != len(names):
        raise ScheduleError([{"pointer": "", "message": f"line {header_line}: the columns are {', '.join(COLUMNS)} "
                                                        f"(port and arrival required, each once); got {', '.join(names)}"}])
    calls, errors = [], _Errors()
    for line, cells in rows:
        index = len(calls)
        if len(calls) == MAX_CALLS:
            raise ScheduleError([{"pointer": "/calls", "message": f"line {line}: a plan takes at most {MAX_CALLS} calls"}])
        if len(cells) != len(names):
            errors.append({"pointer": f"/calls/{index}",
                           "message": f"line {line}: {len(cells)} cells for {len(names)} columns"})
            calls.append({})
            continue
        call = {}
        for name, cell in zip(names, cells):
            cell = cell.strip()
            if not cell:
                continue
            if name == "fees":
                call["fees"] = _fees(cell, f"/calls/{index}/fees", line, errors)
            else:
                call[name] = cell.upper() if name == "port" else cell
        calls.append(call)
    if not calls:
        errors.append({"pointer": "/calls", "message": "the CSV has no calls: one row per call after the header"})
    if errors:
        raise ScheduleError(list(errors), errors.count)
    return calls


def _rows(reader) -> Iterator[tuple[int, list[str]]]:
    """The rows holding anything, each with the line it ends on; a row csv cannot read is refused at its line."""
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            message = f"line {reader.line_num}: not readable as CSV ({exc})"
            raise ScheduleError([{"pointer": "", "message": message}]) from None
        if any(c.strip() for c in cells):
            yield reader.line_num, cells


def _fees(cell: str, pointer: str, line: int, errors: list) -> dict:
    fees = {}
    for part in filter(str.strip, cell.split(";")):
        found = _FEE.match(part)
        if found is None:
            errors.append({"pointer": pointer, "message": f"line {line}: {part.strip()!r} is not "
                                                          f"'name=amount CURRENCY', e.g. 'dockage=31250.00 USD'"})
            continue
        name, amount, currency = found.groups()
        if name in fees:
            errors.append({"pointer": f"{pointer}/{name}", "message": f"line {line}: fee {name!r} is given twice"})
        fees[name] = {"amount": amount, "currency": currency.upper()}
    return fees
