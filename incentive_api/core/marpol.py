"""MARPOL Annex VI: the NOx tier an engine must meet and its limit (Reg. 13), the fuel sulphur caps (Reg. 14).

The tables of programs.md §6.1 and §6.2, each figure with its source. Which ports lie in which
emission control area is not here: it is data in rules/emission-control-areas.yaml.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import ROUND_HALF_UP, Decimal, localcontext

# Reg. 13 tiers by the ship's construction date (keel laid) [S45][S46][S47][S48].
TIER_I_KEEL_LAID_FROM = dt.date(2000, 1, 1)
TIER_II_KEEL_LAID_FROM = dt.date(2011, 1, 1)
# Tier III binds only while operating in a NOx ECA, for ships whose keel was laid on or after the
# area's date; outside an ECA such a ship meets Tier II [S45][S46][S47].
TIER_III_KEEL_LAID_FROM = {
    "north_american": dt.date(2016, 1, 1),
    "us_caribbean": dt.date(2016, 1, 1),
    "baltic": dt.date(2021, 1, 1),
    "north_sea": dt.date(2021, 1, 1),
}
ECA_NAMES = {
    "north_american": "the North American ECA",
    "us_caribbean": "the US Caribbean ECA",
    "baltic": "the Baltic Sea ECA",
    "north_sea": "the North Sea ECA",
}
ECAS = tuple(TIER_III_KEEL_LAID_FROM)  # every ECA is both a SOx and a NOx ECA [S52][S45]
OUTSIDE = "none"  # a port placed outside every ECA
TIER_NAMES = {1: "Tier I", 2: "Tier II", 3: "Tier III"}

# Limits in g/kWh by rated speed n: (n < 130, (factor, exponent) of factor * n^exponent for
# 130 <= n < 2000, n >= 2000) [S45][S46][S48][S42].
LOW_SPEED_BELOW_RPM = 130
HIGH_SPEED_FROM_RPM = 2000
TIER_III_HIGH_SPEED_LIMIT = Decimal("2.0")  # some secondary sources give 1.96 [S50]; the table gives 2.0
NOX_LIMITS = {
    1: (Decimal("17.0"), (Decimal(45), Decimal("-0.2")), Decimal("9.8")),
    2: (Decimal("14.4"), (Decimal(44), Decimal("-0.23")), Decimal("7.7")),
    3: (Decimal("3.4"), (Decimal(9), Decimal("-0.2")), TIER_III_HIGH_SPEED_LIMIT),
}
# The NOx Technical Code rounds the engine's weighted emission to one decimal before comparing it
# with the limit [S49]. The limit itself is the formula's value, unrounded, so the published
# discontinuities stay (Tier II: 14.36 at 130 rpm against 14.4 below; Tier III: 1.968 at 1999 rpm
# against 2.0 from 2000). To compare with a limit printed to one decimal, set LIMIT_PLACES = 1.
RATING_PLACES = 1
LIMIT_PLACES = None

ENGINE_MIN_POWER_KW = Decimal(130)  # Reg. 13 applies to engines above 130 kW [S45]
# One draft-era summary applies Tier III only above 600 kW [S50], UNVERIFIED against the adopted
# text: not applied. Set Decimal(600) to apply it (smaller engines then meet Tier II).
TIER_III_MIN_POWER_KW = None

# Reg. 14 caps, % m/m: (in force from, cap) [S52][S53][S54]. A cap whose start the sources do not
# date (4.50% "(2005)", the ECA's 1.50%) is kept as history but never applied: None before the
# first dated step.
GLOBAL_SULPHUR_CAPS = ((None, Decimal("4.50")), (dt.date(2012, 1, 1), Decimal("3.50")),
                       (dt.date(2020, 1, 1), Decimal("0.50")))
ECA_SULPHUR_CAPS = ((None, Decimal("1.50")), (dt.date(2010, 7, 1), Decimal("1.00")),
                    (dt.date(2015, 1, 1), Decimal("0.10")))


def area_of(areas: dict, port: str | None) -> str | None:
    """The ECA a port lies in, OUTSIDE, or None when the port is placed nowhere (a port, then its country)."""
    if not port:
        return None
    return areas.get(port) or areas.get(port[:2] + "*")


def tier_required(keel_laid: dt.date | None, eca: str | None = None) -> int | None:
    """The tier a ship's engines must meet: by keel date, and in a NOx ECA (its id) by the area's date.

    0 for a keel laid before 2000: no tier of Reg. 13 applies (the "approved method" for some
    1990-1999 engines [S51] needs inputs the service does not take).
    """
    if keel_laid is None:
        return None
    if keel_laid < TIER_I_KEEL_LAID_FROM:
        return 0
    if keel_laid < TIER_II_KEEL_LAID_FROM:
        return 1
    tier_iii_from = TIER_III_KEEL_LAID_FROM.get(eca)
    return 3 if tier_iii_from is not None and keel_laid >= tier_iii_from else 2


@functools.lru_cache(maxsize=4096)  # a Decimal power costs tens of microseconds; fleets repeat their engines
def nox_limit(tier: int, rpm, places: int | None = LIMIT_PLACES) -> Decimal:
    """The NOx limit in g/kWh of an engine of `tier` at rated speed `rpm`."""
    low, (factor, exponent), high = NOX_LIMITS[tier]
    n = Decimal(rpm)
    if n < LOW_SPEED_BELOW_RPM:
        limit = low
    elif n >= HIGH_SPEED_FROM_RPM:
        limit = high
    else:
        with localcontext() as ctx:
            ctx.prec = 28
            limit = factor * n ** exponent
    return limit if places is None else limit.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def rounded_rating(g_per_kwh) -> Decimal:
    """An engine's weighted NOx emission as the NOx Technical Code compares it: to one decimal [S49]."""
    return Decimal(g_per_kwh).quantize(Decimal(1).scaleb(-RATING_PLACES), ROUND_HALF_UP)


def engine_tier(tier: int, rated_power_kw) -> int:
    """The tier one engine must meet when its ship must meet `tier` (the Tier III power floor, if set)."""
    small = rated_power_kw is not None and TIER_III_MIN_POWER_KW is not None and rated_power_kw <= TIER_III_MIN_POWER_KW
    return 2 if tier == 3 and small else tier


def nox_exceedances(engines: list, tier: int | None) -> str | None:
    """'none' when every engine's rating is within its limit; else each engine over it, with its figures.

    None when it cannot be told: no tier applies or is known, or an engine within reach of Reg. 13
    lacks its rating or rated speed and no other engine is over.
    """
    if not tier:
        return None
    over, unknown = [], False
    counted: dict = {}
    for engine in engines:
        role = engine["role"]
        counted[role] = counted.get(role, 0) + 1
        power = engine.get("rated_power_kw")
        if power is not None and power <= ENGINE_MIN_POWER_KW:
            continue
        rating, rpm = engine.get("nox_g_per_kwh"), engine.get("rated_speed_rpm")
        if rating is None or rpm is None:
            unknown = True
            continue
        its_tier = engine_tier(tier, power)
        limit, rated = nox_limit(its_tier, rpm), rounded_rating(rating)
        if rated > limit:
            over.append(f"{role} engine {counted[role]}: {rated} g/kWh over the {TIER_NAMES[its_tier]} limit "
                        f"{_shown(limit)} g/kWh at {_shown(Decimal(rpm))} rpm")
    if over:
        return "; ".join(over)
    return None if unknown or not counted else "none"


def sulphur_cap_in_force(day: dt.date, in_eca: bool) -> tuple[dt.date, Decimal] | None:
    """(first day, cap % m/m) of the Reg. 14 cap on `day`, inside or outside an ECA; None before a dated cap."""
    found = None
    for start, cap in ECA_SULPHUR_CAPS if in_eca else GLOBAL_SULPHUR_CAPS:
        if start is not None and day >= start:
            found = (start, cap)
    return found


def sulphur_cap(day: dt.date, in_eca: bool) -> Decimal | None:
    """The Reg. 14 fuel sulphur cap in % m/m on `day`, inside or outside an ECA."""
    found = sulphur_cap_in_force(day, in_eca)
    return None if found is None else found[1]


def sulphur_over_cap(sulphur_pct, day: dt.date, eca: str | None) -> str | None:
    """'none' when the fuel is within the cap at a port in `eca` (or OUTSIDE); else the fuel against the cap."""
    if sulphur_pct is None or eca is None:
        return None
    found = sulphur_cap_in_force(day, eca != OUTSIDE)
    if found is None:
        return None
    start, cap = found
    if Decimal(sulphur_pct) <= cap:
        return "none"
    where = "global cap" if eca == OUTSIDE else f"cap in {ECA_NAMES[eca]}"
    return f"{_shown(Decimal(sulphur_pct))}% m/m over the {cap}% {where} (from {start.isoformat()})"


def _shown(value: Decimal) -> str:
    """A figure for a reason: as published when it has few decimals, else to three (1.968, 14.363)."""
    if value == value.quantize(Decimal("0.01")):
        return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    return str(value.quantize(Decimal("0.001"), ROUND_HALF_UP))
