"""Flatten a validated request into {input path: value} and add the derived facts.

Done once per request, so every rule reads a fact with one dict lookup.
"""

from __future__ import annotations

import datetime as dt

from .money import Money

_NESTED = ("shore_power", "esi", "vsr", "operator_vsr_compliance")


def build_facts(request: dict, today: dt.date) -> tuple[dict, dict]:
    """Return (facts, fees) for a request already loaded by the request schema."""
    vessel = request["vessel"]
    call = request.get("call") or {}
    facts: dict = {}
    for prefix, section in (("vessel.", vessel), ("call.", call)):
        for key, value in section.items():
            if key in _NESTED:
                for sub, subvalue in value.items():
                    facts[f"{prefix}{key}.{sub}"] = subvalue
            elif key not in ("engines", "fees"):
                facts[prefix + key] = value

    as_of = call.get("arrival") or today
    facts["as_of"] = as_of
    arrival, departure = call.get("arrival"), call.get("departure")
    if arrival and departure:
        facts["call.stay_days"] = (departure - arrival).days

    engines = vessel.get("engines")
    if engines:
        for role in ("main", "auxiliary"):
            tiers = [e.get("imo_nox_tier") for e in engines if e["role"] == role]
            if tiers and None not in tiers:
                facts[f"vessel.{role}_engine_tier"] = min(tiers)

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

    fees = {name: Money(f["amount"], f["currency"]) for name, f in (call.get("fees") or {}).items()}
    return facts, fees
