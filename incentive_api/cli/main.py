"""python -m incentive_api: the command line.

rules check|test|diff (validate, run the examples, what-if), evaluate (one request), plan (a voyage plan),
esi (an ESI estimate), keys (API keys), records purge, receipts verify|rotate.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

import orjson

from ..config import rules_dir
from ..core.errors import RulesetError
from ..core.examples import coverage, run_examples
from ..core.identity import canonical
from ..core.jsonwire import MalformedJson, loads
from ..core.request import InvalidRequest
from ..core.whatif import render
from ..service.rules import load_checked, load_compiled
from ..service.rules_admin import recorded_requests, what_if
from .esi import add_esi_parser
from .plans import add_plan_parser
from .reading import body_and_rules, refusal
from .receipts import add_receipts_parser

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def _load(directory, examples: bool = True):
    """(the directory's ruleset, None), or (None, RulesetError): with `examples`, loaded as the server loads
    it (every example must pass); without, compiled only (to report examples, or what-if)."""
    try:
        return (load_checked if examples else load_compiled)(directory), None
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
    ruleset, exc = _load(args.dir, examples=False)
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
        for pid, gaps in coverage(ruleset, results).items():
            print(f"coverage {pid}: " + ("every condition, band, level and add-on exercised" if not gaps
                                         else f"{len(gaps)} not exercised"))
            for gap in gaps:
                print(f"  {gap}")
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return EXIT_FAIL if failed else EXIT_OK


def read_jsonl(path: str) -> list[dict]:
    """Request bodies, one JSON object a line; raises SystemExit(2) naming the bad line."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        print(f"error: cannot read {path}: {exc.strerror}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None
    bodies = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            bodies.append(loads(line))
        except MalformedJson as exc:
            print(f"error: {path}:{n}: {exc.detail}", file=sys.stderr)
            raise SystemExit(EXIT_USAGE) from None
    return bodies


def cmd_diff(args) -> int:
    old, exc_old = _load(args.old, examples=False)
    new, exc_new = _load(args.new, examples=False)
    for label, exc in (("OLD", exc_old), ("NEW", exc_new)):
        if exc:
            print(f"{label} rules do not load:", file=sys.stderr)
            for err in exc.errors:
                print(f"  {err}", file=sys.stderr)
    if exc_old or exc_new:
        return EXIT_FAIL
    bodies = read_jsonl(args.requests) if args.requests else None
    if args.records:
        from ..config import Settings
        from ..service.container import build_recorder
        since = dt.date.fromisoformat(args.since) if args.since else None
        bodies = recorded_requests(build_recorder(Settings()), since, args.sample_limit)
    report = what_if(old, new, bodies, args.sample, dt.date.fromisoformat(args.today) if args.today else None)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(render(report))
    return EXIT_OK


def _asking_advice(body: bytes) -> bytes:
    """The body with "advice": true; a body that cannot be read so is left for the parser to refuse."""
    try:
        request = loads(body)
        return canonical({**request, "advice": True}) if isinstance(request, dict) else body
    except (MalformedJson, TypeError):
        return body


def cmd_evaluate(args) -> int:
    read = body_and_rules(args.file, args.rules)
    if isinstance(read, int):
        return read
    body, ruleset = read
    if args.advice:
        body = _asking_advice(body)
    from ..service.container import offline_deciding
    try:
        answer = offline_deciding(ruleset)[0].decide(body)  # the API's parser, identity and bytes
    except (MalformedJson, InvalidRequest) as refused:
        print("\n".join(refusal(args.file, refused)), file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(orjson.dumps(orjson.loads(answer.body), option=orjson.OPT_INDENT_2).decode() + "\n")
    return EXIT_OK


def _key_file(args):
    from ..adapters.api_keys import KeyFile
    from ..config import Settings
    return KeyFile(Path(args.file) if args.file else Settings().api_keys_file)


def cmd_keys_new(args) -> int:
    from ..adapters.api_keys import KeyFileError
    keys = _key_file(args)
    try:
        key = keys.add(args.name, args.role)
    except KeyFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(key)
    print(f"# {args.role} key {args.name!r}: shown once; only its SHA-256 is kept in {keys.path}", file=sys.stderr)
    return EXIT_OK


def cmd_keys_list(args) -> int:
    from ..adapters.api_keys import KeyFileError
    try:
        listing = _key_file(args).listing()
    except KeyFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for k in listing:
        print(f"{k.name}\t{k.role}\t{k.created}")
    return EXIT_OK


def cmd_keys_revoke(args) -> int:
    if _key_file(args).revoke(args.name):
        print(f"revoked {args.name!r}")
        return EXIT_OK
    print(f"error: no key named {args.name!r}", file=sys.stderr)
    return EXIT_FAIL


def cmd_keys_init(args) -> int:
    """First run: create the keys file with one operator key, and show how to use it."""
    keys = _key_file(args)
    port = os.environ.get("PORT", "8000")
    console = f"http://127.0.0.1:{port}/console/"
    if keys.path.exists():
        print(f"keys file {keys.path} exists; use a key you were given, or: "
              f"python -m incentive_api keys new NAME --role client")
        print(f"the console, once the service is up: {console} (enter the key there)")
        return EXIT_OK
    key = keys.add("local-operator", "operator")
    print("created " + str(keys.path) + " with one operator key (shown only now):")
    print(f"  {key}")
    print("try it once the service is up:")
    print(f"  curl -s http://127.0.0.1:{port}/v1/programs?port=USLGB -H 'Authorization: Bearer {key}'")
    print(f"  or open the console, {console}, and enter the key there")
    return EXIT_OK


def cmd_records_purge(args) -> int:
    """Remove the records past DECISION_RETENTION_DAYS (or --days): run it daily, from cron or a CronJob."""
    from ..config import Settings
    from ..service.container import build_recorder
    settings = Settings()
    days = args.days if args.days is not None else settings.decision_retention_days
    before = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days)
    removed = build_recorder(settings).store.purge(before)
    print(f"removed {removed} decision record(s) first served before {before.isoformat(timespec='seconds')}")
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
    df = rules.add_parser("diff", help="what-if: decide the same calls under two rule directories, show what changes")
    df.add_argument("old")
    df.add_argument("new")
    df.add_argument("--requests", help="request bodies, one JSON object per line (default: a generated sample)")
    df.add_argument("--records", action="store_true",
                    help="replay the requests of recorded decisions (DATABASE_URL, or RUN_DIR's SQLite file)")
    df.add_argument("--since", help="with --records: decisions recorded on or after this day (YYYY-MM-DD)")
    df.add_argument("--limit", dest="sample_limit", type=int, default=100_000,
                    help="with --records: at most this many requests (default 100000)")
    df.add_argument("--sample", type=int, default=600, help="size of the generated sample (default 600)")
    df.add_argument("--today", help="as-of date for calls without an arrival (default: today, UTC)")
    df.add_argument("--json", action="store_true", help="the full report as JSON")
    df.set_defaults(func=cmd_diff)
    keys = sub.add_parser("keys", help="API keys: new, list, revoke").add_subparsers(dest="keys_command", required=True)
    for name, func, helptext in (("new", cmd_keys_new, "create a key: printed once, only its hash is stored"),
                                 ("list", cmd_keys_list, "names, roles and creation times"),
                                 ("revoke", cmd_keys_revoke, "remove a key; takes effect within a second"),
                                 ("init", cmd_keys_init, "create the keys file with one operator key if none")):
        kp = keys.add_parser(name, help=helptext)
        if name in ("new", "revoke"):
            kp.add_argument("name")
        if name == "new":
            kp.add_argument("--role", choices=("client", "operator"), default="client")
        kp.add_argument("--file", help="keys file (default: $API_KEYS_FILE or run/api-keys.json)")
        kp.set_defaults(func=func)
    records = sub.add_parser("records", help="decision records").add_subparsers(dest="records_command",
                                                                                  required=True)
    purge = records.add_parser("purge", help="remove records past their retention (DECISION_RETENTION_DAYS)")
    purge.add_argument("--days", type=int, help="keep this many days instead")
    purge.set_defaults(func=cmd_records_purge)
    ev = sub.add_parser("evaluate", help="print the decision for one request (JSON file, or - for stdin)")
    ev.add_argument("file")
    ev.add_argument("--rules", help="rules directory")
    ev.add_argument("--advice", action="store_true", help="say what would raise each incentive")
    ev.set_defaults(func=cmd_evaluate)
    add_receipts_parser(sub)
    add_esi_parser(sub)
    add_plan_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
