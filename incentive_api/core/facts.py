"""The facts of one request: {input path: value}, resolved lazily.

A rule reads `facts[path]`. The first read of a path resolves it from the
validated request (or derives it) and keeps it, so a decision pays only for the
inputs its programs actually read, and each at most once.
"""

from __future__ import annotations

import datetime as dt

from .inputs import REQUEST_FIELDS


class Facts(dict):
    __slots__ = ("vessel", "call")

    def __missing__(self, path: str):
        resolve = _RESOLVERS.get(path)
        value = resolve(self) if resolve is not None else None
        self[path] = value
        return value


def _field(section: str, key: str):
    if section == "vessel":
        return lambda f: f.vessel.get(key)
    return lambda f: f.call.get(key)


def _nested(section: str, key: str, sub: str):
    if section == "vessel":
        return lambda f: (f.vessel.get(key) or {}).get(sub)
    return lambda f: (f.call.get(key) or {}).get(sub)


def _tier(role: str):
    def resolve(f: Facts):
        tiers = [e.get("imo_nox_tier") for e in f.vessel.get("engines") or () if e["role"] == role]
        return min(tiers) if tiers and None not in tiers else None
    return resolve


def _stay_days(f: Facts):
    arrival, departure = f.call.get("arrival"), f.call.get("departure")
    return (departure - arrival).days if arrival and departure else None


def _shore_power_capable(f: Facts):
    sp = f.vessel.get("shore_power") or {}
    fitted, commissioned = sp.get("fitted"), sp.get("commissioned")
    if fitted is False or commissioned is False:
        return False
    return True if fitted and commissioned else None


def _esi_current(f: Facts):
    valid_until = f["vessel.esi.valid_until"]
    return None if valid_until is None else valid_until >= f["as_of"]


def _vsr_previous_year(f: Facts):
    year = f["call.operator_vsr_compliance.year"]
    return None if year is None else year == f["as_of"].year - 1


def _resolvers() -> dict:
    table = {}
    for path in REQUEST_FIELDS:
        parts = path.split(".")
        table[path] = _field(*parts) if len(parts) == 2 else _nested(*parts)
    table.update({
        "call.stay_days": _stay_days,
        "vessel.main_engine_tier": _tier("main"),
        "vessel.auxiliary_engine_tier": _tier("auxiliary"),
        "vessel.shore_power.capable": _shore_power_capable,
        "vessel.esi.current": _esi_current,
        "call.operator_vsr_compliance.for_previous_year": _vsr_previous_year,
    })
    return table


_RESOLVERS = _resolvers()


def as_of_date(request: dict, today: dt.date) -> dt.date:
    """The day a request is judged on: the call's arrival, else today (UTC)."""
    call = request.get("call")
    return (call and call.get("arrival")) or today


def build_facts(request: dict, today: dt.date) -> tuple[Facts, dict]:
    """Return (facts, fees) for a request already loaded by the request schema."""
    facts = Facts()
    facts.vessel = request["vessel"]
    facts.call = call = request.get("call") or {}
    facts["as_of"] = as_of_date(request, today)
    return facts, call.get("fees") or {}  # fees become Money only when a benefit needs one
