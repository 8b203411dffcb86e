"""Advice: the smallest sets of actionable input changes that would make a program pay, or pay more.

Found from the compiled rules alone, for every program alike: each comparison an answer failed (or could
not judge) names the nearest value that passes it (the threshold of `>=`, a step past that of `>`, the
other boolean, a member of `in`), and each higher band names its lower edge. Sets of up to three such
changes are tried through the engine on the changed request; an option is kept only if it reaches
eligibility, a higher level or more money, and no smaller kept option gets as far. Every kept option is
decided once more as a request of its own, and must give exactly the status, level and total it claims.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from functools import lru_cache

from .actionable import ACTIONABLE, STEPS, normalised, within_range, write
from .decision import Decision, ProgramOutcome
from .engine import decide, evaluate
from .esi import estimate
from .facts import build_facts
from .inputs import FIELDS
from .model import Edition
from .money import Money
from .ruleset import Ruleset
from .values import show, to_json

MAX_OPTIONS = 5
MAX_CHANGES = 3
MAX_CANDIDATES = 8  # the search tries at most C(8,1) + C(8,2) + C(8,3) = 92 sets per program
_OPS = frozenset(("<=", ">=", "!=", "in", "<", ">", "="))  # what a changed input can be made to pass


def advise(ruleset: Ruleset, request: dict, today: dt.date) -> dict:
    """{program id: [option, ...]} for a request loaded by the request schema.

    Every incentive entry not already eligible at its highest level has a list (empty when nothing
    actionable raises it); requirement programs and entries at their top have none.
    """
    plain = {k: v for k, v in request.items() if k != "advice"}
    entries = decide(ruleset, plain, today=today, decision_id="-").programs
    return options_for(ruleset, plain, today, entries)


def attach(ruleset: Ruleset, request: dict, today: dt.date, decision: Decision) -> Decision:
    """The decision with `advice` on each entry that can be raised (the request's own decision)."""
    plain = {k: v for k, v in request.items() if k != "advice"}
    found = options_for(ruleset, plain, today, decision.programs)
    return decision.with_programs(p.with_advice(found.get(p.program)) for p in decision.programs)


def options_for(ruleset: Ruleset, request: dict, today: dt.date, entries) -> dict:
    facts, _fees = build_facts(request, today, ruleset.areas)
    out = {}
    for entry in entries:
        ed = _edition(ruleset, entry)
        if ed is None or entry.kind != "incentive" or _at_top(ed, entry):
            continue
        out[entry.program] = _search(ruleset, ed, request, today, facts, entry)
    return out


def _edition(ruleset: Ruleset, entry: ProgramOutcome) -> Edition | None:
    program = ruleset.programs.get(entry.program)
    return next((e for e in program.editions if e.edition == entry.edition), None) if program else None


def _rank(ed: Edition, entry: ProgramOutcome) -> int:
    """How high a level is: 0 below every level (or for a program without levels), then upwards."""
    if entry.status != "eligible" or entry.level is None:
        return 0
    if ed.bands:
        return 1 + next(i for i, b in enumerate(ed.bands) if b.level == entry.level)
    return len(ed.levels) - next(i for i, lv in enumerate(ed.levels) if lv.level == entry.level)


def _at_top(ed: Edition, entry: ProgramOutcome) -> bool:
    if entry.status != "eligible":
        return False
    return _rank(ed, entry) == max(len(ed.bands), len(ed.levels))


def _search(ruleset, ed, request, today, facts, base) -> list:
    as_of = facts["as_of"]
    candidates = _candidates(ed, facts, base)[:MAX_CANDIDATES]
    kept = []  # (changes set, entry, key)
    for size in range(1, MAX_CHANGES + 1):
        for combo in itertools.combinations(candidates, size):
            if len({path for path, _ in combo}) < size:
                continue
            changed = _changed(request, combo, as_of)
            if changed is None:
                continue
            entry = evaluate(ed, *build_facts(changed, today, ruleset.areas))
            key = _outcome_key(ed, entry, base)
            if key is None:
                continue
            members = set(combo)
            if any(s < members and k >= key for s, _, k in kept):
                continue  # a smaller option already gets as far
            kept.append((members, entry, key))
    options = [_option(ed, combo_entry, base, facts, sorted(members)) for members, combo_entry, _ in kept]
    options = [o for o in options if o is not None]
    options.sort(key=_order)
    chosen = options[:MAX_OPTIONS]
    return [o for o in chosen if _proven(ruleset, ed, request, today, o, as_of)]


def _candidates(ed: Edition, facts, base: ProgramOutcome) -> list:
    """(path, value) pairs, in the order the answer tested them: each the nearest value passing a test it
    failed or could not judge, or the lower edge of a higher band."""
    leaves = _leaves(ed)
    found: dict = {}
    for criterion in base.criteria:
        leaf = leaves.get(criterion["rule"])
        if leaf is not None and criterion["passed"] is not True:
            for value in _passing(*leaf):
                found.setdefault((leaf[0], value), None)
    if ed.score_path in ACTIONABLE:
        score = facts[ed.score_path]
        for band in ed.bands:
            if band.lo is not None and (score is None or band.lo > score):
                edge = band.lo if band.lo_inclusive else band.lo + STEPS.get(ed.score_path, 0)
                found.setdefault((ed.score_path, normalised(ed.score_path, edge)), None)
    return [(path, value) for path, value in found
            if within_range(path, value) and facts[path] != value]


def _passing(path: str, op: str, value) -> list:
    kind = FIELDS[path].kind
    if op == "=":
        return [value]
    if op == "!=":
        return [not value] if kind == "bool" else []
    if op == "in":
        return list(value)
    if op in (">=", "<="):
        return [normalised(path, value)]
    if op in (">", "<") and path in STEPS:
        step = STEPS[path] if op == ">" else -STEPS[path]
        return [normalised(path, value + step)]
    return []


@lru_cache(maxsize=4096)
def _leaf_table(leaf_rules: tuple) -> dict:
    """{rule id: (path, op, value)} of the comparisons on actionable inputs that a changed input can pass."""
    return {leaf.rule: (leaf.path, leaf.op, _typed(leaf.path, leaf.value)) for leaf in leaf_rules
            if leaf.path in ACTIONABLE and leaf.op in _OPS}


def _leaves(ed: Edition) -> dict:
    return _leaf_table(tuple(ed.leaf_rules))


def _typed(path: str, value):
    """A rule file's value as the request would hold it: numbers as normalised Decimals, lists as lists."""
    if isinstance(value, tuple):
        return [_typed(path, item) for item in value]
    if FIELDS[path].kind in ("number", "integer") and not isinstance(value, bool):
        return normalised(path, Decimal(str(value)))
    return value


def _changed(request: dict, combo, as_of: dt.date, wire: bool = False) -> dict | None:
    changed = dict(request)
    for path, value in combo:
        if not write(changed, path, value, as_of, wire):
            return None
    return changed


def _outcome_key(ed: Edition, entry: ProgramOutcome, base: ProgramOutcome):
    """(level rank, gain) of an outcome better than the base; None when it is not better."""
    if entry.status != "eligible":
        return None
    rank, before = _rank(ed, entry), _rank(ed, base)
    gain = _gain(base, entry)
    amount = Decimal(gain.get("amount") or gain.get("percent")) if gain else Decimal(0)
    if amount < 0 or base.status == "eligible" and (rank < before or (rank == before and amount == 0)):
        return None
    return rank, amount


def _gain(base: ProgramOutcome, entry: ProgramOutcome) -> dict | None:
    """What the change earns per call: money when both totals are money in one currency, else the
    percentage of the one fee whose share changed; None when neither can be said."""
    before = base.total if base.status == "eligible" else None
    after = entry.total
    if after is not None and (before is None and base.status != "eligible"
                              or before is not None and before["currency"] == after["currency"]):
        delta = Decimal(after["amount"]) - (Decimal(before["amount"]) if before else 0)
        return Money(delta, after["currency"]).as_json()
    shares: dict = {}
    fixed = Decimal(0)
    for sign, benefits in ((-1, base.benefits), (1, entry.benefits)):
        for b in benefits:
            if b["kind"] == "fixed":
                fixed += sign * Decimal(b["amount"])
            else:
                shares[b["fee"]] = shares.get(b["fee"], Decimal(0)) + sign * Decimal(b["percent"])
    moved = {fee: share for fee, share in shares.items() if share}
    if fixed or len(moved) != 1:
        return None
    (fee, share), = moved.items()
    return {"percent": show(share), "fee": fee}


def _option(ed: Edition, entry: ProgramOutcome, base: ProgramOutcome, facts, combo: list) -> dict | None:
    changes = [{"path": path, "from": _shown(facts[path]), "to": _shown(value)} for path, value in combo]
    option = {"changes": changes, "status": entry.status, "level": entry.level, "total": entry.total,
              "gain": _gain(base, entry)}
    route = _esi_route(facts, combo)
    if route:
        option["esi"] = route
    return option


def _shown(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)  # a tier computed from the keel date is still its number
    return to_json(value)


def _esi_route(facts, combo) -> dict | None:
    """The ESI calculator's route to a raised score: a class-approved shore-power installation adds OPS points."""
    raised = [(facts[path], value) for path, value in combo if path == "vessel.esi.score"]
    if not raised or raised[0][0] is None:
        return None
    score_from, score_to = raised[0]
    vessel = facts.vessel
    as_of = facts["as_of"]
    fitted = dict(vessel, shore_power={**(vessel.get("shore_power") or {}), "fitted": True, "class_approved": True})
    added = estimate(fitted, as_of).parts["ops"].points - estimate(vessel, as_of).parts["ops"].points
    if added <= 0 or score_from + added < score_to:
        return None
    return {"score_from": _shown(score_from), "score_to": _shown(min(score_from + added, Decimal(100))),
            "how": f"a class-approved on-shore power installation adds {_shown(added)} OPS points "
                   "(ESI calculator, programs.md §5.4)"}


def _order(option: dict):
    """Money gains first, then shares of a fee, then the rest; larger first; fewer changes first."""
    gain = option["gain"]
    if gain is None:
        kind, size = 2, Decimal(0)
    else:
        kind, size = (0, Decimal(gain["amount"])) if "amount" in gain else (1, Decimal(gain["percent"]))
    return kind, -size, len(option["changes"]), [c["path"] for c in option["changes"]]


def _proven(ruleset, ed, request, today, option: dict, as_of: dt.date) -> bool:
    """The option, decided as a request of its own, gives exactly the status, level and total it claims."""
    combo = [(c["path"], _as_input(c["path"], c["to"])) for c in option["changes"]]
    changed = _changed(request, combo, as_of)
    changed["programs"] = [ed.program.id]
    entry = decide(ruleset, changed, today=today, decision_id="-").programs[0]
    return (entry.edition, entry.status, entry.level, entry.total) == \
        (ed.edition, option["status"], option["level"], option["total"])


def _as_input(path: str, shown):
    kind = FIELDS[path].kind
    if kind in ("number", "integer"):
        return normalised(path, Decimal(str(shown)))
    return shown


def changed_body(body: dict, changes: list, as_of: dt.date) -> dict | None:
    """A request body (JSON as sent) with an option's changes written in, ready to be parsed again."""
    return _changed(body, [(c["path"], _as_input(c["path"], c["to"])) for c in changes], as_of, wire=True)
