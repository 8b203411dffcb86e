"""The facts of one request: {input path: value}, resolved lazily.

A rule reads `facts[path]`. The first read of a path resolves it from the
validated request (or derives it) and keeps it, so a decision pays only for the
inputs its programs actually read, and each at most once.
"""

from __future__ import annotations

import datetime as dt

from .esi import estimate
from .inputs import REQUEST_FIELDS
from .marpol import (
    OUTSIDE,
    TIER_III_KEEL_LAID_FROM,
    area_of,
    nox_exceedances,
    sulphur_cap,
    sulphur_over_cap,
    tier_required,
)


class Facts(dict):
    __slots__ = ("vessel", "call", "areas")  # areas: {port or country*: ECA id or "none"}, from the ruleset

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


# ESI estimate (programs.md §5): a declared vessel.esi.score always wins; without one, the estimate.
def _esi_estimate(f: Facts):
    return estimate(f.vessel, f["as_of"]).score


def _esi_score(f: Facts):
    declared = (f.vessel.get("esi") or {}).get("score")
    return declared if declared is not None else f["vessel.esi.estimate"]


def _esi_estimated(f: Facts):
    if (f.vessel.get("esi") or {}).get("score") is not None:
        return False
    return None if f["vessel.esi.estimate"] is None else True


# A path whose value may be an estimate -> the fact saying it is one, and the note an answer using it carries.
ESTIMATED = {
    "vessel.esi.score": ("vessel.esi.estimated",
                         "vessel.esi.score is estimated from engines, bunkers, CO2 reporting and OPS (programs.md §5, "
                         "Variant A): no score was declared. The port pays on the score the ESI portal publishes."),
}


# MARPOL Annex VI (Reg. 13, 14): the port's ECA comes from the ruleset (rules/emission-control-areas.yaml).
class ComputedTier(int):
    """A main-engine tier no engine declared, computed from the keel date.

    It compares as its number; in a reason it says where it came from, so every rule that reads
    vessel.main_engine_tier explains which was used without a line of its own.
    """

    def __new__(cls, tier: int, keel_laid: dt.date):
        self = super().__new__(cls, tier)
        self.keel_laid = keel_laid
        return self

    def __str__(self):
        return f"{int(self)} (no tier declared: computed from vessel.keel_laid {self.keel_laid.isoformat()})"


def _main_engine_tier(f: Facts):
    """The lowest declared tier among the main engines; an engine without one counts at the tier its
    keel date requires outside any ECA (the tier every engine of that date is built to at least)."""
    mains = [e for e in f.vessel.get("engines") or () if e["role"] == "main"]
    declared = [e["imo_nox_tier"] for e in mains if e.get("imo_nox_tier") is not None]
    if mains and len(declared) == len(mains):
        return min(declared)
    keel_laid = f["vessel.keel_laid"]
    computed = tier_required(keel_laid)
    if computed is None:
        return None
    if declared and min(declared) <= computed:
        return min(declared)
    return ComputedTier(computed, keel_laid)


def _main_engine_tier_source(f: Facts):
    tier = f["vessel.main_engine_tier"]
    return None if tier is None else ("keel_laid" if isinstance(tier, ComputedTier) else "declared")


def _emission_control_area(f: Facts):
    return area_of(f.areas or {}, f.call.get("port"))


def _nox_tier_required(f: Facts):
    keel_laid, eca = f["vessel.keel_laid"], f["call.emission_control_area"]
    if eca is None and keel_laid is not None and keel_laid >= min(TIER_III_KEEL_LAID_FROM.values()):
        return None  # Tier III or II depends on where the port lies
    return tier_required(keel_laid, eca)


def _engines_nox_over_limit(f: Facts):
    return nox_exceedances(f.vessel.get("engines") or [], f["vessel.nox_tier_required"])


def _sulphur_cap_pct(f: Facts):
    eca = f["call.emission_control_area"]
    return None if eca is None else sulphur_cap(f["as_of"], eca != OUTSIDE)


def _fuel_sulphur_over_cap(f: Facts):
    return sulphur_over_cap(f["call.fuel_sulphur_pct"], f["as_of"], f["call.emission_control_area"])


MARPOL_RESOLVERS = {
    "vessel.main_engine_tier_source": _main_engine_tier_source,
    "call.emission_control_area": _emission_control_area,
    "vessel.nox_tier_required": _nox_tier_required,
    "vessel.engines_nox_over_limit": _engines_nox_over_limit,
    "call.sulphur_cap_pct": _sulphur_cap_pct,
    "call.fuel_sulphur_over_cap": _fuel_sulphur_over_cap,
}


def _resolvers() -> dict:
    table = {}
    for path in REQUEST_FIELDS:
        parts = path.split(".")
        table[path] = _field(*parts) if len(parts) == 2 else _nested(*parts)
    table.update({
        "call.stay_days": _stay_days,
        "vessel.main_engine_tier": _main_engine_tier,
        "vessel.auxiliary_engine_tier": _tier("auxiliary"),
        "vessel.shore_power.capable": _shore_power_capable,
        "vessel.esi.current": _esi_current,
        "call.operator_vsr_compliance.for_previous_year": _vsr_previous_year,
    })
    table.update({"vessel.esi.estimate": _esi_estimate, "vessel.esi.score": _esi_score,
                  "vessel.esi.estimated": _esi_estimated})
    table.update(MARPOL_RESOLVERS)
    return table


_RESOLVERS = _resolvers()


def as_of_date(request: dict, today: dt.date) -> dt.date:
    """The day a request is judged on: the call's arrival, else today (UTC)."""
    call = request.get("call")
    return (call and call.get("arrival")) or today


def build_facts(request: dict, today: dt.date, areas: dict | None = None) -> tuple[Facts, dict]:
    """Return (facts, fees) for a request already loaded by the request schema; `areas` places ports in ECAs."""
    facts = Facts()
    facts.areas = areas
    facts.vessel = request["vessel"]
    facts.call = call = request.get("call") or {}
    facts["as_of"] = as_of_date(request, today)
    return facts, call.get("fees") or {}  # fees become Money only when a benefit needs one
