"""Flatten a validated request into {input path: value} and add the derived facts.

Done once per request, so every rule reads a fact with one dict lookup.
"""

from __future__ import annotations

import datetime as dt

from .inputs import REQUEST_FIELDS


def _path_table(section: str) -> dict:
    """key -> path, or key -> {sub: path} for nested objects; built once so the hot loop makes no strings."""
    table: dict = {}
    for path in REQUEST_FIELDS:
        parts = path.split(".")
        if parts[0] != section:
            continue
        if len(parts) == 3:
            table.setdefault(parts[1], {})[parts[2]] = path
        else:
            table[parts[1]] = path
    return table


_VESSEL, _CALL = _path_table("vessel"), _path_table("call")


_TIER_PATHS = (("main", "vessel.main_engine_tier"), ("auxiliary", "vessel.auxiliary_engine_tier"))


def _flatten(section: dict, table: dict, facts: dict) -> None:
    for key, value in section.items():
        path = table.get(key)
        if path is None:
            continue  # engines, fees: read below
        if type(path) is dict:
            for sub, subvalue in value.items():
                facts[path[sub]] = subvalue
        else:
            facts[path] = value


def build_facts(request: dict, today: dt.date) -> tuple[dict, dict]:
    """Return (facts, fees) for a request already loaded by the request schema."""
    vessel = request["vessel"]
    call = request.get("call") or {}
    facts: dict = {}
    _flatten(vessel, _VESSEL, facts)
    if call:
        _flatten(call, _CALL, facts)

    as_of = call.get("arrival") or today
    facts["as_of"] = as_of
    arrival, departure = call.get("arrival"), call.get("departure")
    if arrival and departure:
        facts["call.stay_days"] = (departure - arrival).days

    engines = vessel.get("engines")
    if engines:
        for role, path in _TIER_PATHS:
            tiers = [e.get("imo_nox_tier") for e in engines if e["role"] == role]
            if tiers and None not in tiers:
                facts[path] = min(tiers)

    sp = vessel.get("shore_power")
    if sp:
        fitted, commissioned = sp.get("fitted"), sp.get("commissioned")
        if fitted is False or commissioned is False:
            facts["vessel.shore_power.capable"] = False
        elif fitted and commissioned:
            facts["vessel.shore_power.capable"] = True

    valid_until = facts.get("vessel.esi.valid_until")
    if valid_until is not None:
        facts["vessel.esi.current"] = valid_until >= as_of

    year = facts.get("call.operator_vsr_compliance.year")
    if year is not None:
        facts["call.operator_vsr_compliance.for_previous_year"] = year == as_of.year - 1

    fees = call.get("fees") or {}  # {name: {amount, currency}}; made Money only when a benefit needs it
    return facts, fees
