"""Programs and editions in plain terms, for catalogue answers (GET /v1/programs)."""

from __future__ import annotations

from .model import Benefit, Edition, Program


def benefit_text(b: Benefit) -> str:
    if b.kind == "fixed":
        return f"{b.amount.currency} {b.amount.as_json()['amount']} per call"
    if b.kind == "waiver":
        return f"{b.fee} waived"
    return f"{b.percent}% of {b.fee}"


def _benefit(b: Benefit) -> dict:
    return {"id": b.id, "kind": b.kind,
            "amount": b.amount.as_json()["amount"] if b.amount else None,
            "currency": b.amount.currency if b.amount else None,
            "percent": str(b.percent) if b.percent is not None else None,
            "fee": b.fee, "conditional": b.when is not None, "text": benefit_text(b)}


def describe_edition(ed: Edition) -> dict:
    levels = []
    for band in ed.bands:
        levels.append({"level": band.level, "when": f"{ed.score_path or 'score'} in {band.text}",
                       "benefits": [_benefit(b) for b in band.benefits]})
    for lv in ed.levels:
        levels.append({"level": lv.level, "when": lv.text, "benefits": [_benefit(b) for b in lv.benefits]})
    return {
        "program": ed.program.id, "edition": ed.edition, "name": ed.name, "sponsor": ed.program.sponsor,
        "kind": ed.program.kind, "ports": list(ed.ports), "window": ed.window, "draft": ed.draft,
        "levels": levels,
        "benefits": [_benefit(b) for b in ed.benefits],
        "addons": [{"id": a.id, "when": a.text, "standalone": a.standalone, "benefits": [_benefit(b) for b in a.benefits]}
                   for a in ed.addons],
        "cap": ed.cap.as_json() if ed.cap else None,
        "obligations": list(ed.obligations),
        "sources": [dict(source) for source in ed.cited],
        "notes": [n for n in ed.notes if not n.startswith("Sources: ")],
    }


def describe_program(program: Program) -> dict:
    return {"program": program.id, "name": program.name, "sponsor": program.sponsor, "kind": program.kind,
            "draft": program.draft, "sources": [dict(source) for source in program.cited],
            "editions": [describe_edition(e) for e in sorted(program.editions, key=lambda e: (e.start is not None, e.start or 0))]}
