"""Request bodies and calls shared by the cache tests."""

import copy
import json

BODY = {
    "vessel": {"imo": "IMO 9619907", "type": "container", "gross_tonnage": 194849,
               "engines": [{"role": "main", "imo_nox_tier": 3}],
               "esi": {"score": 52.5, "nox_valid": True, "sox_valid": True, "valid_until": "2026-12-31"}},
    "call": {"port": "USLGB", "arrival": "2026-03-02"},
}


def body(score=52.5, **call):
    b = copy.deepcopy(BODY)
    b["vessel"]["esi"]["score"] = score
    b["call"].update(call)
    return b


def post(client, payload, raw=None):
    data = raw if raw is not None else json.dumps(payload)
    return client.post("/v1/eligibility", data=data, content_type="application/json")


def flush(app):
    store = app.extensions["incentive"].cache.store
    assert store.flush(5)
