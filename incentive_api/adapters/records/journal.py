"""A bounded local journal for records the database cannot take right now, replayed when it is back.

One append-only file per process under the journal directory; each group of
records is written and fsync'd before the requests waiting on it are answered.
A replay takes each file under an exclusive lock (so two processes never replay
the same file), writes its records to the database (writes are idempotent), and
removes it. Files of processes that died are replayed by any other.
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

import orjson

from .model import Record

RULES_LINE = b'{"kind":"ruleset"'  # how RulesetRecord.to_journal begins a line


class JournalFull(Exception):
    """The journal has reached its bound; nothing more can be kept locally."""


class Journal:
    def __init__(self, directory: Path, max_bytes: int = 256 * 1024 * 1024):
        self.directory, self.max_bytes = Path(directory), max_bytes
        self._lock = threading.Lock()

    def _own_file(self) -> Path:
        return self.directory / f"{os.getpid()}.jsonl"

    def size(self) -> int:
        try:
            return sum(p.stat().st_size for p in self.directory.glob("*.jsonl"))
        except OSError:
            return 0

    def pending(self) -> int:
        """Records (decisions' and plans') waiting to be replayed, in every process's file; the rule files
        journaled with them are not counted."""
        count = 0
        for path in self.directory.glob("*.jsonl"):
            try:
                with path.open("rb") as f:
                    count += sum(1 for line in f if RULES_LINE not in line)
            except OSError:
                continue
        return count

    def holds(self, field: str, value: str, key_name: str | None) -> bool:
        """Whether a journaled record (not yet replayed) has `field` (decision_id or plan_id) equal to `value`,
        served to `key_name` (None: to any key). Read only on a miss, so the scan costs nothing otherwise."""
        needle = orjson.dumps({field: value})[1:-1]  # '"decision_id":"..."', as to_journal writes it
        for path in self.directory.glob("*.jsonl"):
            try:
                with path.open("rb") as f:
                    for line in f:
                        if needle in line and (key_name is None or orjson.loads(line).get("key_name") == key_name):
                            return True
            except (OSError, ValueError):
                continue
        return False

    def append(self, records: list[Record]) -> None:
        data = b"".join(r.to_journal() + b"\n" for r in records)
        with self._lock:
            if self.size() + len(data) > self.max_bytes:
                raise JournalFull(f"the journal in {self.directory} holds {self.max_bytes} bytes already")
            self.directory.mkdir(parents=True, exist_ok=True)
            while True:
                fd = os.open(self._own_file(), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                fcntl.flock(fd, fcntl.LOCK_EX)  # a replay in another process holds it while it reads and removes
                if os.fstat(fd).st_nlink:
                    break
                os.close(fd)  # replayed and removed while we waited: write to a new file
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                os.fsync(fd)
            except OSError:
                os.ftruncate(fd, os.fstat(fd).st_size - (len(data) - len(view)))  # no torn line left behind
                raise
            finally:
                os.close(fd)

    def replay(self, write, chunk: int = 500) -> int:
        """Write every journaled record with `write(records)`; a file is removed once all of it is written.
        Raises what `write` raises (the database went away again): what is left stays for the next replay."""
        replayed = 0
        with self._lock:
            for path in sorted(self.directory.glob("*.jsonl")):
                try:
                    fd = os.open(path, os.O_RDWR)
                except FileNotFoundError:
                    continue
                try:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except BlockingIOError:
                        continue  # another process is replaying it
                    if not path.exists():
                        continue
                    with os.fdopen(os.dup(fd), "rb") as f:
                        lines = [line for line in f if line.strip()]
                    records = []
                    for line in lines:
                        try:
                            records.append(Record.from_journal(line))
                        except ValueError:  # a line torn by a crash mid-write was never answered as kept
                            self._set_aside(path, line)
                    for start in range(0, len(records), chunk):
                        write(records[start:start + chunk])
                    path.unlink()  # under the lock: an appender waiting on it then writes to a new file
                    replayed += sum(isinstance(r, Record) for r in records)  # decisions', as the counts are
                finally:
                    os.close(fd)
        return replayed

    @staticmethod
    def _set_aside(path: Path, line: bytes) -> None:
        with open(path.with_suffix(".unreadable"), "ab") as f:
            f.write(line.rstrip(b"\n") + b"\n")
