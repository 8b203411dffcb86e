"""A deterministic generator of realistic request bodies: vessels and their port calls.

    generate_requests(n, *, ruleset, seed=DEFAULT_SEED, ports=None) -> list[dict]

Each body is exactly what a caller sends: a JSON-able dict with dates as
"YYYY-MM-DD" strings, whole numbers as int and other numbers as decimal.Decimal
(what json.loads(text, parse_float=Decimal) gives). Every body passes
incentive_api.core.request.parse_request. None names `programs`, so a decision
covers every program in effect at the call's port.

The rule facts come from the ruleset (see rulefacts.py), so every rule is reached:
- calls at every port an edition applies to, with fees in the currency that
  port's editions state money in;
- a share of calls on each day an edition begins or ends, and the day before,
  taken in turn so that every one is reached in a sample of a few thousand;
- a share of ESI and ESI-NOx scores on each band edge and comparison threshold
  and one step either side of it (e.g. 47.9, 48, 48.1), also taken in turn; the
  same for the other figures the rules compare (sulphur, blend and compliance
  percentages).

The rest is realistic vessel data, not rule facts:
- valid IMO numbers, sometimes written "IMO 9074729" or as an int;
- vessel types with plausible gross tonnage, deadweight, build year and keel date;
- main and auxiliary engines whose IMO NOx tier follows the keel date (Tier III
  only from 2016), with rated power, speed and sometimes the certified NOx rate;
- fuels, scrubber, shore-power fitting, ESI scores 0-100 (whole and fractional),
  CSI stars, Green Award, EEDI improvement;
- arrivals 2012-2026, departures, fees by each port's tariff, speed-reduction
  data and the operator's compliance record, mostly for the previous calendar year;
- some fields absent on purpose (no ESI, no engine tier, no departure, no fees,
  now and then no arrival or no call at all), so answers of insufficient_data
  are exercised too.

Vessels recur: a later call may be made by a vessel seen earlier, as in a real
port's traffic. The result is a pure function of (n, ruleset, seed, ports), and
a shorter run is a prefix of a longer one with the same other arguments. No
global state: all randomness comes from one random.Random(seed).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from decimal import Decimal

from ..core.imo import imo_check_digit
from ..core.money import minor_unit
from ..core.ruleset import Ruleset
from .rulefacts import RuleFacts, rule_facts

__all__ = ["DEFAULT_SEED", "generate_requests"]

DEFAULT_SEED = 20261101

FIRST_ARRIVAL = dt.date(2012, 1, 1)
LAST_ARRIVAL = dt.date(2026, 12, 31)
EDGE_DAY_SHARE = 0.07  # of calls arriving on an edition's first or last day, or the day before
EDGE_SCORE_SHARE = 0.2  # of scored vessels whose score sits on, or next to, an edge
ESI_SCORE, NOX_SCORE = "vessel.esi.score", "vessel.esi.nox_score"

# Which fees each port's tariff names, and a rough rate per gross ton in its currency.
PORT_FEES = {
    "USLGB": (("dockage", "0.22"), ("first_day_dockage", "0.09")),
    "USLAX": (("dockage", "0.21"), ("first_day_dockage", "0.08")),
    "CNYTN": (("port_dues", "0.50"),),
    "CNSZX": (("port_dues", "0.45"),),
    "NLRTM": (("port_dues", "0.61"), ("port_dues_gt_portion", "0.48"), ("port_dues_sustainability_component", "0.05")),
    "SGSIN": (("port_dues", "0.09"),),
    "SEGOT": (("port_dues", "3.10"), ("port_dues_gt_portion", "2.40")),
    "USOAK": (("dockage", "0.20"), ("first_day_dockage", "0.08")),
    "USSFO": (("dockage", "0.24"),),
    "USSAN": (("dockage", "0.23"),),
    "HKHKG": (("port_facilities_and_light_dues", "0.43"),),  # HK$43 per 100 NRT [P35], read per gross ton
    "CAVAN": (("harbour_dues", "0.094"),),  # C$0.094 per GRT [P12]
    "CAPRR": (("harbour_dues", "0.094"),),  # its own rate is not published: Vancouver's
}
# Ports of these countries not named above pay their country's per-call fee.
COUNTRY_FEES = {
    "JP": (("port_entry_fee", "2.7"),),  # Osaka, 2.7 yen per gross ton (2013) [P103]
    "KR": (("vessel_entry_exit_dues", "111"),),  # 111 won per ton [P70]
}
# A port the rules name that is not above pays port dues at a middling rate.
OTHER_PORT_FEES = (("port_dues", "0.30"),)
PORT_WEIGHTS = {"USLGB": 22, "USLAX": 22, "NLRTM": 14, "SGSIN": 14, "SEGOT": 10, "CNYTN": 9, "CNSZX": 9,
                "USOAK": 6, "USSFO": 3, "USSAN": 3, "HKHKG": 8, "KRPUS": 8, "JPTYO": 6, "JPYOK": 6, "CNSHA": 8,
                "CNNGB": 6, "USSEA": 5, "CAVAN": 5}
OTHER_PORT_WEIGHT = 4
TERMINALS = {
    "USLGB": ("Pier T", "Pier J", "Pier E", "Pier G"),
    "USLAX": ("Pier 400", "Berth 136", "TraPac", "Berth 93 Cruise"),
    "CNYTN": ("Yantian Phase III", "Yantian East"),
    "CNSZX": ("Shekou", "Chiwan", "Mawan"),
    "NLRTM": ("Maasvlakte II", "Europoort", "Botlek"),
    "SGSIN": ("Pasir Panjang", "Tuas", "Marina Bay Cruise Centre"),
    "SEGOT": ("Skandia", "Energy Port", "Ro-Ro Terminal"),
    "USOAK": ("Oakland International Container Terminal", "TraPac Oakland", "Everport"),
    "USSFO": ("Pier 27 Cruise Terminal", "Pier 80", "Pier 96"),
    "USSAN": ("B Street Cruise Terminal", "Tenth Avenue Marine Terminal", "National City Marine Terminal"),
}

# type: (weight, gross tonnage range, deadweight per GT range or None, main engine speed range rpm)
VESSEL_KINDS = {
    "container": (30, (9_000, 236_000), ("1.00", "1.25"), (68, 110)),
    "bulk_carrier": (14, (10_000, 110_000), ("1.70", "1.95"), (70, 127)),
    "oil_tanker": (10, (20_000, 170_000), ("1.70", "1.95"), (70, 127)),
    "general_cargo": (8, (2_000, 30_000), ("1.30", "1.60"), (120, 750)),
    "chemical_tanker": (7, (5_000, 30_000), ("1.50", "1.70"), (100, 600)),
    "cruise": (6, (30_000, 228_000), ("0.05", "0.10"), (500, 750)),
    "gas_carrier": (6, (20_000, 120_000), ("0.70", "0.90"), (70, 600)),
    "vehicle_carrier": (6, (40_000, 76_000), ("0.25", "0.35"), (90, 127)),
    "ro_ro": (5, (10_000, 60_000), ("0.40", "0.60"), (100, 600)),
    "reefer": (4, (3_000, 15_000), ("1.00", "1.30"), (110, 600)),
    "other": (4, (500, 20_000), None, (600, 1_800)),
}
FLAGS = ("PA", "LR", "MH", "HK", "SG", "MT", "BS", "GR", "CY", "NO", "DK", "DE", "US", "CN", "NL", "SE", "GB",
         "JP", "KR", "PT", "IT", "BE")
OPERATORS = ("Blue Meridian Lines", "Kestrel Shipping", "Orient Pacific Container Line", "Norsea Tankers",
             "Harbourline Ro-Ro", "Southern Cross Bulk", "Aurora Cruises", "Lumen Gas Carriers",
             "Tidewater Chemicals", "Cobalt Car Carriers", "Greywater Reefers", "Westerly Ocean Transport")
NAME_A = ("Pacific", "Atlantic", "Nordic", "Golden", "Silver", "Jade", "Coral", "Ocean", "Star", "Harbour", "Cape",
          "Morning", "Northern", "Amber", "Crimson", "Eastern", "Polar", "Azure")
NAME_B = ("Pioneer", "Spirit", "Trader", "Voyager", "Horizon", "Express", "Harmony", "Breeze", "Crown", "Glory",
          "Wave", "Dawn", "Meridian", "Endeavour", "Fortune", "Venture")
SCRUBBER_KINDS = ("open_loop", "closed_loop", "hybrid")


def generate_requests(n: int, *, ruleset: Ruleset, seed: int = DEFAULT_SEED,
                      ports: Iterable[str] | None = None) -> list[dict]:
    """`n` request bodies for calls at `ports` (default: every port of `ruleset`), the same for the same arguments."""
    if n < 0:
        raise ValueError("n must not be negative")
    facts = rule_facts(ruleset)
    chosen = tuple(ports) if ports is not None else facts.ports
    unknown = [p for p in chosen if p not in facts.ports]
    if unknown or not chosen:
        raise ValueError(f"ports must be some of {', '.join(facts.ports)}; got {list(chosen)!r}")
    return _Generator(random.Random(seed), chosen, facts).bodies(n)


# ---------------------------------------------------------------------------------------------------------


def _dec(rng: random.Random, lo: float, hi: float, places: int) -> Decimal:
    """A decimal drawn uniformly in [lo, hi] with `places` digits after the point."""
    scale = 10 ** places
    return Decimal(rng.randint(round(lo * scale), round(hi * scale))).scaleb(-places)


def _number(value: Decimal):
    """As JSON would carry it: a whole number written without a point is an int."""
    return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 else value


def _tier_for(rng: random.Random, keel: dt.date, role: str, lng: bool) -> int:
    """IMO NOx tier by construction date (MARPOL Annex VI Reg. 13, programs.md §6.1)."""
    year = keel.year
    if year < 2000:
        return rng.choice((0, 0, 1))
    if year < 2011:
        return 1
    if year < 2016:
        return 2
    share_iii = (0.75 if lng else 0.35) if role == "main" else (0.55 if lng else 0.25)
    return 3 if rng.random() < share_iii else 2


def _nox_limit(tier: int, rpm: float) -> float:
    if tier == 3:
        return 3.4 if rpm < 130 else (9 * rpm ** -0.2 if rpm < 2000 else 2.0)
    if tier == 2:
        return 14.4 if rpm < 130 else (44 * rpm ** -0.23 if rpm < 2000 else 7.7)
    base = 17.0 if rpm < 130 else (45 * rpm ** -0.2 if rpm < 2000 else 9.8)
    return base * (1.15 if tier == 0 else 1.0)


class _Generator:
    def __init__(self, rng: random.Random, ports: tuple, facts: RuleFacts):
        self.rng = rng
        self.ports = ports
        self.facts = facts
        self.port_weights = [PORT_WEIGHTS.get(p, OTHER_PORT_WEIGHT) for p in ports]
        self.turns: dict[str, int] = {}  # how many edge values of each kind have been handed out
        self.kinds = list(VESSEL_KINDS)
        self.kind_weights = [VESSEL_KINDS[k][0] for k in self.kinds]
        self.pool: list[dict] = []  # vessel particulars that do not change from call to call
        self.imos: set[str] = set()

    def bodies(self, n: int) -> list[dict]:
        return [self.body() for _ in range(n)]

    # ----- one request -----

    def body(self) -> dict:
        rng = self.rng
        port = rng.choices(self.ports, self.port_weights)[0]
        on_edge = rng.random() < EDGE_DAY_SHARE and bool(self.facts.edge_days)
        arrival = self.next_edge("days", self.facts.edge_days) if on_edge else self.arrival_day()
        vessel = self.vessel_for(arrival)
        body: dict = {"vessel": self.vessel_body(vessel, arrival)}
        if rng.random() < 0.005 and not on_edge:
            return body  # no call at all: the caller asks about the vessel alone
        body["call"] = self.call_body(vessel, port, arrival, on_edge)
        return body

    def next_edge(self, kind: str, values: tuple):
        """Edge values in turn rather than at random, so that a sample of a few thousand reaches every one."""
        turn = self.turns.get(kind, 0)
        self.turns[kind] = turn + 1
        return values[turn % len(values)]

    def arrival_day(self) -> dt.date:
        span = (LAST_ARRIVAL - FIRST_ARRIVAL).days
        return FIRST_ARRIVAL + dt.timedelta(days=self.rng.randint(0, span))

    # ----- vessels -----

    def vessel_for(self, arrival: dt.date) -> dict:
        rng = self.rng
        if self.pool and rng.random() < 0.6:
            for _ in range(4):
                v = rng.choice(self.pool)
                if v["delivered"] <= arrival:
                    return v
        v = self.new_vessel(arrival)
        self.pool.append(v)
        return v

    def new_imo(self) -> str:
        rng = self.rng
        while True:
            six = str(rng.choice((9, 9, 9, 9, 8, 7)) * 100_000 + rng.randint(0, 99_999))
            imo = six + str(imo_check_digit(six))
            if imo not in self.imos:
                self.imos.add(imo)
                return imo

    def new_vessel(self, arrival: dt.date) -> dict:
        rng = self.rng
        kind = rng.choices(self.kinds, self.kind_weights)[0]
        _, (gt_lo, gt_hi), dwt_ratio, (rpm_lo, rpm_hi) = VESSEL_KINDS[kind]
        # Delivered between 1995 and the call; keel laid 8-24 months earlier.
        delivered = dt.date(1995, 1, 1) + dt.timedelta(days=rng.randint(0, max(0, (arrival - dt.date(1995, 1, 1)).days)))
        keel = delivered - dt.timedelta(days=rng.randint(240, 730))
        gt = int(rng.triangular(gt_lo, gt_hi, gt_lo + (gt_hi - gt_lo) * 0.4))
        fuels = self.fuels(kind, delivered)
        lng = "lng" in fuels
        v = {
            "imo": self.new_imo(), "kind": kind, "delivered": delivered, "keel": keel, "gt": gt,
            "name": f"{rng.choice(NAME_A)} {rng.choice(NAME_B)}" + (f" {rng.randint(2, 9)}" if rng.random() < 0.2 else ""),
            "flag": rng.choice(FLAGS), "operator": rng.choice(OPERATORS), "fuels": fuels,
            "dwt": int(gt * float(_dec(rng, float(dwt_ratio[0]), float(dwt_ratio[1]), 2))) if dwt_ratio else None,
            "engines": self.engines(kind, gt, keel, lng, rpm_lo, rpm_hi),
            "scrubber": self.scrubber(fuels, delivered, gt),
            "shore_power": self.shore_power(kind),
            "esi_base": self.esi_base(kind, delivered, lng) if rng.random() < 0.65 else None,
            "nox_score": _number(self.nox_score()) if rng.random() < 0.4 else None,
            "csi_stars": rng.choices((0, 1, 2, 3, 4, 5), (1, 2, 4, 6, 5, 2))[0] if rng.random() < 0.3 else None,
            "green_award": (rng.random() < (0.4 if "tanker" in kind or kind == "gas_carrier" else 0.08))
            if rng.random() < 0.35 else None,
            "eedi": self.eedi(delivered),
            "imo_style": rng.choices(("plain", "prefixed", "int"), (85, 10, 5))[0],
            "sparse": rng.random() < 0.1,  # a caller who sends only what is required, and little else
        }
        return v

    def fuels(self, kind: str, delivered: dt.date) -> list:
        rng = self.rng
        year = delivered.year
        if kind == "other" and rng.random() < 0.2:
            return ["battery", "mgo"]
        main = "hfo" if year < 2020 or rng.random() < 0.3 else "vlsfo"
        out = [main, rng.choice(("mgo", "mgo", "mdo", "ulsfo"))]
        if (kind == "gas_carrier" and rng.random() < 0.6) or (year >= 2017 and rng.random() < 0.15):
            out.append("lng")
        if year >= 2023 and rng.random() < 0.08:
            out.append("methanol")
        if year >= 2025 and rng.random() < 0.03:
            out.append("ammonia")
        if year >= 2019 and rng.random() < 0.06:
            out.append("biofuel")
        if rng.random() < 0.01:
            out.append(out[0])  # a duplicate: the schema removes it
        rng.shuffle(out)
        return out

    def engines(self, kind, gt, keel, lng, rpm_lo, rpm_hi) -> list | None:
        rng = self.rng
        if rng.random() < 0.06:
            return None
        out = []
        mains = 4 if kind == "cruise" else (2 if rng.random() < 0.08 else 1)
        main_kw = max(1_000, min(80_000, int(gt * rng.uniform(0.2, 0.4))))
        roles = [("main", mains, main_kw // mains, rng.uniform(rpm_lo, rpm_hi))]
        aux = rng.randint(2, 4)
        roles.append(("auxiliary", aux, max(300, min(4_000, main_kw // 12)), rng.choice((720, 750, 900, 1000, 1200, 1800))))
        for role, count, kw, rpm in roles:
            engine: dict = {"role": role}
            if count > 1 or rng.random() < 0.5:
                engine["count"] = count
            if rng.random() > 0.04:
                tier = _tier_for(rng, keel, role, lng)
                engine["imo_nox_tier"] = tier
            else:
                tier = None
            if rng.random() < 0.8:
                engine["rated_power_kw"] = kw
            if rng.random() < 0.7:
                engine["rated_speed_rpm"] = _number(Decimal(str(round(rpm, 1))))
            if tier is not None and rng.random() < 0.4:
                engine["nox_g_per_kwh"] = Decimal(str(round(_nox_limit(tier, rpm) * rng.uniform(0.8, 0.98), 1)))
            out.append(engine)
            # Now and then a second, different auxiliary set (e.g. a harbour generator).
            if role == "auxiliary" and rng.random() < 0.1:
                out.append({"role": "auxiliary", "count": 1, "imo_nox_tier": _tier_for(rng, keel, role, lng)})
        return out

    def scrubber(self, fuels, delivered, gt) -> str | None:
        rng = self.rng
        if rng.random() < 0.15:
            return None
        if "hfo" in fuels and gt > 20_000 and delivered.year >= 2012 and rng.random() < 0.35:
            return rng.choice(SCRUBBER_KINDS)
        return "none"

    def shore_power(self, kind) -> dict | None:
        rng = self.rng
        likely = kind in ("container", "reefer", "cruise")
        if rng.random() > (0.75 if likely else 0.25):
            return None
        fitted = rng.random() < (0.85 if likely else 0.6)
        sp: dict = {"fitted": fitted}
        if fitted:
            if rng.random() < 0.85:
                sp["commissioned"] = rng.random() < 0.9
            if rng.random() < 0.7:
                sp["class_approved"] = rng.random() < 0.85
        return sp

    def edge_or(self, path: str, share: float, draw):
        """A `share` of the time a value on, or one step beside, an edge the rules draw for `path`; else draw()."""
        edges = self.facts.edges.get(path)
        if edges and self.rng.random() < share:
            return self.next_edge(path, edges)
        return draw()

    def nox_score(self) -> Decimal:
        return self.edge_or(NOX_SCORE, EDGE_SCORE_SHARE, lambda: _dec(self.rng, 0, 100, 1))

    def esi_base(self, kind, delivered, lng) -> Decimal:
        return self.edge_or(ESI_SCORE, EDGE_SCORE_SHARE, lambda: self.esi_drawn(kind, delivered, lng))

    def esi_drawn(self, kind, delivered, lng) -> Decimal:
        rng = self.rng
        mode = 35 + (10 if delivered.year >= 2016 else 0) + (25 if lng else 0) + (5 if kind == "cruise" else 0)
        raw = rng.triangular(2, 95, min(mode, 85))
        places = rng.choices((0, 1, 2), (45, 40, 15))[0]
        return Decimal(str(round(raw, places))) if places else Decimal(int(raw))

    def eedi(self, delivered) -> Decimal | None:
        rng = self.rng
        if delivered.year < 2013 or rng.random() < 0.4:
            return None
        if rng.random() < 0.1:
            return Decimal(rng.choice(("10", "20", "30", "9.9")))
        return _dec(rng, -5, 45, 1)

    def vessel_body(self, v: dict, arrival: dt.date) -> dict:
        rng = self.rng
        imo = v["imo"]
        body: dict = {"imo": imo if v["imo_style"] == "plain" else ("IMO " + imo if v["imo_style"] == "prefixed" else int(imo)),
                      "type": v["kind"], "gross_tonnage": v["gt"]}
        if not v["sparse"]:
            body["name"] = v["name"]
            body["flag"] = v["flag"]
            body["operator"] = v["operator"]
            body["year_built"] = v["delivered"].year
            if v["dwt"] and rng.random() < 0.8:
                body["deadweight"] = v["dwt"]
            if rng.random() < 0.6:
                body["keel_laid"] = v["keel"].isoformat()
            body["fuels"] = list(v["fuels"])
            if v["scrubber"] is not None:
                body["scrubber"] = v["scrubber"]
            if v["shore_power"] is not None:
                body["shore_power"] = dict(v["shore_power"])
            if v["csi_stars"] is not None:
                body["csi_stars"] = v["csi_stars"]
            if v["green_award"] is not None:
                body["green_award"] = v["green_award"]
            if v["eedi"] is not None:
                body["eedi_improvement_pct"] = _number(v["eedi"])
            if rng.random() < 0.3:
                body["solas_certificate"] = rng.random() < 0.9
        if v["engines"] is not None and (not v["sparse"] or rng.random() < 0.5):
            body["engines"] = [dict(e) for e in v["engines"]]
        if v["esi_base"] is not None:
            body["esi"] = self.esi(v, arrival)
        return body

    def esi(self, v: dict, arrival: dt.date) -> dict:
        """The ESI block as of this call: the score drifts a little; the certificate may have lapsed."""
        rng = self.rng
        score = v["esi_base"]
        if score not in self.facts.edges.get(ESI_SCORE, ()) and rng.random() < 0.3:
            score = min(Decimal(100), max(Decimal(0), score + Decimal(rng.randint(-30, 30)).scaleb(-1)))
        esi: dict = {"score": _number(score)}
        for key in ("nox_valid", "sox_valid"):
            r = rng.random()
            if r < 0.9:
                esi[key] = True
            elif r < 0.96:
                esi[key] = False
        if rng.random() < 0.95:
            esi["valid_until"] = (arrival + dt.timedelta(days=rng.randint(-150, 540))).isoformat()
        if v["nox_score"] is not None:
            esi["nox_score"] = v["nox_score"]
        return esi

    # ----- calls -----

    def call_body(self, v: dict, port: str, arrival: dt.date, on_edge: bool) -> dict:
        rng = self.rng
        kind = v["kind"]
        us, cn = port.startswith("US"), port.startswith("CN")
        call: dict = {"port": port}
        if rng.random() < 0.97 or on_edge:  # a call on an edge day is there to test that day
            call["arrival"] = arrival.isoformat()
            stay = rng.randint(0, 1) if kind == "cruise" else rng.randint(1, 4) if kind == "container" else rng.randint(1, 9)
            if rng.random() < 0.9:
                call["departure"] = (arrival + dt.timedelta(days=stay)).isoformat()
            if rng.random() < 0.5:
                call["hours_at_berth"] = _number(_dec(rng, max(2, stay * 24 - 12), stay * 24 + 14, 1))
        if v["sparse"]:
            if rng.random() < 0.5:
                call["fees"] = self.fees(port, v["gt"])
            return call
        if port in TERMINALS:
            call["terminal"] = rng.choice(TERMINALS[port])
        if rng.random() < 0.4:
            call["terminal_visits_per_year"] = rng.choice((rng.randint(0, 19), 20, rng.randint(21, 400)))
        if rng.random() < 0.85:
            call["international_voyage"] = rng.random() < 0.92
        sp = v["shore_power"] or {}
        if us or cn or rng.random() < 0.2:
            berth = rng.random() < (0.7 if us else 0.5)
            call["berth_has_shore_power"] = berth
            if berth and sp.get("fitted") and rng.random() < 0.9:
                call["shore_power_used"] = sp.get("commissioned", True) and rng.random() < 0.8
        if us and rng.random() < 0.25:
            call["caecs_used"] = rng.random() < 0.5
        if cn and kind.endswith("tanker") and rng.random() < 0.3:
            call["equivalent_measures"] = rng.random() < 0.5
        self.fuel_at_berth(call, v, port)
        if port == "SGSIN" and rng.random() < 0.3:
            call["low_carbon_harbour_craft"] = rng.random() < 0.4
        if port == "USLAX" and rng.random() < 0.15:
            call["tap_demonstration"] = rng.random() < 0.4
        if us:
            self.vsr(call, arrival)
        self.pacific(call, port, v)
        if rng.random() < 0.85:
            call["fees"] = self.fees(port, v["gt"])
        return call

    def fuel_at_berth(self, call: dict, v: dict, port: str) -> None:
        rng = self.rng
        if rng.random() < 0.35:
            return
        fuel = rng.choice(sorted(set(v["fuels"]) - {"hfo"}) or ["mgo"])
        call["fuel_at_berth"] = fuel
        sulphur = {"hfo": (2.0, 3.5), "vlsfo": (0.3, 0.5), "ulsfo": (0.05, 0.1), "mgo": (0.03, 0.1),
                   "mdo": (0.08, 1.0), "lng": (0.0, 0.004), "biofuel": (0.0, 0.05)}.get(fuel)
        if sulphur and rng.random() < 0.7:
            call["fuel_sulphur_pct"] = self.edge_or("call.fuel_sulphur_pct", 0.15, lambda: _dec(rng, *sulphur, 3))
        if port in ("SGSIN", "NLRTM", "CNYTN", "CNSZX") and rng.random() < 0.6:
            call["fuel_for_entire_stay"] = rng.random() < 0.8
            call["fuel_switched_before_port_limits"] = rng.random() < 0.7
        if fuel == "biofuel" or rng.random() < 0.03:
            call["biofuel_blend_pct"] = _number(self.edge_or("call.biofuel_blend_pct", 0.8, lambda: _dec(rng, 5, 100, 1)))
        if rng.random() < 0.05:
            call["fuel_ghg_reduction_pct"] = _number(self.edge_or("call.fuel_ghg_reduction_pct", 0.5,
                                                                  lambda: _dec(rng, 0, 90, 1)))
        if fuel in ("ammonia", "methanol", "hydrogen") and rng.random() < 0.7:
            call["fuel_from_renewables"] = rng.random() < 0.6
        if fuel == "ammonia":
            call["ammonia_pilot_fuel_pct"] = _number(self.edge_or("call.ammonia_pilot_fuel_pct", 0.5,
                                                                  lambda: _dec(rng, 5, 35, 1)))
        if fuel == "lng" and rng.random() < 0.7:
            call["methane_slip_addressed"] = rng.random() < 0.5

    def pacific(self, call: dict, port: str, v: dict) -> None:
        """The inputs that the Hong Kong, Chinese, Korean, Japanese and Seattle programs read."""
        rng, country = self.rng, port[:2]
        if port in ("HKHKG", "USSEA") and rng.random() < 0.7:
            call["registered_for_incentive"] = rng.random() < 0.75
        if port == "USSEA" and rng.random() < 0.7:
            call["operator_calls_per_year"] = rng.choice((rng.randint(0, 4), 5, rng.randint(6, 40)))
        if country in ("HK", "CN", "KR") and rng.random() < 0.6:
            call["berth_fuel_switch"] = {
                "hours_after_arrival": _number(self.edge_or("call.berth_fuel_switch.hours_after_arrival", 0.4,
                                                            lambda: _dec(rng, 0, 3, 1))),
                "hours_before_departure": _number(self.edge_or("call.berth_fuel_switch.hours_before_departure", 0.4,
                                                               lambda: _dec(rng, 0, 3, 1)))}
        if country in ("HK", "CN", "KR") and rng.random() < 0.6:
            call["fuel_switched_before_control_area"] = rng.random() < 0.8
        if country == "CN" and rng.random() < 0.8:
            call["china_deca_area"] = rng.choices(("coastal", "inland_river", "hainan"), (85, 10, 5))[0]
        if country == "KR":
            call.setdefault("vsr", {})["within_20nm"] = rng.random() < 0.7
            if rng.random() < 0.8:
                call["vsr"]["share_of_year_calls_pct"] = _number(self.edge_or(
                    "call.vsr.share_of_year_calls_pct", 0.4, lambda: _dec(rng, 20, 100, 1)))
        if country == "JP" and rng.random() < 0.1:
            call["biofuel_bunkered_tonnes"] = _number(self.edge_or("call.biofuel_bunkered_tonnes", 0.5,
                                                                   lambda: _dec(rng, 50, 900, 0)))
            call.setdefault("biofuel_blend_pct", _number(self.edge_or("call.biofuel_blend_pct", 0.5,
                                                                      lambda: _dec(rng, 5, 100, 1))))

    def vsr(self, call: dict, arrival: dt.date) -> None:
        rng = self.rng
        if rng.random() < 0.8:
            within_40 = rng.random() < 0.55
            call["vsr"] = {"within_20nm": within_40 or rng.random() < 0.6, "within_40nm": within_40}
            if rng.random() < 0.1:
                del call["vsr"]["within_40nm"]
        if rng.random() < 0.6:
            year = arrival.year - rng.choices((1, 2, 0), (85, 10, 5))[0]
            rec: dict = {"year": year, "zone_20nm_pct": self.edge_or(
                "call.operator_vsr_compliance.zone_20nm_pct", 0.6, lambda: _dec(rng, 60, 100, 1))}
            if rng.random() < 0.7:
                rec["zone_40nm_pct"] = self.edge_or("call.operator_vsr_compliance.zone_40nm_pct", 0.6,
                                                    lambda: _dec(rng, 50, 100, 1))
            call["operator_vsr_compliance"] = {k: _number(x) if isinstance(x, Decimal) else x for k, x in rec.items()}

    def fees(self, port: str, gt: int) -> dict:
        rng = self.rng
        currency = self.facts.currency(port)
        out: dict = {}
        if currency is None:
            return out
        for fee, rate in PORT_FEES.get(port) or COUNTRY_FEES.get(port[:2], OTHER_PORT_FEES):
            if rng.random() < 0.15:
                continue
            amount = (Decimal(gt) * Decimal(rate) * Decimal(str(round(rng.uniform(0.85, 1.15), 3)))).quantize(
                Decimal(1).scaleb(-minor_unit(currency)))
            out[fee] = {"amount": int(amount) if rng.random() < 0.1 else amount, "currency": currency}
        return out
