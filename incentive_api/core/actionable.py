"""The inputs advice may change: what a ship's operator can act on, and how each is written into a request.

Nothing else is ever varied: the port, the dates, the vessel's type, tonnage, flag and IMO number are what
the call is, not choices. A derived fact (a main-engine tier, shore-power capability, a current ESI
certificate) is listed with the request fields that make it so, which is how it is written.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .inputs import FIELDS, RANGES
from .request import plain

# Request fields written as they are.
FIELDS_AS_SENT = (
    "vessel.esi.score", "vessel.esi.nox_score", "vessel.esi.nox_valid", "vessel.esi.sox_valid",
    "vessel.shore_power.fitted", "vessel.shore_power.class_approved", "vessel.shore_power.commissioned",
    "vessel.green_award", "vessel.csi_stars", "vessel.eedi_improvement_pct",
    "call.shore_power_used", "call.fuel_at_berth", "call.fuel_sulphur_pct", "call.fuel_for_entire_stay",
    "call.fuel_switched_before_port_limits", "call.biofuel_blend_pct", "call.fuel_ghg_reduction_pct",
    "call.fuel_from_renewables", "call.ammonia_pilot_fuel_pct", "call.methane_slip_addressed",
    "call.low_carbon_harbour_craft", "call.vsr.within_20nm", "call.vsr.within_40nm",
    "call.operator_vsr_compliance.zone_20nm_pct", "call.operator_vsr_compliance.zone_40nm_pct",
    "call.registered_for_incentive", "call.fuel_switched_before_control_area",
    "call.berth_fuel_switch.hours_after_arrival", "call.berth_fuel_switch.hours_before_departure",
    "call.vsr.share_of_year_calls_pct", "call.biofuel_bunkered_tonnes",
)
# Derived facts, written through the fields they are derived from.
DERIVED = ("vessel.main_engine_tier", "vessel.auxiliary_engine_tier", "vessel.shore_power.capable",
           "vessel.esi.current")
ACTIONABLE = frozenset(FIELDS_AS_SENT + DERIVED)

# The smallest step of each numeric input, for a strict comparison (`> 20` is met first at 20 + step).
STEPS = {
    "vessel.esi.score": Decimal("0.01"),  # the ESI portal publishes scores to two decimals
    "vessel.esi.nox_score": Decimal("0.01"),
    "vessel.eedi_improvement_pct": Decimal("0.1"),  # attained EEDI against the reference line, to 0.1 %
    "call.fuel_sulphur_pct": Decimal("0.01"),  # bunker delivery notes state sulphur to 0.01 % m/m
    "call.biofuel_blend_pct": Decimal(1),  # blends are sold by whole percent (B24, B30)
    "call.fuel_ghg_reduction_pct": Decimal("0.1"),
    "call.ammonia_pilot_fuel_pct": Decimal("0.1"),
    "call.operator_vsr_compliance.zone_20nm_pct": Decimal("0.1"),  # port VSR reports give one decimal
    "call.operator_vsr_compliance.zone_40nm_pct": Decimal("0.1"),
    "call.berth_fuel_switch.hours_after_arrival": Decimal("0.1"),  # engine-room logs keep time to minutes
    "call.berth_fuel_switch.hours_before_departure": Decimal("0.1"),
    "call.vsr.share_of_year_calls_pct": Decimal("0.1"),
    "call.biofuel_bunkered_tonnes": Decimal(1),
    "vessel.csi_stars": Decimal(1),
    "vessel.main_engine_tier": Decimal(1),
    "vessel.auxiliary_engine_tier": Decimal(1),
}


def normalised(path: str, value):
    """A value as the request schema would give it: integers as int, numbers in their one spelling."""
    kind = FIELDS[path].kind
    if kind == "integer":
        return int(value)
    if kind == "number":
        return plain(Decimal(value))
    return value


def within_range(path: str, value) -> bool:
    lo, hi = RANGES.get(path, (None, None))
    return (lo is None or value >= lo) and (hi is None or value <= hi)


def write(request: dict, path: str, value, as_of: dt.date, wire: bool = False) -> bool:
    """Set one actionable input in `request` (changed in place; nested parts are copied first).

    `wire` writes dates as text, for a body still to be parsed. False when the input cannot be written
    without inventing another fact (a VSR compliance percentage without its record's year).
    """
    if path == "vessel.main_engine_tier" or path == "vessel.auxiliary_engine_tier":
        role = "main" if path == "vessel.main_engine_tier" else "auxiliary"
        vessel = _copied(request, "vessel")
        engines = [dict(e) for e in vessel.get("engines") or ()]
        mine = [e for e in engines if e["role"] == role]
        for engine in mine:
            engine["imo_nox_tier"] = value
        if not mine:
            engines.append({"role": role, "count": 1, "imo_nox_tier": value})
        vessel["engines"] = engines
        return True
    if path == "vessel.shore_power.capable":
        shore_power = _copied(_copied(request, "vessel"), "shore_power")
        shore_power["fitted"] = shore_power["commissioned"] = value
        return value is True
    if path == "vessel.esi.current":
        if value is not True:
            return False
        esi = _copied(_copied(request, "vessel"), "esi")
        esi["valid_until"] = as_of.isoformat() if wire else as_of  # renewed to cover the call, no further
        return True
    section, *parents, key = path.split(".")
    part = _copied(request, section)
    for name in parents:
        if name == "operator_vsr_compliance" and name not in part:
            return False
        part = _copied(part, name)
    part[key] = value
    return True


def _copied(container: dict, key: str) -> dict:
    inner = dict(container.get(key) or {})
    container[key] = inner
    return inner
