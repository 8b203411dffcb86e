"""The Environmental Ship Index estimated from engine and bunker data: Variant A of programs.md §5.

ESI = ESI_NOx + ESI_SOx + ESI_CO2 + OPS, capped at 100 [S10][S39]. Ports pay on the score the ESI
portal publishes (§5.1), so an estimate stands in only where no score is declared, and says so.

Readings of what the sources leave open, each a one-line change here:
- Rounding ("published"): NOx sub-points to one decimal and SOx sub-points to two, as the official
  worked example prints them (10.0, 41.25), each part to two decimals, the total their sum: the example
  gives 25.42. "exact" rounds only the total: 25.43 for the same ship (§5.5).
- A fuel category with no bunkers in the two quarters scores 0 sub-points: no reduction is claimed for
  fuel not bunkered (§5.3 leaves it open).
- A bunker given by category only counts at its category's baseline, the most sulphur that category
  holds, so the estimate never exceeds what the delivery notes would give.
- Fuel exactly at a baseline belongs to the category that baseline caps (0.50 % is MID, 0.10 % LOW):
  a ship that just meets the rules scores 0 (§5). A category named on a bunker wins over its sulphur.
- The "previous two quarters" are the two calendar quarters before the as-of date's quarter.
- CO2 efficiency-gain points count only with reporting, from which the gain is measured; a reporting
  ship that states no gain gets the 5 reporting points.
- NOx sub-points and each category's relative reduction are kept within [0, 100] and [0, 1].
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .inputs import BUNKER_CATEGORIES
from .marpol import HIGH_SPEED_FROM_RPM, LOW_SPEED_BELOW_RPM, nox_limit
from .values import to_json

ROUNDING = "published"  # or "exact"

# §5.2: ESI keeps IMO Tier I as the NOx baseline [S41][S42], the limit as on the EIAPP certificate, to one
# decimal (the NOx Technical Code, §6.1 [S49]).
BASELINE_TIER, LIMIT_PLACES = 1, 1

# §5.3: categories by sulphur % m/m, their weights, and the baselines in force [S42][S43][S39].
WEIGHTS = {"HIGH": Decimal(30), "MID": Decimal(35), "LOW": Decimal(35)}
EMPTY_CATEGORY_SUBPOINTS = Decimal(0)


@dataclass(frozen=True)
class SoxBaselines:
    name: str
    since: dt.date | None
    limits: dict  # category -> % m/m


SOX_BASELINES = (
    SoxBaselines("2015", dt.date(2015, 1, 1),
                 {"HIGH": Decimal("3.50"), "MID": Decimal("0.50"), "LOW": Decimal("0.10")}),
    SoxBaselines("pre-2015", None,
                 {"HIGH": Decimal("3.50"), "MID": Decimal("1.00"), "LOW": Decimal("0.50")}),
)

# §5.1, §5.4: CO2 points for half-yearly reporting, plus the efficiency gain in %, capped; OPS only for a
# Classification-Society-approved installation [S10][S44].
CO2_REPORTING_POINTS, CO2_CAP, OPS_POINTS, SCORE_CAP = Decimal(5), Decimal(15), Decimal(10), Decimal(100)

CENT, TENTH = Decimal("0.01"), Decimal("0.1")
SHOWN = Decimal("0.0001")  # how finely unrounded figures are written in the arithmetic


def _round(value: Decimal, step: Decimal = CENT) -> Decimal:
    return value.quantize(step, rounding=ROUND_HALF_UP)


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f")


@dataclass
class Part:
    points: Decimal | None = None
    subpoints: Decimal | None = None
    arithmetic: list = field(default_factory=list)

    def as_json(self) -> dict:
        out = {"points": to_json(self.points)}
        if self.subpoints is not None:
            out["subpoints"] = to_json(self.subpoints)
        out["arithmetic"] = self.arithmetic
        return out


@dataclass
class Estimate:
    score: Decimal | None
    as_of: dt.date
    rounding: str
    baseline: SoxBaselines
    quarters: tuple
    parts: dict
    missing: list
    notes: list

    def as_json(self) -> dict:
        return {
            "score": to_json(self.score), "as_of": self.as_of.isoformat(), "variant": "A",
            "rounding": self.rounding,
            "baselines": {"nox": "IMO Tier I", "sox": self.baseline.name,
                          "sox_limits": {c: to_json(v) for c, v in self.baseline.limits.items()},
                          "bunker_quarters": list(self.quarters)},
            "parts": {name: part.as_json() for name, part in self.parts.items()},
            "missing": self.missing, "notes": self.notes,
        }


def estimate(vessel: dict, as_of: dt.date, rounding: str = ROUNDING) -> Estimate:
    """The Variant A estimate for a vessel already loaded by the request schema, judged on `as_of`."""
    if rounding not in ("published", "exact"):
        raise ValueError(f"rounding is 'published' or 'exact', not {rounding!r}")
    missing: list = []
    notes: list = []
    baseline = sox_baselines(as_of)
    quarters = previous_quarters(as_of)
    parts = {
        "nox": _nox(vessel.get("engines") or [], rounding, missing),
        "sox": _sox(vessel.get("bunkers") or [], baseline, quarters, rounding, missing, notes),
        "co2": _co2(vessel, missing, notes),
        "ops": _ops(vessel.get("shore_power") or {}),
    }
    score = None
    if all(p.points is not None for p in parts.values()):
        exact = sum(p.points for p in parts.values())
        for part in parts.values():
            part.points = _round(part.points)
        published = sum(p.points for p in parts.values())
        score = min(SCORE_CAP, published if rounding == "published" else _round(exact))
    return Estimate(score, as_of, rounding, baseline, quarters, parts, missing, notes)


def tier_i_limit(rpm: Decimal) -> tuple[Decimal, str]:
    """The Tier I NOx limit in g/kWh at a rated speed, and how it was found."""
    limit = nox_limit(BASELINE_TIER, rpm, LIMIT_PLACES)
    if LOW_SPEED_BELOW_RPM <= rpm < HIGH_SPEED_FROM_RPM:
        curve = _round(nox_limit(BASELINE_TIER, rpm, None), Decimal("0.001"))
        return limit, f"Tier I 45 x {_num(rpm)}^-0.2 = {_num(curve)} -> {limit}"
    return limit, f"Tier I {'below 130' if rpm < LOW_SPEED_BELOW_RPM else 'from 2000'} rpm: {limit}"


def _nox(engines: list, rounding: str, missing: list) -> Part:
    part = Part()
    if not engines:
        missing.append("vessel.engines")
        return part
    gaps = [f"vessel.engines.{i}.{key}" for i, e in enumerate(engines)
            for key in ("rated_power_kw", "rated_speed_rpm", "nox_g_per_kwh") if e.get(key) is None]
    if gaps:
        missing.extend(gaps)
        return part
    terms, powers, reduced, total_power = [], [], Decimal(0), Decimal(0)
    for e in engines:
        limit, how = tier_i_limit(e["rated_speed_rpm"])
        power = e["rated_power_kw"] * e["count"]
        rating = e["nox_g_per_kwh"]
        reduced += (limit - rating) * power / limit
        total_power += power
        each = f"{_num(e['rated_power_kw'])} x {e['count']}" if e["count"] > 1 else _num(e["rated_power_kw"])
        terms.append(f"({limit} - {_num(rating)}) x {each} / {limit}")
        powers.append(each)
        part.arithmetic.append(f"{e['role']} engine x{e['count']}: {_num(e['rated_power_kw'])} kW at "
                               f"{_num(e['rated_speed_rpm'])} rpm, rating {_num(rating)} g/kWh, limit {how}")
    exact = min(Decimal(100), max(Decimal(0), reduced / total_power * 100))
    sub = _round(exact, TENTH) if rounding == "published" else exact
    part.subpoints = _round(sub, SHOWN)
    shown = str(sub) if rounding == "published" else _num(part.subpoints)
    published = f" -> {shown} (one decimal, as the published example)" if rounding == "published" else ""
    part.arithmetic.append(f"NOx sub-points = {{{' + '.join(terms)}}} / ({' + '.join(powers)}) x 100 = "
                           f"{_num(_round(reduced))} / {_num(total_power)} x 100 = {_num(_round(exact, SHOWN))}"
                           + published)
    part.points = 2 * sub / 3
    part.arithmetic.append(f"ESI_NOx = 2 x {shown} / 3 = {_round(part.points)}")
    return part


def sox_baselines(as_of: dt.date) -> SoxBaselines:
    return next(b for b in SOX_BASELINES if b.since is None or as_of >= b.since)


def previous_quarters(as_of: dt.date) -> tuple:
    """The two calendar quarters before the one `as_of` falls in, oldest first: ("2025-Q3", "2025-Q4")."""
    index = as_of.year * 4 + (as_of.month - 1) // 3
    return tuple(f"{i // 4:04d}-Q{i % 4 + 1}" for i in (index - 2, index - 1))  # the year in four digits, as dates


def category_of(sulphur: Decimal, baseline: SoxBaselines) -> str:
    """The category a fuel falls in: above the next baseline down, up to its own (0.50 % is MID)."""
    if sulphur > baseline.limits["MID"]:
        return "HIGH"
    return "MID" if sulphur > baseline.limits["LOW"] else "LOW"


def _sox(bunkers: list, baseline: SoxBaselines, quarters: tuple, rounding: str, missing: list, notes: list) -> Part:
    part = Part()
    counted = [b for b in bunkers if b["quarter"] in quarters]
    if len(counted) < len(bunkers):
        notes.append(f"{len(bunkers) - len(counted)} bunker(s) outside {' and '.join(quarters)} not counted: "
                     f"SOx is computed from the delivery notes of the previous two quarters (programs.md §5.3).")
    if not counted:
        missing.append("vessel.bunkers")
        return part
    tonnes = {c: Decimal(0) for c in BUNKER_CATEGORIES}
    sulphur_tonnes = {c: Decimal(0) for c in BUNKER_CATEGORIES}
    for b in counted:
        category = b.get("category") or category_of(b["sulphur_pct"], baseline)
        sulphur = b.get("sulphur_pct")
        sulphur = baseline.limits[category] if sulphur is None else sulphur
        tonnes[category] += b["tonnes"]
        sulphur_tonnes[category] += sulphur * b["tonnes"]
    lower = dict(zip(BUNKER_CATEGORIES, [baseline.limits["MID"], baseline.limits["LOW"], Decimal(0)]))
    total, terms = Decimal(0), []
    for c in BUNKER_CATEGORIES:
        base = baseline.limits[c]
        if not tonnes[c]:
            points = EMPTY_CATEGORY_SUBPOINTS
            part.arithmetic.append(f"{c}: no bunkers in {' and '.join(quarters)}: {_num(points)} sub-points")
            notes.append(f"No {c} bunkers: that category scores {_num(points)} SOx sub-points (programs.md §5.3 "
                         f"does not say how an empty category scores).")
        else:
            actual = sulphur_tonnes[c] / tonnes[c]
            reduction = min(Decimal(1), max(Decimal(0), (base - actual) / (base - lower[c])))
            points = reduction * WEIGHTS[c]
            part.arithmetic.append(
                f"{c}: weighted sulphur {_num(_round(actual, SHOWN))} % over {_num(tonnes[c])} t; "
                f"({_num(base)} - {_num(_round(actual, SHOWN))}) / ({_num(base)} - {_num(lower[c])}) "
                f"x {WEIGHTS[c]} = {_num(_round(points))}")
        terms.append(_num(_round(points)))
        total += points
    sub = _round(total) if rounding == "published" else total
    part.subpoints = _round(sub, SHOWN)
    part.arithmetic.append(f"SOx sub-points = {' + '.join(terms)} = {_num(part.subpoints)}")
    part.points = sub / 3
    part.arithmetic.append(f"ESI_SOx = {_num(part.subpoints)} / 3 = {_round(part.points)}")
    return part


def _co2(vessel: dict, missing: list, notes: list) -> Part:
    part = Part()
    reporting = vessel.get("co2_reporting")
    if reporting is None:
        missing.append("vessel.co2_reporting")
        return part
    gain = vessel.get("co2_efficiency_gain_pct")
    if not reporting:
        part.points = Decimal(0)
        part.arithmetic.append("no half-yearly CO2 reporting: 0" + (" (an efficiency gain counts only with "
                                                                      "reporting)" if gain else ""))
        return part
    if gain is None:
        notes.append("vessel.co2_efficiency_gain_pct not given: no efficiency gain counted.")
        gain = Decimal(0)
    part.points = min(CO2_CAP, CO2_REPORTING_POINTS + gain)
    part.arithmetic.append(f"ESI_CO2 = reporting {_num(CO2_REPORTING_POINTS)} + efficiency gain {_num(gain)} "
                           f"= {_num(CO2_REPORTING_POINTS + gain)}, capped at {_num(CO2_CAP)}: {_num(part.points)}")
    return part


def _ops(shore_power: dict) -> Part:
    approved = shore_power.get("class_approved") is True and shore_power.get("fitted") is not False
    part = Part(points=OPS_POINTS if approved else Decimal(0))
    if approved:
        why = "a class-approved on-shore power installation"
    elif shore_power.get("fitted"):
        why = "fitted but not class-approved: no OPS points (programs.md §5.4)"
    else:
        why = "no class-approved on-shore power installation declared"
    part.arithmetic.append(f"OPS = {_num(part.points)}: {why}")
    return part
