"""Where a publication of the rules is kept on this host: a marker naming the published revision and a
snapshot of its files, in the run directory that every worker of the host shares. (Across instances the
same texts go to Redis: redis/published.py.) The texts are the service's; this only keeps them."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

log = logging.getLogger("incentive_api.rules")


class Unreachable(Exception):
    """The board cannot be read right now (only Redis's can be: a file is there or not)."""


class FileBoard:
    def __init__(self, run_dir: Path):
        self.run_dir = Path(run_dir)
        self.marker_file = self.run_dir / "rules-marker.json"

    def snapshot_file(self, revision: str) -> Path:
        return self.run_dir / "rules-published" / f"{revision}.json"

    def read_marker(self) -> str | None:
        return _read(self.marker_file)

    def write_marker(self, text: str) -> None:
        _write(self.marker_file, text)

    def read_snapshot(self, revision: str) -> str | None:
        return _read(self.snapshot_file(revision))

    def write_snapshot(self, revision: str, text: str) -> None:
        _write(self.snapshot_file(revision), text)

    def forget_snapshots(self, keep: str) -> None:
        """Remove every snapshot but `keep`'s."""
        for path in (self.run_dir / "rules-published").glob("*.json"):
            if path.stem != keep:
                try:
                    path.unlink()
                except OSError:
                    pass


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except OSError:
        return None


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(text)
        tmp.replace(path)  # atomic: a reader sees the old text or the new one
    except OSError as exc:
        log.warning("cannot write %s: %s", path, exc)
