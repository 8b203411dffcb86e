"""Chaos: a live 2-worker gunicorn with its embedded redis-server keeps answering a steady stream of requests,
every one of them exactly as one process would, while in turn a worker is SIGKILLed, the redis-server is
SIGKILLed (the master restarts it), a reload is published, fifty sockets dribble a byte a second, and a
worker is SIGKILLed again while an edit sits on disk unpublished.

"Exactly" is byte for byte, decision id included (ids are content-addressed): each answer is compared
with decide() in this process on the same body, with the ruleset compiled from the files of the revision
the answer names. Which revision may be named is fixed by the reload: the first one until the reload is
asked for, the published one from shortly after it answered, never the one only on disk.
"""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import httpx
import orjson
import pytest

from incentive_api.sampling import generate_requests
from incentive_api.service.clock import utc_today
from incentive_api.service.rules import load_compiled as load_ruleset
from incentive_api.testing import GunicornServer
from support.chaos import (
    Oracle,
    SlowSockets,
    kill_embedded_redis,
    kill_if_alive,
    kill_worker,
    wire,
)
from support.helpers import AUTH, RULES

WORKERS = 2
CLIENTS = 4
GENERATED = 46
BATCH_SIZES = (2, 3, 5, 8, 13, 20)
SLOW_SOCKETS = 50
SLOW_SECONDS = 4.0
SETTLE = 2.5  # seconds of traffic after each fault has been dealt with
# A connection dropped this long after a worker's replacement was forked was not dropped by the kill.
DROP_GRACE = 0.5
CONVERGE = 2.0  # a published reload reaches every worker (each polls twice a second)
TEST_SECONDS = 60
FAILURES_SHOWN = 8

HAND_MADE = [
    {"vessel": {"imo": "IMO 9619907", "type": "container", "gross_tonnage": 194849,
                "engines": [{"role": "main", "imo_nox_tier": 3}],
                "esi": {"score": 56, "nox_valid": True, "sox_valid": True, "valid_until": "2026-12-31"}},
     "call": {"port": "USLGB", "arrival": "2026-03-02", "fees": {"dockage": {"amount": "18500.00", "currency": "USD"}},
              "operator_vsr_compliance": {"year": 2025, "zone_20nm_pct": 97, "zone_40nm_pct": 91}}},
    # The intermediate band of the Green Ship program, whose amount the reload changes.
    {"vessel": {"imo": "9619907", "type": "container", "gross_tonnage": 194849,
                "esi": {"score": 50, "nox_valid": True, "sox_valid": True, "valid_until": "2030-01-01"}},
     "call": {"port": "USLGB", "arrival": "2026-03-02"}, "programs": ["polb-green-ship"]},
    {"vessel": {"imo": 9074729, "type": "oil_tanker", "gross_tonnage": 61000,
                "esi": {"score": 31.5, "nox_valid": True, "sox_valid": True, "valid_until": "2026-09-30"}},
     "call": {"port": "NLRTM", "arrival": "2026-02-10",
              "fees": {"port_dues": {"amount": "41000.00", "currency": "EUR"}}}},
    # No call: every port, as of the server's today.
    {"vessel": {"imo": "IMO 9619907", "type": "container", "gross_tonnage": 194849}},
]
# The intermediate band's amount, and the total its example expects (a reload tests the examples).
INTERMEDIATE = (re.compile(r'(id: esi-intermediate\s+fixed: \{amount: ")[0-9.]+(")'),
                re.compile(r'(level: intermediate, total: ")[0-9.]+( USD")'))


def with_intermediate(rules: Path, amount: str) -> None:
    path = rules / "polb-green-ship.yaml"
    text = path.read_text()
    for pattern in INTERMEDIATE:
        text, edits = pattern.subn(rf"\g<1>{amount}\g<2>", text)
        assert edits == 1, f"{path}: {pattern.pattern} is not there once"
    path.write_text(text)


@dataclass(frozen=True)
class Job:
    name: str
    path: str
    body: bytes
    batch: bool


def jobs(ruleset) -> list[Job]:
    bodies = [wire(b) for b in generate_requests(GENERATED, ruleset=ruleset)] + [wire(b) for b in HAND_MADE]
    assert len(set(bodies)) == len(bodies) == GENERATED + len(HAND_MADE)
    out = [Job(f"single {i}", "/v1/eligibility", body, False) for i, body in enumerate(bodies)]
    start = 0
    for n, size in enumerate(BATCH_SIZES):
        items = [bodies[(start + k) % len(bodies)] for k in range(size)]
        if n == 2:
            items[-1] = items[0]  # the same request twice in one batch
        start += size
        out.insert(8 * (n + 1), Job(f"batch {n} ({size} items)", "/v1/eligibility/batch",
                                    b'{"items":[' + b",".join(items) + b"]}", True))
    return out


@dataclass(frozen=True)
class Outcome:
    job: str
    sent: float
    done: float
    revision: str | None
    cache: str | None
    failure: str | None


class Stream:
    """CLIENTS threads asking every job in turn (each from its own place), judging each answer at once."""

    def __init__(self, url: str, work: list[Job], oracle: Oracle):
        self.url, self.work, self.oracle = url, work, oracle
        self.outcomes: list[Outcome] = []
        self.dropped: list[Outcome] = []  # connections dropped with no answer; each asked again once
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._ask, args=(i,), name=f"chaos-client-{i}", daemon=True)
                         for i in range(CLIENTS)]

    def __enter__(self) -> Self:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(15)

    def _ask(self, client_no: int) -> None:
        turn = client_no * len(self.work) // CLIENTS
        with httpx.Client(base_url=self.url, headers=AUTH, timeout=10) as client:
            while not self._stop.is_set():
                job = self.work[turn % len(self.work)]
                turn += 1
                self.outcomes.append(self._exchange(client, job))

    def _exchange(self, client: httpx.Client, job: Job) -> Outcome:
        """One request, asked again once when its connection is dropped without an answer (a SIGKILLed
        worker takes the requests it holds with it); the drop is kept, for the test to place in time."""
        for attempt in (1, 2):
            days, sent = {utc_today()}, time.monotonic()
            try:
                answer = client.post(job.path, content=job.body, headers={"Content-Type": "application/json"})
                break
            except httpx.TransportError as exc:
                if attempt == 2:
                    return Outcome(job.name, sent, time.monotonic(), None, None, f"no answer, twice: {exc!r}")
                self.dropped.append(Outcome(job.name, sent, time.monotonic(), None, None, f"dropped: {exc!r}"))
        done = time.monotonic()
        days.add(utc_today())  # a stream crossing midnight may be answered as of either day
        revision = answer.headers.get("X-Ruleset-Revision")
        return Outcome(job.name, sent, done, revision, answer.headers.get("X-Cache"),
                       self._judge(job, answer, revision, days))

    def _judge(self, job: Job, answer: httpx.Response, revision: str | None, days: set) -> str | None:
        body = answer.content
        if answer.status_code != 200:
            return f"{answer.status_code} {body[:300]!r}"
        if revision not in self.oracle.rulesets:
            return f"names revision {revision!r}, compiled from none of the rule files"
        for day in days:
            expected = self.oracle.expected(job.body, job.batch, revision, day)
            if not job.batch and body == expected:
                return None
            if job.batch and body.startswith(expected):
                summary = orjson.loads(body)
                if summary["summary"]["problems"] == 0 and summary["ruleset"] == {"revision": revision}:
                    return None
        at = next((i for i, (a, b) in enumerate(zip(body, expected)) if a != b), min(len(body), len(expected)))
        return (f"differs from one process's answer (revision {revision}, as of {min(days)}) at byte {at}: "
                f"got ...{body[max(0, at - 80):at + 80]!r}, expected ...{expected[max(0, at - 80):at + 80]!r}")


@pytest.fixture
def chaos(tmp_path):
    """The served rules copy, the rulesets of its three versions, and a started server; all stopped after."""
    versions = {}
    for name, amount in (("before", None), ("published", "3150.00"), ("unpublished", "3275.00")):
        copy = tmp_path / f"rules-{name}"
        shutil.copytree(RULES, copy)
        if amount:
            with_intermediate(copy, amount)
        versions[name] = (copy, load_ruleset(copy))
    assert len({rs.revision for _, rs in versions.values()}) == 3
    served = tmp_path / "rules"
    shutil.copytree(versions["before"][0], served)
    server = GunicornServer({"AUTH": "on", "RATE_LIMIT": "off", "RATE_LIMIT_BATCH": "off", "LOG_LEVEL": "warning",
                             "RULES_DIR": str(served)},
                            workers=WORKERS, workdir=tmp_path / "gunicorn", name="chaos", unset=["REDIS_URL"])
    redis_pids: set[int] = set()
    try:
        server.start()
        yield server, served, versions, redis_pids
    finally:
        server.stop()
        for pid in redis_pids:
            kill_if_alive(pid)


def test_faults_fail_no_request_and_change_no_answer(chaos):
    server, served, versions, redis_pids = chaos
    started = time.monotonic()
    before, published, unpublished = (rs for _, rs in versions.values())
    oracle = Oracle([before, published, unpublished])
    windows: dict[str, tuple[float, float]] = {}  # each fault, from its start to the end of its settling
    marks: dict[str, float] = {}
    kills: list[tuple[float, float]] = []  # each worker SIGKILL: from just before it to its replacement forked
    events: list[str] = []

    def fault(name: str, act) -> None:
        began = time.monotonic()
        events.append(f"{began - started:6.2f} s  {name}: {act()}")
        time.sleep(SETTLE)
        windows[name] = (began, time.monotonic())

    def reload() -> str:
        shutil.copy(versions["published"][0] / "polb-green-ship.yaml", served / "polb-green-ship.yaml")
        marks["reload asked"] = time.monotonic()
        with httpx.Client(base_url=server.url, headers=AUTH, timeout=10) as admin:
            answer = admin.post("/v1/admin/rules/reload")
        marks["reload answered"] = time.monotonic()
        assert answer.status_code == 200, answer.text
        assert answer.json()["revision"] == published.revision, answer.json()
        return f"{answer.json()['previous_revision']} -> {answer.json()['revision']}"

    def slow_sockets() -> str:
        with SlowSockets(server.port, SLOW_SOCKETS, wire(HAND_MADE[0])):
            time.sleep(SLOW_SECONDS)
        return f"{SLOW_SOCKETS} sockets held {SLOW_SECONDS:g} s"

    def kill() -> str:
        began = time.monotonic()
        victim, replacement = kill_worker(server)
        kills.append((began, time.monotonic()))
        return f"worker {victim} killed, {replacement} forked"

    def kill_with_edit_on_disk() -> str:
        shutil.copy(versions["unpublished"][0] / "polb-green-ship.yaml", served / "polb-green-ship.yaml")
        return kill()

    def kill_redis() -> str:
        old, new = kill_embedded_redis(server.run_dir)
        redis_pids.update((old, new))
        return f"redis-server {old} killed, {new} running"

    with Stream(server.url, jobs(before), oracle) as stream:
        fault("steady", lambda: "no fault")
        fault("worker killed", kill)
        fault("redis-server killed", kill_redis)
        fault("reload published", reload)
        fault("slow sockets", slow_sockets)
        fault("worker killed, an edit unpublished on disk", kill_with_edit_on_disk)
    took = time.monotonic() - started
    outcomes = stream.outcomes

    asked, answered = marks["reload asked"], marks["reload answered"]
    names = {rs.revision: name for name, (_, rs) in versions.items()}
    wrong_revision = [
        o for o in outcomes if o.failure is None and (
            o.revision == unpublished.revision
            or (o.done < asked and o.revision != before.revision)
            or (o.sent > answered + CONVERGE and o.revision != published.revision))]
    failed = [o for o in outcomes if o.failure]
    failed += [o for o in stream.dropped if not any(began <= o.done <= ended + DROP_GRACE for began, ended in kills)]
    per_fault = {name: sum(began <= o.sent <= ended for o in outcomes) for name, (began, ended) in windows.items()}
    print("\n".join(events))
    print(f"{len(outcomes)} answers in {took:.1f} s; per fault {per_fault}; "
          f"X-Cache {dict(Counter(o.cache for o in outcomes if o.cache))}; "
          f"revisions {dict(Counter(o.revision for o in outcomes))}; "
          f"dropped by a killed worker and asked again {len(stream.dropped)}; "
          f"failed {len(failed)}, wrong revision {len(wrong_revision)}")

    def show(bad: list[Outcome]) -> str:
        return "\n".join(f"  {o.sent - started:6.2f}-{o.done - started:6.2f} s  {o.job}: "
                         f"{o.failure or f'revision {o.revision}'}" for o in bad[:FAILURES_SHOWN])

    assert not failed, (f"{len(failed)} of {len(outcomes)} requests failed, differ or were dropped with no worker killed:\n{show(failed)}\n"
                        + "\n".join(events) + f"\nserver log:\n{server.log_tail()}")
    assert not wrong_revision, (
        f"{len(wrong_revision)} answers name a revision not published then (before {before.revision}, "
        f"published {published.revision} at {asked - started:.2f}-{answered - started:.2f} s, "
        f"unpublished {unpublished.revision}); by revision "
        f"{dict(Counter(names[o.revision] for o in wrong_revision))}:\n{show(wrong_revision)}\n" + "\n".join(events))
    assert all(per_fault.values()), f"a fault passed with no traffic: {per_fault}"
    assert {o.job for o in outcomes} == {job.name for job in jobs(before)}, "some request was never asked"
    assert took < TEST_SECONDS, f"the storm took {took:.1f} s"
