"""Evaluate a request against a ruleset: the decision, with every reason.

The request path does no rule parsing: it flattens the request into facts once,
looks up the editions in effect at the port on the as-of date (one bisect), and
runs the compiled closures.
"""

from __future__ import annotations

import datetime as dt

from .decision import Decision, ProgramOutcome
from .facts import ESTIMATED, build_facts
from .identity import decision_id as content_id
from .model import Edition, fee_currency_errors
from .money import Money, percent_of
from .request import InvalidRequest
from .ruleset import Ruleset
from .values import show, to_json


def decide(ruleset: Ruleset, request: dict, *, today: dt.date, decision_id: str | None = None) -> Decision:
    """The decision for a request already loaded by the request schema, without advice (a caller that was
    asked for advice attaches it: core.advice.attach).

    `today` is the as-of date of a call without an arrival; the caller reads the clock.
    """
    facts, fees = build_facts(request, today, ruleset.areas)
    as_of = facts["as_of"]
    call = request.get("call")
    port = call.get("port") if call else None
    wanted = request.get("programs")
    if wanted:
        if not ruleset.programs.keys() >= set(wanted):
            raise InvalidRequest([{"pointer": f"/programs/{i}", "message": f"Unknown program {p!r}."}
                                  for i, p in enumerate(wanted) if p not in ruleset.programs])
        editions = [e for e in ruleset.in_effect(port, as_of) if e.program.id in wanted]
    else:
        editions = ruleset.published(port, as_of)  # drafts only when asked for by id
    if fees:
        wrong_currency = fee_currency_errors(editions, fees)
        if wrong_currency:
            raise InvalidRequest(wrong_currency)
    return Decision.made(decision_id or content_id(ruleset.revision, request, today), as_of.isoformat(),
                         ruleset.revision, request["vessel"]["imo"], tuple([evaluate(ed, facts, fees) for ed in editions]),
                         port)


def evaluate(ed: Edition, facts: dict, fees: dict) -> ProgramOutcome:
    """One program edition against one call."""
    crit: list = []
    missing: list = []
    notes = list(ed.notes)
    state = True
    for gate in ed.gates:
        state = _and(state, gate(facts, crit, missing))
    if ed.conditions is not None:
        state = _and(state, ed.conditions(facts, crit, missing))
    program = ed.program
    entry = {
        "program": program.id, "edition": ed.edition, "name": ed.name, "sponsor": program.sponsor,
        "kind": program.kind, "status": None, "score": None, "level": None, "benefits": [],
        "total": None, "next_level": None, "criteria": crit, "missing": missing, "notes": notes, "draft": ed.draft,
    }
    if program.kind == "requirement":
        entry["status"] = "required" if state else ("not_required" if state is False else "insufficient_data")
        if state is not None:
            missing.clear()  # decided without them
        entry["obligations"] = list(ed.obligations) if state else []
        return _finish(entry, ed, facts)

    points_notes: list = []
    level, level_state, benefits = _level(ed, facts, crit, missing, entry, points_notes)
    granted = []
    paying_addons = []
    unsettled = False  # a benefit of the reached level could not be judged
    if state:
        for b in benefits:
            ok = True if b.when is None else b.when(facts, crit, missing)
            if ok:
                granted.append(b)
            elif ok is None:
                unsettled = True
        for addon in ed.addons:
            ok = addon.when(facts, crit, missing)
            if ok and (addon.standalone or level is not None or level_state == "none"):
                granted.extend(b for b in addon.benefits if b.when is None or b.when(facts, crit, missing))
                paying_addons.append(addon)
            elif ok:
                notes.append(f"Add-on {addon.id!r} is met but pays only together with a level.")
    else:
        # Still explain the add-ons, so the caller sees everything that was tested.
        for addon in ed.addons:
            addon.when(facts, crit, missing)

    if state is False:
        entry["status"] = "ineligible"
    elif state is None or level_state == "unknown" or unsettled:
        entry["status"] = "insufficient_data"
    elif level is None and level_state == "miss" and not granted:
        entry["status"] = "ineligible"
    else:
        entry["status"] = "eligible"
    if entry["status"] != "insufficient_data":
        missing.clear()  # decided without them
    if entry["status"] == "eligible":
        entry["benefits"], entry["total"] = _pay(granted, fees, ed, notes, missing)
    else:
        entry["level"] = None  # a level is only ever reported on an eligible answer
    _rule_notes(entry, points_notes, level, paying_addons)
    return _finish(entry, ed, facts)


def _rule_notes(entry: dict, points_notes: list, level, paying_addons: list) -> None:
    """The notes of the points entries, level and add-ons this answer rests on, after every other note."""
    shown = list(points_notes) if entry["score"] is not None else []
    if entry["status"] == "eligible":
        shown += [level.note] if level is not None and level.note else []
        shown += [a.note for a in paying_addons if a.note]
    entry["notes"].extend(dict.fromkeys(shown))


def _finish(entry: dict, ed: Edition, facts) -> ProgramOutcome:
    if entry["missing"]:
        entry["missing"] = sorted(set(entry["missing"]))
    # The compiled source dicts themselves: an answer is read and serialised, never changed in place.
    entry["sources"] = list(ed.cited)
    _mark_estimated(entry, facts)
    return ProgramOutcome.made(entry)


def _mark_estimated(entry: dict, facts) -> None:
    """An entry that read an estimated value says so, after sources: answers without one keep every byte."""
    for path, (flag, note) in ESTIMATED.items():
        if path not in facts or not facts[flag]:  # not read by this request, or not estimated: most answers
            continue
        read = [c for c in entry["criteria"] if c["path"] == path]
        if read:
            for criterion in read:
                criterion["reason"] += " (estimated)"
            entry["notes"].append(note)
            entry["estimated"] = True


def _and(a, b):
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def _level(ed: Edition, facts, crit, missing, entry, points_notes: list):
    """(band or level reached, state, benefits): state is 'none' (program has no levels), 'hit', 'miss' or 'unknown'."""
    if ed.bands:
        score = _score(ed, facts, crit, missing, points_notes)
        if score is None:
            return None, "unknown", []
        entry["score"] = to_json(score)
        for i, band in enumerate(ed.bands):
            if band.holds(score):
                entry["level"] = band.level
                crit.append({"passed": True, "path": ed.score_path or "score", "value": to_json(score),
                             "reason": f"score {show(score)} is in band {band.level!r} {band.text}",
                             "rule": band.rule})
                if i + 1 < len(ed.bands):
                    entry["next_level"] = ed.bands[i + 1].reach
                return band, "hit", band.benefits
        low = ed.bands[0]
        if low.lo is not None and score < low.lo:
            entry["next_level"] = low.reach
        crit.append({"passed": False, "path": ed.score_path or "score", "value": to_json(score),
                     "reason": f"score {show(score)} is outside every band; the lowest is {low.level!r} {low.text}",
                     "rule": ed.bands_rule})
        return None, "miss", []
    if ed.levels:
        unknown = []
        first_unknown_input = len(missing)
        for lv in ed.levels:
            ok = lv.when(facts, crit, missing)
            if ok:
                entry["level"] = lv.level
                if unknown:
                    inputs = ", ".join(sorted(set(missing[first_unknown_input:])))
                    entry["notes"].append(f"Level {lv.level!r} was reached, but the higher level(s) "
                                          f"{', '.join(repr(u) for u in unknown)} could not be judged: "
                                          f"send {inputs}.")
                return lv, "hit", lv.benefits
            if ok is None:
                unknown.append(lv.level)
        return None, ("unknown" if unknown else "miss"), []
    return None, "none", ed.benefits


def _score(ed: Edition, facts, crit, missing, points_notes: list):
    if ed.score_path:
        v = facts[ed.score_path]
        if v is None:
            crit.append({"passed": None, "path": ed.score_path, "value": None,
                         "reason": f"{ed.score_path} not given; the level depends on it", "rule": ed.bands_rule})
            missing.append(ed.score_path)
        return v
    total = 0
    for cond, points, note in ed.score_points:
        ok = cond(facts, crit, missing)
        if ok is None:
            return None
        if ok:
            total += points
            if note:
                points_notes.append(note)
    return total


def _pay(granted: list, fees: dict, ed: Edition, notes: list, missing: list):
    """(benefits, total) of an eligible answer; a fee whose absence leaves money uncomputed goes in `missing`."""
    out = []
    total: Money | None = None
    computable = True
    for b in granted:
        item = {"id": b.id, "kind": b.kind, "amount": None, "currency": None, "percent": None, "fee": b.fee,
                "from": b.origin}
        money = b.amount
        if b.kind != "fixed":
            item["percent"] = str(b.percent)
            fee = fees.get(b.fee)
            money = percent_of(b.percent, Money(fee["amount"], fee["currency"])) if fee is not None else None
            if money is None:
                notes.append(f"Give call.fees.{b.fee} to see {b.id!r} as money.")
                missing.append(f"call.fees.{b.fee}")
        if b.note:
            notes.append(b.note)
        if money is None:
            computable = False
        else:
            item["amount"], item["currency"] = money.as_json()["amount"], money.currency
            if total is None:
                total = money
            elif total.currency != money.currency:
                computable = False
                notes.append("Benefits are in more than one currency; no single total.")
            else:
                total = total + money
        out.append(item)
    if not computable or total is None:
        return out, None
    if ed.cap is not None and total > ed.cap:  # in one currency: the compiler and decide() see to it
        notes.append(f"Total capped at {ed.cap.as_json()['amount']} {ed.cap.currency} per call.")
        total = ed.cap
    return out, total.as_json()
