"""The one place the service reads the clock; the core is handed dates, never reads them."""

from __future__ import annotations

import datetime as dt


def utc_today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def utc_now_text() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
