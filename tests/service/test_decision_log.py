"""The decision log names a request by its normalised content, whichever route it came by."""

import json

from incentive_api.config import Settings
from incentive_api.core.identity import request_hash
from incentive_api.core.jsonwire import loads
from incentive_api.core.request import parse_request
from incentive_api.service.container import build_services

BODY = {"vessel": {"imo": "IMO 9619907", "type": "container", "gross_tonnage": 194849,
                   "esi": {"score": 56, "nox_valid": True, "sox_valid": True, "valid_until": "2026-12-31"}},
        "call": {"port": "USLGB", "arrival": "2026-03-02"}}


def test_request_hash_is_the_same_alone_and_in_a_batch(tmp_path):
    log_file = tmp_path / "decisions.jsonl"
    settings = Settings(cache_enabled=False, decision_log=str(log_file), run_dir=tmp_path)
    svc = build_services(settings)
    raw = json.dumps(BODY, indent=1).encode()  # other bytes than the batch item's
    alone = svc.deciding.decide(raw)
    svc.deciding.decide_batch({"items": [BODY, {**BODY, "vessel": {**BODY["vessel"], "imo": "9619907"}}]})
    assert svc.decision_log.flush(5)
    lines = [json.loads(line) for line in log_file.read_text().splitlines()]
    assert len(lines) == 3
    assert {line["decision_id"] for line in lines} == {json.loads(alone.body)["decision_id"]}
    assert {line["request_hash"] for line in lines} == {request_hash(parse_request(loads(raw)))}
