"""The deciding use case through the container, with a fake Redis and fake records: parse, identity, cache,
evaluate, store, record, log, for one request, a batch and a plan."""

import json

import orjson
import pytest

from incentive_api.adapters.answer_cache import HIT_L1, HIT_L2, MISS, PROBE_EVERY, cache_key
from incentive_api.core.request import InvalidRequest
from support.fakes import AT, FakeShared, services

BODY = {"vessel": {"imo": "IMO 9619907", "type": "container", "gross_tonnage": 194849,
                   "engines": [{"role": "main", "imo_nox_tier": 3}],
                   "esi": {"score": 56, "nox_valid": True, "sox_valid": True, "valid_until": "2026-12-31"}},
        "call": {"port": "USLGB", "arrival": "2026-03-02"}}


def body(**vessel) -> bytes:
    return json.dumps({**BODY, "vessel": {**BODY["vessel"], **vessel}}).encode()


def test_a_fresh_answer_is_evaluated_shared_recorded_with_its_typed_decision(tmp_path):
    shared = FakeShared()
    svc, writer = services(tmp_path, shared)
    answer = svc.deciding.decide(body(), "billing")
    decision = json.loads(answer.body)
    assert answer.cache == MISS and answer.record == "committed"
    assert shared.data[cache_key(decision["decision_id"])] == answer.body  # shared for the other workers
    (record,) = writer.records
    assert record.decision_id == decision["decision_id"] and record.key_name == "billing" and record.at == AT
    # The record's columns come from the decision object the engine made, equal to the answer's bytes.
    assert record.decision.to_json() == decision and record.decision.port == "USLGB"
    assert record.columns()["decision"]["port"] == "USLGB"


def test_repeats_are_answered_from_this_process_and_recorded_once_per_key(tmp_path):
    svc, writer = services(tmp_path, FakeShared())
    first = svc.deciding.decide(body(), "billing")
    again = svc.deciding.decide(body(), "billing")  # the same bytes: before any parsing
    reordered = json.dumps(dict(reversed(list(json.loads(body()).items())))).encode()
    same = svc.deciding.decide(reordered, "billing")  # other bytes, the same request: by its decision id
    assert (again.cache, same.cache) == (HIT_L1, HIT_L1)
    assert first.body == again.body == same.body
    assert len(writer.records) == 1  # a decision this key was already served costs no record
    svc.deciding.decide(body(), "other-key")
    assert [r.key_name for r in writer.records] == ["billing", "other-key"]


def test_an_answer_from_redis_is_sent_as_stored_and_recorded_from_it(tmp_path):
    shared = FakeShared()
    first, _ = services(tmp_path / "a", shared)
    made = first.deciding.decide(body(), "billing")
    second, writer = services(tmp_path / "b", shared)  # another worker: its own L1, the same Redis
    found = second.deciding.decide(body(), "billing")
    assert found.cache == HIT_L2 and found.body == made.body
    (record,) = writer.records
    assert record.decision.to_json() == json.loads(made.body) and record.decision.port == "USLGB"


def test_redis_away_is_a_bypass_never_a_failure(tmp_path):
    shared = FakeShared()
    shared.down = True
    svc, writer = services(tmp_path, shared)
    answer = svc.deciding.decide(body(), "billing")
    assert answer.cache == "bypass" and json.loads(answer.body)["programs"] and len(writer.records) == 1
    assert not shared.data


def test_reads_of_redis_are_sampled_while_it_finds_nothing(tmp_path):
    shared = FakeShared()
    svc, _ = services(tmp_path, shared)
    for tonnage in range(1000, 1030):  # distinct requests: Redis never has them
        svc.deciding.decide(body(gross_tonnage=tonnage))
    # The hit rate decays by 0.9 a miss: below 5% after 29 misses, then one read in PROBE_EVERY.
    assert shared.gets == 29
    for tonnage in range(2000, 2000 + 2 * PROBE_EVERY):
        svc.deciding.decide(body(gross_tonnage=tonnage))
    assert shared.gets == 29 + 2
    # Every fresh answer is still shared, read or not: another worker may ask for it.
    assert len(shared.data) == 30 + 2 * PROBE_EVERY


def test_a_batch_reads_redis_once_and_one_bad_item_fails_alone(tmp_path):
    shared = FakeShared()
    svc, writer = services(tmp_path, shared)
    items = [json.loads(body()), {"vessel": {"imo": "1"}}, {**json.loads(body()), "programs": ["no-such-program"]},
             json.loads(body(gross_tonnage=5000))]
    answer = json.loads(svc.deciding.decide_batch({"items": items}, "req-1", "billing").body)
    assert shared.mgets == 1 and shared.gets == 0
    ok, bad, unknown, other = answer["items"]
    assert ok["decision_id"] != other["decision_id"]
    assert bad["status"] == 422 and bad["errors"][0]["pointer"].startswith("/items/1/")
    assert unknown["status"] == 422 and unknown["errors"] == [{"pointer": "/items/2/programs/0",
                                                               "message": "Unknown program 'no-such-program'."}]
    assert answer["summary"] == {"decisions": 2, "problems": 2,
                                 "cache": {"hit-l1": 0, "hit-l2": 0, "miss": 2, "bypass": 0}}
    assert {r.decision_id for r in writer.records} == {ok["decision_id"], other["decision_id"]}


def test_a_plan_decides_each_call_through_the_deciding_service_and_keeps_the_plan(tmp_path):
    svc, writer = services(tmp_path, FakeShared())
    calls = [BODY["call"], {"port": "USLGB", "arrival": "2026-04-13"}]
    plan = svc.plans.plan(orjson.dumps({"vessel": BODY["vessel"], "calls": calls}), "line")
    answer = json.loads(plan.body)
    single = json.loads(svc.deciding.decide(body(), "line").body)
    assert answer["calls"][0]["decision_id"] == single["decision_id"]  # the same decision as alone
    (group,) = writer.batches[:1]  # the calls' records and the plan's, in one group
    assert [r.decision_id for r in group if hasattr(r, "decision_id")] == [c["decision_id"] for c in answer["calls"]]
    assert [p.plan_id for p in writer.plans] == [answer["plan_id"]] and writer.plans[0] in group
    assert svc.plans.get(answer["plan_id"], "line") == plan.body
    assert svc.plans.get(answer["plan_id"], "someone-else") is None


def test_a_refused_plan_records_nothing(tmp_path):
    svc, writer = services(tmp_path, FakeShared())
    refused = orjson.dumps({"vessel": BODY["vessel"], "calls": [BODY["call"]], "programs": ["no-such-program"]})
    with pytest.raises(InvalidRequest):
        svc.plans.plan(refused, "line")
    assert writer.batches == []


def test_advice_is_attached_by_the_deciding_service_only_when_asked(tmp_path):
    svc, _ = services(tmp_path, None)
    asked = json.loads(svc.deciding.decide(json.dumps({**json.loads(body(esi={
        **BODY["vessel"]["esi"], "score": 51.2})), "advice": True}).encode()).body)
    plain = json.loads(svc.deciding.decide(body(esi={**BODY["vessel"]["esi"], "score": 51.2})).body)
    polb = next(p for p in asked["programs"] if p["program"] == "polb-green-ship")
    assert polb["advice"] and list(polb)[-1] == "advice"
    assert all("advice" not in p for p in plain["programs"])


def test_a_record_still_in_the_journal_is_pending_not_unknown(tmp_path):
    from incentive_api.service.recording import RecordPending
    svc, writer = services(tmp_path, None)
    writer.journal.held.add("a" * 32)
    with pytest.raises(RecordPending):
        svc.reconciling.record("a" * 32, "billing")
    assert svc.reconciling.record("b" * 32, "billing") is None
    assert svc.health.readiness()["records"]["state"] == "journaling"  # whichever worker journaled it


def test_this_process_keeps_answers_up_to_a_weight_not_their_typed_decisions(tmp_path):
    svc, _ = services(tmp_path, None, cache_l1_mb=1)
    for tonnage in range(3000, 3100):  # no port: every program, the largest answers
        svc.deciding.decide(json.dumps({"vessel": {"imo": "9619907", "type": "container",
                                                   "gross_tonnage": tonnage}}).encode())
    l1 = svc.cache.l1
    assert 0 < l1.weight <= 1024 * 1024 and len(l1) < 100
    assert all(value._decision is None for _expires, value, _w in l1._data.values())
    again = svc.deciding.decide(json.dumps({"vessel": {"imo": "9619907", "type": "container",
                                                       "gross_tonnage": 3099}}).encode())
    assert again.cache == HIT_L1
