"""python -m incentive_api: check and test rule files, evaluate one request."""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from pathlib import Path

from ..adapters.rulefiles import load_ruleset, rules_dir
from ..core.engine import decide
from ..core.errors import RulesetError
from ..core.examples import coverage, run_examples
from ..core.request import InvalidRequest, parse_request

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def _load(directory):
    try:
        return load_ruleset(Path(directory) if directory else None), None
    except RulesetError as exc:
        return None, exc


def cmd_check(args) -> int:
    ruleset, exc = _load(args.dir)
    if exc:
        for err in exc.errors:
            print(err, file=sys.stderr)
        n = sum(e.severity == "error" for e in exc.errors)
        print(f"{n} error(s)", file=sys.stderr)
        return EXIT_FAIL
    for warning in ruleset.warnings:
        print(warning, file=sys.stderr)
    print(f"ok: {len(ruleset.programs)} programs, {ruleset.edition_count} editions, "
          f"{len(ruleset.files)} files, revision {ruleset.revision}")
    return EXIT_OK


def cmd_test(args) -> int:
    ruleset, exc = _load(args.dir)
    if exc:
        for err in exc.errors:
            print(err, file=sys.stderr)
        return EXIT_FAIL
    results = run_examples(ruleset)
    failed = [r for r in results if not r.passed]
    for r in results:
        if r.passed and args.verbose:
            print(f"PASS {r.program}: {r.name}")
    for r in failed:
        print(f"FAIL {r.program}: {r.name} ({r.where})")
        for field, want, got in r.failures:
            print(f"  {field}: expected {want!r}, got {got!r}")
    if args.coverage:
        for pid, gaps in coverage(ruleset).items():
            print(f"coverage {pid}: " + ("every condition, band, level and add-on exercised" if not gaps
                                         else f"{len(gaps)} not exercised"))
            for gap in gaps:
                print(f"  {gap}")
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return EXIT_FAIL if failed else EXIT_OK


def cmd_evaluate(args) -> int:
    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    try:
        body = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        print(f"error: {args.file}: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
              file=sys.stderr)
        return EXIT_USAGE
    ruleset, exc = _load(args.rules)
    if exc:
        for err in exc.errors:
            print(err, file=sys.stderr)
        return EXIT_FAIL
    try:
        decision = decide(ruleset, parse_request(body))
    except InvalidRequest as bad:
        for err in bad.errors:
            print(f"error: {err['pointer'] or '/'}: {err['message']}", file=sys.stderr)
        return EXIT_USAGE
    print(json.dumps(decision, indent=2, ensure_ascii=False))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m incentive_api", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    rules = sub.add_parser("rules", help="check or test rule files").add_subparsers(dest="rules_command", required=True)
    check = rules.add_parser("check", help="validate rule files; every error as file:line:col")
    check.add_argument("dir", nargs="?", help=f"rules directory (default: $RULES_DIR or {rules_dir()})")
    check.set_defaults(func=cmd_check)
    test = rules.add_parser("test", help="run the examples carried by each program")
    test.add_argument("dir", nargs="?")
    test.add_argument("-v", "--verbose", action="store_true", help="list passing examples too")
    test.add_argument("--coverage", action="store_true",
                      help="list, per program, the conditions, bands, levels and add-ons no example exercises")
    test.set_defaults(func=cmd_test)
    ev = sub.add_parser("evaluate", help="print the decision for one request (JSON file, or - for stdin)")
    ev.add_argument("file")
    ev.add_argument("--rules", help="rules directory")
    ev.set_defaults(func=cmd_evaluate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
