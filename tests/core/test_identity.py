"""What "the same request" means: equivalent spellings get one decision id and one answer."""

import datetime as dt
import json

import orjson
import pytest

from incentive_api.core.engine import decide
from incentive_api.core.identity import decision_id
from incentive_api.core.jsonwire import loads
from incentive_api.core.request import parse_request

TODAY = dt.date(2026, 11, 30)


def body(score="56", dockage='"18500.00"'):
    return (b'{"vessel": {"imo": "IMO 9619907", "type": "container", "gross_tonnage": 194849,'
            b' "esi": {"score": %s, "nox_valid": true, "sox_valid": true, "valid_until": "2026-12-31"}},'
            b' "call": {"port": "USLGB", "arrival": "2026-03-02",'
            b' "fees": {"dockage": {"amount": %s, "currency": "USD"}}}}') % (score.encode(), dockage.encode())


def answer(ruleset, raw: bytes) -> bytes:
    request = parse_request(loads(raw))
    return orjson.dumps(decide(ruleset, request, today=TODAY).to_json())


@pytest.mark.parametrize("spellings", [
    ["56", "56.0", "56.00", "5.6E1", "560E-1"],
    ["47.9", "47.90", "4.79e1"],
])
def test_one_number_many_spellings_one_decision(ruleset, spellings):
    answers = {answer(ruleset, body(score=s)) for s in spellings}
    assert len(answers) == 1
    assert json.loads(answers.pop())["decision_id"] == decision_id(
        ruleset.revision, parse_request(loads(body(score=spellings[0]))), TODAY)


def test_fee_amounts_100_and_100_00_are_one_request(ruleset):
    spellings = ['"100"', '"100.00"', "100", "100.0", "1E+2"]
    assert len({answer(ruleset, body(dockage=d)) for d in spellings}) == 1


def test_answers_show_a_number_in_its_shortest_form(ruleset):
    decision = json.loads(answer(ruleset, body(score="56.00")))
    entry = next(p for p in decision["programs"] if p["program"] == "polb-green-ship")
    assert entry["score"] == 56


def test_a_different_number_is_a_different_request(ruleset):
    assert answer(ruleset, body(score="56")) != answer(ruleset, body(score="56.01"))
