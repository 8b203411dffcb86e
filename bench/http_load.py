"""Parts d, e, f: the HTTP service under load, driven by wrk against gunicorn on 127.0.0.1.

d) POST /v1/eligibility (CACHE=off, RECORDS=off) against the floor POST /_bench/echo, same bodies, same server.
e) 1,000-item batches: vessels per second against the single-request decisions/s of d.
f) The cache and the records: a repeated workload, cache on against off; an all-unique workload, records
   on against RECORDS=off (the cost of committing each answer before it is sent); and two instances
   sharing one Redis, where a decision made on one is a hit-l2 on the other.

Every server is a real gunicorn started from the repository's gunicorn.conf.py with the same settings
(HOST=127.0.0.1, a free port, WEB_CONCURRENCY=2 gthread workers of the default THREADS, its own RUN_DIR),
and is stopped when the part ends, whether it passed, failed or raised. wrk is Debian's package; it is
installed with apt-get if missing.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from incentive_api.testing import GunicornServer, ServerError

from .common import ROOT, RULES_DIR, Report

WRK_SCRIPT = Path(__file__).resolve().parent / "wrk" / "bodies.lua"
WORKERS = 2
CONNECTIONS = 4           # wrk connections: two per worker process, so a worker never waits for the client
BATCH_ITEMS = 1000
TARGET_FLOOR_SHARE = 0.60  # d: eligibility req/s >= 60% of the echo floor's
TARGET_OBSERVED = 0.90     # d: with metrics and JSON request lines >= 0.9x the same server with both off
# d's main server runs as production does: metrics on, a JSON line per request (LOG_LEVEL=info); the
# "unobserved" one has METRICS=off and LOG_LEVEL=warning (no request lines), to show what they cost.
OBSERVED = {"METRICS": "on", "LOG_FORMAT": "json", "LOG_LEVEL": "info"}
UNOBSERVED = {"METRICS": "off", "LOG_FORMAT": "json", "LOG_LEVEL": "warning"}
TARGET_BATCH_GAIN = 3.0    # e: batch items/s >= 3x single-request decisions/s
TARGET_CACHE_REPEATED = 1.3  # f(1): cache on >= 1.3x off
TARGET_RECORDS_UNIQUE = 0.8  # f(2): records on >= 0.8x RECORDS=off
UNIQUE_PER_S = 4_000       # f(2): fresh bodies set aside per second of a timed run (this box sends ~1,100/s)
L2_POLL_SECONDS = 5.0


class LoadError(RuntimeError):
    """The load test could not be set up or run (no wrk, a server that did not start, wrk failed)."""


# -- wrk ---------------------------------------------------------------------------------------------

_wrk_found: list = []  # the outcome of the first ensure_wrk(): a path, or the LoadError to raise again


def ensure_wrk() -> str:
    """The path of wrk; installs Debian's package with apt-get when it is missing, or raises LoadError."""
    if not _wrk_found:
        try:
            _wrk_found.append(_install_wrk())
        except LoadError as exc:
            _wrk_found.append(exc)
    if isinstance(_wrk_found[0], LoadError):
        raise _wrk_found[0]
    return _wrk_found[0]


def _install_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("  wrk is not installed; installing Debian's package: apt-get install -y wrk", flush=True)
    if os.geteuid() == 0:
        prefix = []
    elif shutil.which("sudo"):
        prefix = ["sudo", "-n"]
    else:
        raise LoadError("wrk is missing and cannot be installed (not root, no sudo): run `apt-get install -y wrk`")
    if not shutil.which("apt-get"):
        raise LoadError("wrk is missing and there is no apt-get here: install wrk (https://github.com/wg/wrk) on PATH")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}

    def apt(*args) -> tuple[int, str]:
        cmd = prefix + ["apt-get", "-q", "-y", *args]
        print(f"  $ {' '.join(cmd)}", flush=True)
        try:
            done = subprocess.run(cmd, check=False, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return 1, str(exc)
        return done.returncode, (done.stdout + done.stderr)

    rc, out = apt("install", "--no-install-recommends", "wrk")
    if rc != 0:
        print("  apt-get install failed; refreshing the package lists first", flush=True)
        rc, out = apt("update")
        if rc == 0:
            rc, out = apt("install", "--no-install-recommends", "wrk")
    found = shutil.which("wrk")
    if rc != 0 or not found:
        tail = "\n".join(out.strip().splitlines()[-8:])
        raise LoadError(f"could not install wrk with apt-get (exit {rc}); install it by hand "
                        f"(`apt-get update && apt-get install -y wrk`). apt-get said:\n{tail}")
    version = subprocess.run([found, "-v"], check=False, capture_output=True, text=True).stdout.splitlines()[:1]
    print(f"  installed {found} ({version[0].strip() if version else 'version unknown'})", flush=True)
    return found


@dataclass
class Run:
    """One wrk run's raw figures."""
    label: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    non2xx: int
    socket_errors: int
    exhausted: bool
    cache: dict = field(default_factory=dict)
    record: dict = field(default_factory=dict)  # X-Record: committed, journaled, or neither (RECORDS=off)

    @property
    def per_s(self) -> float:
        return self.requests / self.seconds

    def line(self, per_request: int = 1) -> str:
        tallies = ", ".join(f"{k} {v:,}" for k, v in self.cache.items() if v)
        kept = ", ".join(f"{k} {v:,}" for k, v in self.record.items() if v and k != "unrecorded")
        figure = (f"{self.per_s * per_request:9,.0f} items/s ({self.per_s:.2f} req/s)" if per_request != 1
                  else f"{self.per_s:9,.1f} req/s")
        return (f"{self.label:<11} {figure}  ({self.requests:,} in {self.seconds:.2f} s)  "
                f"p50 {self.p50_ms:7.2f} ms  p99 {self.p99_ms:7.2f} ms  non-2xx {self.non2xx}  "
                f"socket errors {self.socket_errors}" + (f"  X-Cache: {tallies}" if tallies else "") +
                (f"  X-Record: {kept}" if kept else "") +
                ("  EXHAUSTED (bodies ran out)" if self.exhausted else ""))


def run_wrk(wrk: str, label: str, port: int, path: str, bodies_file: Path, seconds: float,
            mode: str = "cycle", connections: int = CONNECTIONS, timeout_s: int = 10) -> Run:
    cmd = [wrk, "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", f"{timeout_s}s", "--latency",
           "-s", str(WRK_SCRIPT), f"http://127.0.0.1:{port}{path}", "--", str(bodies_file), mode]
    try:
        done = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=seconds + timeout_s + 60)
    except subprocess.TimeoutExpired:
        raise LoadError(f"wrk did not stop by itself: {' '.join(cmd)}") from None
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH-JSON ")), None)
    if done.returncode != 0 or line is None:
        raise LoadError(f"wrk failed (exit {done.returncode}): {' '.join(cmd)}\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    r = json.loads(line[len("BENCH-JSON "):])
    if r["requests"] == 0:
        raise LoadError(f"wrk completed no request in {seconds:g} s: {' '.join(cmd)}\n{done.stdout[-2000:]}")
    return Run(label=label, requests=r["requests"], seconds=r["duration_us"] / 1e6,
               p50_ms=r["p50_us"] / 1e3, p99_ms=r["p99_us"] / 1e3,
               # wrk's own "Non-2xx or 3xx" count (status > 399) and ours from response() (outside 200-299)
               non2xx=max(r["non2xx"], r["status"]),
               socket_errors=r["connect"] + r["read"] + r["write"] + r["timeout"],
               exhausted=bool(r["exhausted"]),
               cache={k: r[k] for k in ("hit_l1", "hit_l2", "miss", "bypass")},
               record={k: r[k] for k in ("committed", "journaled", "unrecorded")})


# -- gunicorn ----------------------------------------------------------------------------------------

# Variables the app or gunicorn read, none inherited from the shell running the bench: each server gets
# exactly what its side needs (a DATABASE_URL or THREADS left in the shell would change what is measured).
_APP_ENV = ("HOST", "PORT", "WEB_CONCURRENCY", "THREADS", "GUNICORN_CMD_ARGS", "ACCESS_LOG", "LOG_LEVEL",
            "RULES_DIR", "RUN_DIR", "BENCH_ROUTES", "MAX_BODY_BYTES", "MAX_BATCH_ITEMS", "RULES_POLL_SECONDS",
            "RULES_AT_START",
            "REDIS_URL", "CACHE", "CACHE_TTL_SECONDS", "CACHE_L1_SIZE", "CACHE_L1_MB", "REDIS_TIMEOUT_MS", "REDIS_BACKOFF_SECONDS",
            "RECORDS", "DATABASE_URL", "RECORDS_JOURNAL_MB", "DECISION_RETENTION_DAYS", "RECEIPT_KEYS_FILE",
            "DECISION_LOG", "AUTH", "API_KEYS_FILE", "RATE_LIMIT", "RATE_LIMIT_BATCH", "AUTH_FAILURE_LIMIT",
            "CONSOLE_RATE_LIMIT",
            "METRICS", "LOG_FORMAT", "INCENTIVE_METRICS_MASTER")
# Where the service reads its settings; a name read there and missing above stops the bench.
_SETTINGS_SOURCES = ("incentive_api/config.py", "gunicorn.conf.py")
# The same on every server: no API key needed and no budget, so the load measures decisions, not
# refusals (the gate's own per-request work still runs, on every side alike).
_COMMON_ENV = {"AUTH": "off", "RATE_LIMIT": "off", "RATE_LIMIT_BATCH": "off", "AUTH_FAILURE_LIMIT": "off",
               "LOG_LEVEL": "warning"}


def unlisted_settings() -> list[str]:
    """Environment variables the service reads that _APP_ENV does not name (so a server would inherit them)."""
    read = set()
    for source in _SETTINGS_SOURCES:
        read |= set(re.findall(r"""environ\.get\(\s*["']([A-Z0-9_]+)["']""", (ROOT / source).read_text()))
    return sorted(read - set(_APP_ENV))


class Server(GunicornServer):
    """One gunicorn (the repository's gunicorn.conf.py) on 127.0.0.1 and a free port, in its own directory."""

    def __init__(self, name: str, tmp: Path, **env: str):
        # A snapshot of rules/, shared by the part's servers: an edit made to rules/ while the bench runs
        # would otherwise be picked up (the app polls RULES_DIR) and reload the rules mid-measurement.
        rules_dir = tmp / "rules"
        if not rules_dir.exists():
            shutil.copytree(RULES_DIR, rules_dir)
        super().__init__({**_COMMON_ENV, "RULES_DIR": str(rules_dir), **env}, workers=WORKERS,
                         workdir=tmp / f"run-{name}", name=name, unset=_APP_ENV, ready_timeout=60.0)
        self.shown = " ".join(f"{k}={v}" for k, v in sorted(env.items()))
        self.revision = None

    def start(self, timeout: float | None = None) -> Server:
        print(f"  starting gunicorn '{self.name}' on 127.0.0.1:{self.port} "
              f"(WEB_CONCURRENCY={WORKERS} gthread {self.shown})", flush=True)
        started = time.monotonic()
        try:
            super().start(timeout)
        except ServerError as exc:
            raise LoadError(str(exc)) from exc
        self.revision = self.ready.get("revision")
        print(f"    ready in {time.monotonic() - started:.1f} s: revision {self.revision}, "
              f"cache {self.ready.get('cache')}, records {_records_state(self.ready)}", flush=True)
        return self

    def get(self, path: str, timeout: float = 5.0):
        return self.request("GET", path, timeout=timeout)

    def post(self, path: str, body: bytes, timeout: float = 30.0):
        return self.request("POST", path, body, {"Content-Type": "application/json"}, timeout)

    def stop(self) -> None:
        super().stop()
        if self.forced:
            print(f"  gunicorn '{self.name}' did not stop on SIGTERM; its process group was killed", flush=True)


def _records_state(ready: dict) -> str:
    records = ready.get("records") or {}
    return records.get("store", "?") + (f" ({records['state']})" if "state" in records else "")


# -- bodies ------------------------------------------------------------------------------------------

def _dumps(body) -> str:
    # Decimal -> float keeps numbers numbers ("47.9", not "\"47.9\""); the server reads them back as Decimal.
    return json.dumps(body, default=float, separators=(",", ":"), ensure_ascii=False)


def write_bodies(path: Path, bodies) -> Path:
    with open(path, "w", encoding="utf-8") as f:
        for b in bodies:
            line = b if isinstance(b, str) else _dumps(b)
            assert "\n" not in line
            f.write(line + "\n")
    return path


# -- measuring ---------------------------------------------------------------------------------------

@dataclass
class Side:
    label: str
    port: int
    path: str
    files: list          # one bodies file per round (the same file every round for a cycled workload)
    mode: str = "cycle"
    seconds: float = 3.0
    per_request: int = 1  # items per request (batches)
    runs: list = field(default_factory=list)

    @property
    def best(self) -> Run:
        return max(self.runs, key=lambda r: r.per_s)


def interleaved(wrk: str, sides: list, rounds: int, warmup_s: float | None) -> None:
    """A short untimed warm-up per side, then `rounds` rounds over all sides, the order reversed every
    other round (A B C, C B A, ...) so a drift in machine speed hits every side alike. A side with long
    runs (batches, a second or more each under load) warms up for half a run, so it completes some."""
    if warmup_s:
        for s in sides:
            run_wrk(wrk, s.label, s.port, s.path, s.files[0], max(warmup_s, s.seconds / 2), s.mode)
    for k in range(rounds):
        order = sides if k % 2 == 0 else list(reversed(sides))
        for s in order:
            r = run_wrk(wrk, s.label, s.port, s.path, s.files[min(k, len(s.files) - 1)], s.seconds, s.mode)
            s.runs.append(r)
            print(f"    round {k + 1}: {r.line(s.per_request)}", flush=True)


def _clean_runs(report: Report, part: str, sides: list) -> None:
    for s in sides:
        bad = sum(r.non2xx for r in s.runs)
        sock = sum(r.socket_errors for r in s.runs)
        total = sum(r.requests for r in s.runs)
        report.check(part, f"{s.label}: every response 2xx (wrk non-2xx count, all timed runs)", bad == 0,
                     f"non-2xx {bad} of {total:,} responses; socket errors {sock}")


def _best_line(s: Side) -> str:
    b = s.best
    figure = f"{b.per_s * s.per_request:,.0f} items/s ({b.per_s:,.2f} batches/s)" if s.per_request != 1 \
        else f"{b.per_s:,.0f} req/s"
    return (f"  best of {len(s.runs)}: {s.label:<11} {figure}  p50 {b.p50_ms:.2f} ms  p99 {b.p99_ms:.2f} ms  "
            f"(all runs: {', '.join(f'{r.per_s * s.per_request:,.0f}' for r in s.runs)})")


def _ratio_detail(a: Side, b: Side, target: float | None, a_name: str, b_name: str,
                  pct: bool = False) -> tuple[bool, str]:
    """Judged on best / best; the ratio of each round's pair (run back to back) is printed too, as a
    check on the noise: a target met by the bests but not by most pairs is worth a second run.
    With no target, the figures alone (for information)."""
    rate_a, rate_b = a.best.per_s * a.per_request, b.best.per_s * b.per_request
    ratio = rate_a / rate_b
    shown = (lambda x: f"{x:.0%}") if pct else (lambda x: f"{x:.2f}x")
    met = target is None or ratio >= target
    detail = f"{a_name} {rate_a:,.0f} / {b_name} {rate_b:,.0f} = {shown(ratio)}"
    if target is not None:
        detail += f" (target >= {shown(target)})"
    if not met:
        detail += (f": missed by {(target - ratio) * 100:.0f} points" if pct else f": missed by {1 - ratio / target:.0%}")
    pairs = sorted(ra.per_s * a.per_request / (rb.per_s * b.per_request) for ra, rb in zip(a.runs, b.runs))
    if len(pairs) > 1:
        detail += f"; each round's pair, sorted: {', '.join(shown(p) for p in pairs)} (median {shown(pairs[len(pairs) // 2])})"
    return met, detail


# -- parts -------------------------------------------------------------------------------------------

def run_d_e(bodies: list, parts: set, report: Report, rounds: int, seconds: float) -> dict:
    """Parts d and e share one server (CACHE=off, BENCH_ROUTES=1) and are measured in the same rounds."""
    out: dict = {}
    wrk = ensure_wrk()
    title = " and ".join(p for p in (
        "d) single requests vs the echo floor" if "d" in parts else "",
        f"e) {BATCH_ITEMS:,}-item batches" if "e" in parts else "") if p)
    print(f"\n== {title}: gunicorn, {WORKERS} gthread workers, CACHE=off RECORDS=off; wrk -t1 -c{CONNECTIONS}; "
          f"{rounds} interleaved rounds, best kept")
    with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp, contextlib.ExitStack() as stack:
        tmpdir = Path(tmp)
        fleet_file = write_bodies(tmpdir / "fleet.jsonl", bodies)
        # Records off: a cycled workload is recorded on its first pass only (a repeat the same key was
        # served costs no write), so records would blur these figures; f(2) measures what they cost.
        server = Server("cache-off+echo", tmpdir, CACHE="off", RECORDS="off", BENCH_ROUTES="1", **OBSERVED)
        stack.callback(server.stop)
        server.start()
        if "d" in parts:
            plain = Server("unobserved", tmpdir, CACHE="off", RECORDS="off", **UNOBSERVED)
            stack.callback(plain.stop)
            plain.start()

        first = _dumps(bodies[0]).encode()
        status, headers, body = server.post("/v1/eligibility", first)
        if status != 200 or b'"decision_id"' not in body:
            raise LoadError(f"POST /v1/eligibility answered {status}: {body[:500]!r}")
        status, _h, echoed = server.post("/_bench/echo", first)
        if status != 200:
            raise LoadError(f"POST /_bench/echo answered {status} (is BENCH_ROUTES=1 read by the app?): {echoed[:300]!r}")
        print(f"  a decision is {len(body):,} bytes (X-Cache: {headers.get('X-Cache')}); the echo {len(echoed):,}; "
              f"request bodies {sum(len(_dumps(b)) for b in bodies) / len(bodies):,.0f} bytes on average, "
              f"{len(bodies):,} cycled")

        sides = [Side("eligibility", server.port, "/v1/eligibility", [fleet_file], seconds=seconds)]
        if "d" in parts:
            sides.append(Side("echo floor", server.port, "/_bench/echo", [fleet_file], seconds=seconds))
            sides.append(Side("unobserved", plain.port, "/v1/eligibility", [fleet_file], seconds=seconds))
        if "e" in parts:
            batches = [{"items": bodies[i:i + BATCH_ITEMS]} for i in range(0, len(bodies) - BATCH_ITEMS + 1, BATCH_ITEMS)]
            batch_file = write_bodies(tmpdir / "batches.jsonl", batches)
            status, _h, answer = server.post("/v1/eligibility/batch", _dumps(batches[0]).encode(), timeout=60)
            summary = json.loads(answer).get("summary") if status == 200 else None
            if not summary or summary.get("decisions") != BATCH_ITEMS:
                raise LoadError(f"POST /v1/eligibility/batch answered {status}, summary {summary}: {answer[:300]!r}")
            print(f"  a batch: {BATCH_ITEMS:,} items, {batch_file.stat().st_size / len(batches) / 1e6:.2f} MB request, "
                  f"{len(answer) / 1e6:.2f} MB answer, summary {summary}; {len(batches)} different batches cycled")
            # A batch takes a good fraction of a second: longer runs, so the one in flight when wrk stops
            # (not counted) matters less.
            sides.append(Side("batch", server.port, "/v1/eligibility/batch", [batch_file],
                              seconds=max(2 * seconds, 6.0), per_request=BATCH_ITEMS))
        interleaved(wrk, sides, rounds, warmup_s=1.0)

    by = {s.label: s for s in sides}
    elig = by["eligibility"]
    out["eligibility_per_s"] = elig.best.per_s
    print(_best_line(elig))
    if "d" in parts:
        floor = by["echo floor"]
        print(_best_line(floor))
        met, detail = _ratio_detail(elig, floor, TARGET_FLOOR_SHARE, "eligibility", "echo floor", pct=True)
        detail += (f"; p50/p99 eligibility {elig.best.p50_ms:.2f}/{elig.best.p99_ms:.2f} ms, "
                   f"floor {floor.best.p50_ms:.2f}/{floor.best.p99_ms:.2f} ms")
        report.check("d", "POST /v1/eligibility req/s >= 60% of the /_bench/echo floor (CACHE=off, RECORDS=off)",
                     met, detail)
        plain = by["unobserved"]
        print(_best_line(plain))
        met, detail = _ratio_detail(elig, plain, TARGET_OBSERVED, "metrics and JSON logs on", "both off")
        report.check("d", "POST /v1/eligibility with metrics and a JSON line per request >= 0.9x with both off",
                     met, detail)
        _clean_runs(report, "d", [elig, floor, plain])
    if "e" in parts:
        batch = by["batch"]
        print(_best_line(batch))
        items = batch.best.per_s * BATCH_ITEMS
        out["batch_items_per_s"] = items
        met, detail = _ratio_detail(batch, elig, TARGET_BATCH_GAIN, "batch items/s", "single decisions/s")
        report.check("e", f"{BATCH_ITEMS:,}-item batch: vessels/s >= 3x single-request decisions/s", met, detail)
        _clean_runs(report, "e", [batch] if "d" in parts else [elig, batch])
    return out


def run_f(bodies: list, ruleset, seed: int, report: Report, rounds: int, seconds: float) -> dict:
    from incentive_api.adapters.redis.embedded import EmbeddedRedis
    from incentive_api.sampling import generate_requests

    out: dict = {}
    wrk = ensure_wrk()
    print(f"\n== f) The cache and the records: gunicorn, {WORKERS} gthread workers; wrk -t1 -c{CONNECTIONS}; "
          f"{rounds} interleaved rounds, best kept")
    repeated = bodies[:1000]
    per_run = max(8_000, int(UNIQUE_PER_S * seconds))
    pool_n = len(bodies) + rounds * per_run
    t0 = time.perf_counter()
    pool = generate_requests(pool_n, ruleset=ruleset, seed=seed)
    unique_lines = [_dumps(b) for b in pool[len(bodies):]]  # never the bodies d, e or f(1) send
    if len(set(unique_lines)) != len(unique_lines):
        raise LoadError("the generated bodies for the all-unique workload are not all distinct")
    print(f"  generated {pool_n:,} bodies in {time.perf_counter() - t0:.1f} s: {len(repeated):,} for the repeated "
          f"workload, {len(unique_lines):,} distinct unseen ones for the all-unique workload "
          f"({per_run:,} fresh per timed run, sent once each to every server)")

    with tempfile.TemporaryDirectory(prefix="bench-cache-") as tmp, contextlib.ExitStack() as stack:
        tmpdir = Path(tmp)
        # Records on as served (SQLite in each RUN_DIR); only (2)'s baseline turns them off. No REDIS_URL:
        # each cache-on server's wsgi entry starts its own embedded redis-server.
        on = Server("cache-on", tmpdir, CACHE="on", RECORDS="on")
        off = Server("cache-off", tmpdir, CACHE="off", RECORDS="on")
        unrecorded = Server("records-off", tmpdir, CACHE="on", RECORDS="off")
        for server in (on, off, unrecorded):
            stack.callback(server.stop)
            server.start()

        # (1) repeated: 1,000 distinct requests cycled. After the first pass neither side writes records:
        # a repeat of what the same key was served is already committed.
        print(f"  (1) repeated workload: {len(repeated):,} distinct requests cycled, "
              "cache on vs CACHE=off (records on)")
        rep_file = write_bodies(tmpdir / "repeated.jsonl", repeated)
        rep = [Side("on/repeat", on.port, "/v1/eligibility", [rep_file], seconds=seconds),
               Side("off/repeat", off.port, "/v1/eligibility", [rep_file], seconds=seconds)]
        # Warm the cache-on server until a whole run is answered from L1 (each worker has its own L1),
        # so the timed runs measure the repeated workload's steady state, not the first pass.
        for k in range(8):  # noqa: B007  k is printed below
            w = run_wrk(wrk, "on/warm-up", on.port, "/v1/eligibility", rep_file, 1.0)
            if w.cache["miss"] == 0 and w.cache["hit_l2"] * 1000 <= w.requests:
                break
        print(f"    warm-up of the cache-on server, {k + 1} run(s) of 1 s; the last: {w.line()}", flush=True)
        interleaved(wrk, rep, rounds, warmup_s=1.0)

        # (2) all-unique: every body sent once to each server, so each answer on a records-on server is a write
        print("  (2) all-unique workload: records on vs RECORDS=off (both cache on), and cache off (records on) "
              "for information; no body is sent twice to a server (the wrk script stops rather than wrap)")
        files = [write_bodies(tmpdir / f"unique-{k}.jsonl", unique_lines[k * per_run:(k + 1) * per_run])
                 for k in range(rounds)]
        uniq = [Side("records-on", on.port, "/v1/eligibility", files, mode="once", seconds=seconds),
                Side("records-off", unrecorded.port, "/v1/eligibility", files, mode="once", seconds=seconds),
                Side("cache-off", off.port, "/v1/eligibility", files, mode="once", seconds=seconds)]
        run_wrk(wrk, "records-off/warm-up", unrecorded.port, "/v1/eligibility", rep_file, 1.0)  # the others ran (1)
        interleaved(wrk, uniq, rounds, warmup_s=None)
        health = on.get("/readyz")[2].decode()

    for s in rep + uniq:
        print(_best_line(s))
    print(f"  cache-on server health after the runs: {health}")
    met, detail = _ratio_detail(rep[0], rep[1], TARGET_CACHE_REPEATED, "on", "off")
    hits = sum(r.cache["hit_l1"] + r.cache["hit_l2"] for r in rep[0].runs)
    detail += f"; X-Cache hits on the cache-on side: {hits:,} of {sum(r.requests for r in rep[0].runs):,}"
    report.check("f", "(1) repeated workload (1,000 requests cycled): req/s cache on >= 1.3x off", met, detail)

    recorded, baseline, uncached = uniq
    met, detail = _ratio_detail(recorded, baseline, TARGET_RECORDS_UNIQUE, "records on", "RECORDS=off")
    added = _latency_added(recorded, baseline)
    report.check("f", "(2) all-unique workload: req/s records on >= 0.8x RECORDS=off (cache on both)", met,
                 f"{detail}; {added['text']}")
    _met, detail = _ratio_detail(recorded, uncached, None, "cache on", "cache off")
    print(f"  (2) for information, no target: all-unique req/s, cache on vs CACHE=off (records on both): {detail}")
    exhausted = [r for s in uniq for r in s.runs if r.exhausted]
    u_hits = sum(r.cache["hit_l1"] + r.cache["hit_l2"] for s in (recorded, baseline) for r in s.runs)
    report.check("f", "(2) the all-unique workload was all-unique: no run ran out of bodies, no cache hit",
                 not exhausted and u_hits == 0,
                 f"{len(exhausted)} runs exhausted their {per_run:,} bodies; {u_hits} hits; "
                 f"misses {sum(r.cache['miss'] for s in (recorded, baseline) for r in s.runs):,}")
    report.check("f", "(2) every answer of the records-on side was committed before it was sent; none on RECORDS=off",
                 *_records_kept(recorded, baseline))
    _clean_runs(report, "f", rep + uniq)
    out.update(repeated_on=rep[0].best.per_s, repeated_off=rep[1].best.per_s, unique_records_on=recorded.best.per_s,
               unique_records_off=baseline.best.per_s, unique_cache_off=uncached.best.per_s,
               p99_added_ms=added["p99_ms"])

    # (3) two instances, one Redis
    print("  (3) two gunicorn instances on different ports sharing one Redis")
    with tempfile.TemporaryDirectory(prefix="bench-shared-") as tmp, contextlib.ExitStack() as stack:
        tmpdir = Path(tmp)
        redis_server = EmbeddedRedis(tmpdir / "redis").start()
        stack.callback(redis_server.stop)
        print(f"    started one redis-server at {redis_server.url}")
        # Records off: this checks the shared cache alone (records are shared through DATABASE_URL, not Redis).
        a = Server("shared-a", tmpdir, CACHE="on", RECORDS="off", REDIS_URL=redis_server.url)
        b = Server("shared-b", tmpdir, CACHE="on", RECORDS="off", REDIS_URL=redis_server.url)
        stack.callback(a.stop)
        stack.callback(b.stop)
        a.start()
        b.start()
        ok_all, details = True, []
        for first, second, body in ((a, b, pool[-1]), (b, a, pool[-2])):
            ok, detail = _shared_l2(first, second, redis_server.url, _dumps(body).encode())
            print(f"    {detail}")
            ok_all &= ok
            details.append(detail.split(": ", 1)[0] + (": ok" if ok else ": FAILED"))
        report.check("f", "(3) a decision made on one instance is hit-l2 on the other, same decision_id", ok_all,
                     "; ".join(details))
    return out


def _latency_added(a: Side, b: Side) -> dict:
    """p50 and p99 of side a minus side b, from wrk's latency distribution: the median over the rounds'
    back-to-back pairs (steadier than one best run's tail), with the pairs themselves."""
    def median(values):
        values = sorted(values)
        return values[len(values) // 2]
    p50 = median(ra.p50_ms - rb.p50_ms for ra, rb in zip(a.runs, b.runs))
    p99s = sorted(ra.p99_ms - rb.p99_ms for ra, rb in zip(a.runs, b.runs))
    p99 = median(p99s)
    return {"p99_ms": p99, "p50_ms": p50,
            "text": (f"latency added by the record write (median of the rounds' pairs): p50 {p50:+.2f} ms, "
                     f"p99 {p99:+.2f} ms (p99 pairs, sorted: {', '.join(f'{d:+.2f}' for d in p99s)} ms; "
                     f"best runs' p99 {a.best.p99_ms:.2f} vs {b.best.p99_ms:.2f} ms)")}


def _records_kept(recorded: Side, baseline: Side) -> tuple[bool, str]:
    def tally(side: Side) -> dict:
        return {k: sum(r.record.get(k, 0) for r in side.runs) for k in ("committed", "journaled", "unrecorded")}
    on, off = tally(recorded), tally(baseline)
    all_committed = on["committed"] > 0 and on["journaled"] + on["unrecorded"] == 0
    ok = all_committed and off["committed"] + off["journaled"] == 0
    return ok, (f"X-Record on the records-on side: committed {on['committed']:,}, journaled {on['journaled']:,}, "
                f"none {on['unrecorded']:,}; RECORDS=off side: committed {off['committed']:,}, "
                f"journaled {off['journaled']:,}, none {off['unrecorded']:,}")


def _shared_l2(first: Server, second: Server, redis_url: str, body: bytes) -> tuple[bool, str]:
    """POST body to `first`; once its write-behind has put the answer in Redis, POST it to `second`.

    The poll reads the shared Redis itself, which leaves `second`'s caches alone: polling with the
    decision request would make `second` decide afresh on a miss, and that answer would sit in its L1."""
    import redis

    from incentive_api.adapters.answer_cache import cache_key

    name = f"{first.name} -> {second.name}"
    status, headers, answer = first.post("/v1/eligibility", body)
    if status != 200:
        return False, f"{name}: {first.name} answered {status}: {answer[:300]!r}"
    decision_id = json.loads(answer)["decision_id"]
    started = time.monotonic()
    with contextlib.closing(redis.Redis.from_url(redis_url, socket_timeout=1.0)) as client:
        while not client.exists(cache_key(decision_id)):
            if time.monotonic() - started > L2_POLL_SECONDS:
                return False, (f"{name}: the answer {decision_id} never reached the shared Redis within "
                               f"{L2_POLL_SECONDS:g} s")
            time.sleep(0.01)
    waited = time.monotonic() - started
    status2, headers2, answer2 = second.post("/v1/eligibility", body)
    got_id = json.loads(answer2).get("decision_id") if status2 == 200 else None
    ok = status2 == 200 and headers2.get("X-Cache") == "hit-l2" and got_id == decision_id and answer2 == answer
    return ok, (f"{name}: first X-Cache {headers.get('X-Cache')}, decision_id {decision_id}; in the shared Redis "
                f"after {waited * 1e3:.0f} ms; then X-Cache {headers2.get('X-Cache')}, decision_id "
                f"{got_id} ({'same' if got_id == decision_id else 'DIFFERENT'}), body "
                f"{'byte-identical' if answer2 == answer else 'DIFFERENT'}")


def run(bodies: list, ruleset, parts: set, report: Report, rounds: int, seconds: float, seed: int) -> dict:
    """Parts d, e and f as asked; a set-up failure (no wrk, a server that does not start) is a failed check."""
    out: dict = {}
    unlisted = unlisted_settings()
    if unlisted:
        for p in sorted(parts & set("def")):
            report.check(p, "every setting the service reads is set by the bench, none inherited", False,
                         f"add {', '.join(unlisted)} to _APP_ENV in bench/http_load.py")
        return out
    for group, fn in ((("d", "e"), lambda: run_d_e(bodies, parts, report, rounds, seconds)),
                      (("f",), lambda: run_f(bodies, ruleset, seed, report, rounds, seconds))):
        asked = [p for p in group if p in parts]
        if not asked:
            continue
        try:
            out.update(fn())
        except LoadError as exc:
            print(f"  error: {exc}", file=sys.stderr, flush=True)
            for p in asked:
                report.check(p, "the HTTP load test ran", False, str(exc).splitlines()[0])
    return out
