"""Synthetic rule files for the scale benchmark: many programs at made-up ports, in our rule format.

Each file is one program with one edition, written as an operator would: a couple of conditions,
score bands with benefits (fixed amounts or a share of a fee), sometimes an add-on, a cap, notes,
and two examples (one eligible, one not) that `rules test` can run. Ports are made-up UN/LOCODEs
(country + "Q" + two letters), so no synthetic program applies at a real port.
"""

from __future__ import annotations

import datetime as dt
import random

COUNTRIES = (("NO", "NOK"), ("DK", "DKK"), ("DE", "EUR"), ("FR", "EUR"), ("ES", "EUR"), ("IT", "EUR"),
             ("GB", "GBP"), ("JP", "JPY"), ("KR", "KRW"), ("AU", "AUD"), ("CA", "CAD"), ("BR", "BRL"),
             ("IN", "INR"), ("ZA", "ZAR"), ("AE", "AED"), ("TR", "TRY"), ("PL", "PLN"), ("FI", "EUR"),
             ("MX", "MXN"), ("CL", "CLP"))
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# (score path, band edges low..high, top of scale, why)
SCORES = (
    ("vessel.esi.score", (20, 35, 50), 100, "ESI score"),
    ("vessel.esi.score", (25, 40, 60), 100, "ESI score"),
    ("vessel.esi.score", (30, 45, 70), 100, "ESI score"),
    ("vessel.eedi_improvement_pct", (5, 10, 20), 100, "EEDI better than required, %"),
    ("vessel.csi_stars", (3, 4, 5), 5, "Clean Shipping Index stars"),
)
CONDITIONS = (
    ('{path: vessel.esi.nox_valid, op: "=", value: true, why: "valid ESI NOx score"}', {"esi": {"nox_valid": True}}),
    ('{path: vessel.esi.current, op: "=", value: true, why: "ESI certificate valid on arrival"}',
     {"esi": {"valid_until": "2030-12-31"}}),
    ('{path: call.international_voyage, op: "=", value: true, why: "international voyage"}',
     {"call": {"international_voyage": True}}),
    ('{path: vessel.scrubber, op: "in", value: [none, closed_loop], why: "no open-loop scrubber washwater"}',
     {"scrubber": "none"}),
    ('{path: call.fuel_sulphur_pct, op: "<=", value: 0.10, why: "0.10% sulphur fuel at berth"}',
     {"call": {"fuel_sulphur_pct": "0.05"}}),
)
TYPES = ("container", "bulk_carrier", "oil_tanker", "chemical_tanker", "gas_carrier", "cruise", "ro_ro",
         "vehicle_carrier", "general_cargo", "reefer")


def synthetic_ports(count: int = 200) -> list[tuple[str, str]]:
    """[(locode, currency)]: `count` made-up ports spread over the countries."""
    out = []
    for i in range(count):
        cc, cur = COUNTRIES[i % len(COUNTRIES)]
        j = i // len(COUNTRIES)
        out.append((f"{cc}Q{LETTERS[j // 26 % 26]}{LETTERS[j % 26]}", cur))
    return out


def synthetic_rule_files(editions: int = 1000, ports: int = 200, seed: int = 1) -> list[tuple[str, str]]:
    """[(file name, YAML text)] for `editions` programs (one edition each) over `ports` made-up ports."""
    rng = random.Random(seed)
    port_list = synthetic_ports(ports)
    return [_file(i, rng, port_list) for i in range(editions)]


def _file(i: int, rng: random.Random, port_list: list) -> tuple[str, str]:
    home, currency = port_list[i % len(port_list)]
    same_country = [p for p, c in port_list if p[:2] == home[:2] and p != home]
    ports = [home] + rng.sample(same_country, k=min(len(same_country), rng.choice((0, 0, 1, 2))))
    pid = f"synth-{home.lower()}-{i // len(port_list)}"
    path, (b1, b2, b3), top, why = rng.choice(SCORES)
    start = dt.date(rng.randint(2012, 2024), rng.choice((1, 4, 7, 10)), 1)
    until = None if rng.random() < 0.6 else dt.date(start.year + rng.randint(2, 6), start.month, 1)
    conds = rng.sample(range(len(CONDITIONS)), k=rng.choice((2, 2, 3)))
    fee = rng.choice(("port_dues", "port_dues_gt_portion", "dockage"))
    types = sorted(rng.sample(TYPES, k=rng.randint(3, 7))) if rng.random() < 0.5 else None
    gt_min = rng.choice((None, 1000, 5000, 20000))
    fixed = rng.random() < 0.35
    addon = rng.random() < 0.5
    p1, p2, p3 = sorted(rng.sample((5, 10, 15, 20, 25, 30, 40, 50), 3))

    def benefit(bid: str, pct: int) -> str:
        if fixed:
            return f'{{id: {bid}, fixed: {{amount: "{pct * 100}.00", currency: {currency}}}}}'
        return f"{{id: {bid}, percent_of_fee: {{percent: {pct}, fee: {fee}}}}}"

    lines = [
        f"# Synthetic program {i} for the scale benchmark (bench/synthetic.py); not a real program.",
        f"program: {pid}",
        f"name: Synthetic Clean Ship Incentive {i}",
        f"sponsor: Port Authority of {home}",
        "kind: incentive",
        f"sources: [S{rng.randint(1, 102)}]",
        "notes:",
        '  - "Synthetic: generated for the scale benchmark; the figures are made up."',
        "editions:",
        f'  - edition: "{start.year}-{path.split(".")[-1].replace("_", "-")}"',
        "    effective: {from: " + start.isoformat() + (f", until: {until.isoformat()}" if until else "") + "}",
        "    notes:",
        f'      - "Band edges read as [{b1}, {b2}), [{b2}, {b3}) and [{b3}, {top}]."',
        "    applies:",
        f"      ports: [{', '.join(ports)}]",
    ]
    if types:
        lines.append(f"      vessel_types: [{', '.join(types)}]")
    if gt_min:
        lines.append(f"      gross_tonnage: {{min: {gt_min}}}")
    if not fixed:
        lines.append(f"    fee_currencies: {{{fee}: {currency}}}")
    lines.append("    conditions:")
    lines.append("      all:")
    lines += [f"        - {CONDITIONS[c][0]}" for c in conds]
    lines += [
        f"    score: {{path: {path}}}",
        "    bands:",
        "      - level: bronze",
        f"        min: {b1}",
        f"        below: {b2}",
        f"        benefits: [{benefit('bronze', p1)}]",
        "      - level: silver",
        f"        min: {b2}",
        f"        below: {b3}",
        f"        benefits: [{benefit('silver', p2)}]",
        "      - level: gold",
        f"        min: {b3}",
        f"        max: {top}",
        f"        benefits: [{benefit('gold', p3)}]",
    ]
    if addon:
        lines += [
            "    addons:",
            "      - id: shore-power",
            '        when: {path: call.shore_power_used, op: "=", value: true, why: "shore power used at berth"}',
            f"        benefits: [{benefit('shore-power-bonus', 10)}]",
        ]
    if fixed:
        lines.append(f'    cap: {{amount: "{(p3 + 10) * 100}.00", currency: {currency}}}')

    # Examples: a vessel that meets everything at the top band, and one below the lowest band.
    vessel = {"imo": '"9074729"', "type": (types or ["container"])[0], "gross_tonnage": max(gt_min or 0, 30000) + 1}
    call = {"port": home, "arrival": (start + dt.timedelta(days=40)).isoformat(),
            "fees": f"{{{fee}: {{amount: \"100000.00\", currency: {currency}}}}}"}
    esi, extra_vessel = {}, {}
    for c in conds:
        need = CONDITIONS[c][1]
        esi.update(need.get("esi", {}))
        call.update({k: ("true" if v is True else v) for k, v in need.get("call", {}).items()})
        if "scrubber" in need:
            extra_vessel["scrubber"] = need["scrubber"]

    def request(score) -> list[str]:
        v = dict(vessel, **extra_vessel)
        e = dict(esi)
        if path == "vessel.esi.score":
            e["score"] = score
        elif path == "vessel.csi_stars":
            v["csi_stars"] = score
        else:
            v["eedi_improvement_pct"] = score
        if e:
            v["esi"] = "{" + ", ".join(f"{k}: {'true' if x is True else x}" for k, x in e.items()) + "}"
        return ["    request:",
                "      vessel: {" + ", ".join(f"{k}: {x}" for k, x in v.items()) + "}",
                "      call: {" + ", ".join(f"{k}: {x}" for k, x in call.items()) + "}"]

    lines += ["examples:", "  - name: top band, every condition met"]
    lines += request(top)
    lines += ["    expect: {status: eligible, level: gold}"]
    lines += ["  - name: below the lowest band is ineligible"]
    lines += request(b1 - 1)
    lines += ["    expect: {status: ineligible, level: null, total: null}"]
    return f"synthetic/{pid}.yaml", "\n".join(lines) + "\n"
