"""python -m incentive_api esi FILE: a vessel's ESI score estimated from its engines and bunkers."""

from __future__ import annotations

import json
import sys

from ..core.jsonwire import MalformedJson
from ..core.request import InvalidRequest
from ..service.esi import EsiService
from .reading import read_body, refusal

EXIT_OK, EXIT_USAGE = 0, 2


def cmd_esi(args) -> int:
    try:
        answer = EsiService().estimate(read_body(args.file))
    except (OSError, MalformedJson, InvalidRequest) as refused:
        print("\n".join(refusal(args.file, refused)), file=sys.stderr)
        return EXIT_USAGE
    print(json.dumps(answer, indent=2, ensure_ascii=False) if args.json else render(answer))
    return EXIT_OK


def render(answer: dict) -> str:
    score = answer["score"]
    lines = [f"ESI estimate (programs.md §5, Variant A, {answer['rounding']} rounding) on {answer['as_of']}: "
             + (f"{score}" if score is not None else "cannot be computed")]
    if answer["declared_score"] is not None:
        lines.append(f"declared score {answer['declared_score']}: decisions use it, not the estimate")
    base = answer["baselines"]
    limits = ", ".join(f"{c} {v}" for c, v in base["sox_limits"].items())
    lines.append(f"baselines: NOx {base['nox']}; SOx {base['sox']} ({limits} % S); "
                 f"bunkers of {' and '.join(base['bunker_quarters'])}")
    for name, part in answer["parts"].items():
        points = part["points"]
        lines.append(f"{name}: {points if points is not None else 'not computed'}")
        lines.extend(f"  {step}" for step in part["arithmetic"])
    lines.extend(f"missing: {path}" for path in answer["missing"])
    lines.extend(f"note: {note}" for note in answer["notes"])
    return "\n".join(lines)


def add_esi_parser(sub) -> None:
    esi = sub.add_parser("esi", help="estimate the ESI score from engines and bunkers (JSON file, or - for stdin)")
    esi.add_argument("file", help="a body {vessel, call?} as POST /v1/esi/estimate takes")
    esi.add_argument("--json", action="store_true", help="the estimate as JSON, as the API answers it")
    esi.set_defaults(func=cmd_esi)
