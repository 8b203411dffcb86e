"""Part b: the same two programs as a GoRules JDM decision graph run by zen-engine, against ours.

bench/jdm/<program>.json holds one hand-written graph per program (each valid on its own); they are
joined into one graph with a shared input and output node, so one zen evaluation answers both
programs for a vessel, as one call of decide() does. The peer's speed is taken from its fastest way
of being called from Python, so the ratio flatters nobody.
"""

from __future__ import annotations

import collections
import datetime as dt
import json

from incentive_api.core.engine import decide

from .common import JDM_DIR, TODAY, Report, interleaved_best, money, profile_hotspots, rate, to_jsonable

TARGET_RATIO = 10.0
# program -> (JDM file, the edition it models, what the model assumes of that edition in the rule file)
MODELLED = {
    "polb-green-ship": ("polb-green-ship.json", "2021-esi", {"start": dt.date(2021, 7, 1), "ports": ("USLGB",)}),
    "pola-esi": ("pola-esi.json", "2016-esi-ogv5-ogv6", {"start": dt.date(2016, 10, 1), "ports": ("USLAX",)}),
}
PROGRAMS = list(MODELLED)


def combined_graph() -> dict:
    nodes = [{"id": "in", "type": "inputNode", "name": "Request", "position": {"x": 0, "y": 100}},
             {"id": "out", "type": "outputNode", "name": "Response", "position": {"x": 1000, "y": 100}}]
    edges = []
    for filename, _edition, _assumed in MODELLED.values():
        graph = json.loads((JDM_DIR / filename).read_text(encoding="utf-8"))
        shared = {}
        for node in graph["nodes"]:
            if node["type"] == "inputNode":
                shared[node["id"]] = "in"
            elif node["type"] == "outputNode":
                shared[node["id"]] = "out"
            else:
                nodes.append(node)
        for edge in graph["edges"]:
            edges.append({**edge, "sourceId": shared.get(edge["sourceId"], edge["sourceId"]),
                          "targetId": shared.get(edge["targetId"], edge["targetId"])})
    ids = [n["id"] for n in nodes] + [e["id"] for e in edges]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"JDM node/edge ids used twice across bench/jdm files: {dupes}")
    return {"contentType": "application/vnd.gorules.decision", "nodes": nodes, "edges": edges}


def model_drift(ruleset) -> list[str]:
    """Ways the rule files no longer match what the JDM graphs assume (a stale model is a bench error)."""
    problems = []
    for program, (_f, edition, assumed) in MODELLED.items():
        prog = ruleset.programs.get(program)
        if prog is None:
            problems.append(f"program {program!r} is not in rules/ (expected rules/{program}.yaml)")
            continue
        ed = next((e for e in prog.editions if e.edition == edition), None)
        if ed is None:
            problems.append(f"{program} has no edition {edition!r}; editions: {[e.edition for e in prog.editions]}")
            continue
        if ed.start != assumed["start"] or tuple(ed.ports) != assumed["ports"] or ed.until is not None:
            problems.append(f"{program} {edition}: window/ports are {ed.start}..{ed.until} at {list(ed.ports)}; the "
                            f"JDM model assumes from {assumed['start']}, open-ended, at {list(assumed['ports'])}")
    return problems


def edge_coverage(ruleset, parsed: list) -> tuple[list, list]:
    """(covered, uncovered): each band edge of a modelled edition, and whether some call in the fleet,
    at that edition's port and in its window, has an ESI score exactly on it."""
    covered, uncovered = [], []
    for program, (_f, edition, _assumed) in MODELLED.items():
        ed = next(e for e in ruleset.programs[program].editions if e.edition == edition)
        edges = sorted({x for b in ed.bands for x in (b.lo, b.hi) if x is not None})
        seen = {}
        for r in parsed:
            call = r.get("call") or {}
            score = (r["vessel"].get("esi") or {}).get("score")
            if score is not None and call.get("port") in ed.ports and call.get("arrival") and ed.in_effect(call["arrival"]):
                seen[score] = seen.get(score, 0) + 1
        for edge in edges:
            (covered if seen.get(edge) else uncovered).append(f"{program} {edge} ({seen.get(edge, 0)} calls)")
    return covered, uncovered


def _entry_view(edition, status, level, total, currency, benefits) -> tuple:
    return (edition, status, level, None if total is None else f"{money(total)} {currency}",
            tuple(sorted((b["id"], money(b["amount"])) for b in benefits)))


def ours_view(decision) -> tuple[dict, int]:
    """{program: view} for the modelled editions, and how many entries were of other editions."""
    view, other = {}, 0
    for e in decision.to_json()["programs"]:
        modelled = MODELLED.get(e["program"])
        if modelled is None or modelled[1] != e["edition"]:
            other += 1
            continue
        total = e["total"]
        view[e["program"]] = _entry_view(e["edition"], e["status"], e["level"],
                                         total and total["amount"], total and total["currency"], e["benefits"])
    return view, other


def peer_view(result: dict) -> dict:
    return {pid: _entry_view(r["edition"], r["status"], r["level"], r["total"], r["currency"], r["benefits"])
            for pid, r in result.items() if r.get("applies")}


def run(ruleset, bodies: list, parsed: list, report: Report, repeat: int) -> dict:
    import zen  # the peer, from requirements-dev.txt

    print(f"\n== b) Peer: {', '.join(f'{p} ({MODELLED[p][1]})' for p in PROGRAMS)} as a GoRules JDM graph "
          f"on zen-engine")
    drift = model_drift(ruleset)
    if drift:
        for d in drift:
            print(f"  {d}")
        report.check("b", "JDM model matches the rule files", False, "; ".join(drift))
        return {}
    graph = combined_graph()
    graph_text = json.dumps(graph)
    floor = {"nodes": [{"id": "in", "type": "inputNode", "name": "Request", "position": {"x": 0, "y": 0}},
                       {"id": "out", "type": "outputNode", "name": "Response", "position": {"x": 250, "y": 0}}],
             "edges": [{"id": "e", "type": "edge", "sourceId": "in", "targetId": "out"}]}
    engine = zen.ZenEngine({"loader": {"type": "static", "content": {"incentives": graph, "floor": floor}}})
    decision = engine.create_decision(graph_text)
    today = TODAY.isoformat()

    ours_requests = [{**r, "programs": list(PROGRAMS)} for r in parsed]
    peer_dicts = [{**to_jsonable(b), "programs": list(PROGRAMS), "today": today} for b in bodies]
    peer_texts = [json.dumps(c) for c in peer_dicts]

    # Correctness first, on every vessel.
    mismatches, other_editions, statuses = [], 0, collections.Counter()
    for i, (req, ctx) in enumerate(zip(ours_requests, peer_dicts)):
        ours, other = ours_view(decide(ruleset, req, today=TODAY))
        other_editions += other
        peer = peer_view(engine.evaluate("incentives", ctx)["result"])
        for pid, v in ours.items():
            statuses[(pid, v[1])] += 1
        if ours != peer:
            mismatches.append((i, ours, peer))
    n = len(parsed)
    print(f"  answers compared on all {n:,} vessels: "
          + ", ".join(f"{pid} {st} {c:,}" for (pid, st), c in sorted(statuses.items())))
    if other_editions:
        print(f"  ({other_editions:,} answers were from editions the JDM does not model, e.g. polb-green-ship "
              f"2012-engine-tier before 2021-07-01; the peer must give no answer there, and did)"
              if not mismatches else f"  ({other_editions:,} answers from editions the JDM does not model)")
    same = report.check("b", "identical status, level, benefits and total on every vessel", not mismatches,
                        f"{n - len(mismatches):,} of {n:,} identical" +
                        (f"; {len(mismatches):,} differ" if mismatches else ""))
    if not same:
        for i, ours, peer in mismatches[:5]:
            body = bodies[i]
            print(f"    #{i} imo {body['vessel']['imo']} at {(body.get('call') or {}).get('port')} "
                  f"arriving {(body.get('call') or {}).get('arrival')}:")
            print(f"      ours: {ours}")
            print(f"      peer: {peer}")
            print(f"      request: {json.dumps(to_jsonable(body), sort_keys=True)[:600]}")

    covered, uncovered = edge_coverage(ruleset, parsed)
    report.check("b", "the fleet puts ESI scores exactly on every band edge of the modelled editions", not uncovered,
                 "; ".join(covered) + (f"; NOT covered: {', '.join(uncovered)}" if uncovered else ""))

    # Speed: ours against each way of calling the peer, interleaved.
    def ours_pass():
        for r in ours_requests:
            decide(ruleset, r, today=TODAY)

    def peer_engine_dict():
        ev = engine.evaluate
        for c in peer_dicts:
            ev("incentives", c)

    def peer_engine_text():
        ev = engine.evaluate
        for c in peer_texts:
            ev("incentives", c)

    def peer_decision_dict():
        ev = decision.evaluate
        for c in peer_dicts:
            ev(c)

    def peer_floor():  # an empty graph (input straight to output): what zen costs before any rule runs
        ev = engine.evaluate
        for c in peer_texts:
            ev("floor", c)

    best = interleaved_best({"ours": ours_pass, "engine.evaluate(key, dict)": peer_engine_dict,
                             "engine.evaluate(key, json text)": peer_engine_text,
                             "decision.evaluate(dict)": peer_decision_dict, "floor": peer_floor}, repeat=repeat)
    ours_s, floor_s = best.pop("ours"), best.pop("floor")
    print(f"  ours, decide() with programs={PROGRAMS}: {rate(n, ours_s)}")
    for mode, s in best.items():
        print(f"  zen {mode}: {rate(n, s)}")
    print(f"  (zen's floor, an empty graph fed the same JSON text: {rate(n, floor_s)})")
    peer_mode = min(best, key=best.get)
    ratio = best[peer_mode] / ours_s
    report.check("b", f"ours >= {TARGET_RATIO:g}x the peer's decisions/s (peer at its fastest, {peer_mode})",
                 ratio >= TARGET_RATIO, f"{ratio:.2f}x ({n / ours_s:,.0f}/s against {n / best[peer_mode]:,.0f}/s)"
                 + ("" if ratio >= TARGET_RATIO else f"; missed by {1 - ratio / TARGET_RATIO:.0%}, "
                    f"needs {TARGET_RATIO / ratio:.2f}x faster"))
    if ratio < TARGET_RATIO:
        print(f"  to reach {TARGET_RATIO:g}x, ours needs {best[peer_mode] / n / TARGET_RATIO * 1e6:.2f} µs a decision "
              f"(now {ours_s / n * 1e6:.2f}); hotspots of this pass in incentive_api/core:")
        print(profile_hotspots(ours_pass, top=10), end="")
    return {"ratio": ratio, "ours_per_s": n / ours_s, "peer_per_s": n / best[peer_mode], "mismatches": len(mismatches)}
