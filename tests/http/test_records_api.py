"""Decision records through the API: read back at once, only by the key that was served them (operators:
all), queried for reconciliation as JSON or CSV, signed, and replayed by the dry-run."""

import base64
import csv
import dataclasses
import io
import os
import uuid
from pathlib import Path

import orjson
import pytest

from incentive_api.adapters.api_keys import KeyFile
from incentive_api.adapters.receipts import public_keys_from_jwks, verify_receipt
from incentive_api.config import Settings
from support.helpers import CLIENT_KEY, RULES

VESSEL = {"imo": "IMO 9619907", "type": "container", "gross_tonnage": 194849,
          "esi": {"nox_valid": True, "sox_valid": True, "valid_until": "2030-01-01"}}


def call(score, imo="IMO 9619907", port="USLGB"):
    return {"vessel": {**VESSEL, "imo": imo, "esi": {**VESSEL["esi"], "score": score}},
            "call": {"port": port, "arrival": "2026-03-02"}}


@pytest.fixture
def client(make_client, tmp_path):
    return make_client(settings=dataclasses.replace(Settings(), run_dir=tmp_path, cache_enabled=False))


@pytest.fixture
def other_key():
    return KeyFile(Path(os.environ["API_KEYS_FILE"])).add(f"other-{uuid.uuid4().hex[:8]}", "client")


def as_(key):
    return {"headers": {"X-API-Key": key}}


def test_an_answer_is_readable_at_once_verbatim_and_signed(client):
    made = client.post("/v1/eligibility", json=call(56))
    assert made.status_code == 200 and made.headers["X-Record"] == "committed"
    got = client.get(f"/v1/decisions/{made.get_json()['decision_id']}")
    assert got.status_code == 200 and got.data == made.data
    keys = public_keys_from_jwks(client.get("/v1/receipts/keys").get_json())
    for answer in (made, got):
        verify_receipt(answer.data, answer.headers["X-Receipt"], keys)


def test_a_client_key_reads_only_what_it_was_served(client, other_key):
    mine = client.post("/v1/eligibility", json=call(50), **as_(CLIENT_KEY)).get_json()["decision_id"]
    theirs = client.post("/v1/eligibility", json=call(51), **as_(other_key)).get_json()["decision_id"]
    assert client.get(f"/v1/decisions/{mine}", **as_(CLIENT_KEY)).status_code == 200
    refused = client.get(f"/v1/decisions/{theirs}", **as_(CLIENT_KEY))
    assert refused.status_code == 404  # not 403: the id is not confirmed
    assert refused.get_json()["detail"] == client.get("/v1/decisions/" + "0" * 32, **as_(CLIENT_KEY)).get_json()[
        "detail"].replace("0" * 32, theirs)
    assert client.get(f"/v1/decisions/{theirs}").status_code == 200  # the operator key reads every record
    listed = client.get("/v1/decisions", **as_(CLIENT_KEY)).get_json()["records"]
    assert theirs not in {r["decision_id"] for r in listed} and mine in {r["decision_id"] for r in listed}


def test_the_same_decision_served_to_two_keys_is_recorded_for_each(client, other_key):
    a = client.post("/v1/eligibility", json=call(52), **as_(CLIENT_KEY))
    b = client.post("/v1/eligibility", json=call(52), **as_(other_key))
    assert a.data == b.data
    did = a.get_json()["decision_id"]
    assert client.get(f"/v1/decisions/{did}", **as_(other_key)).status_code == 200
    rows = client.get("/v1/decisions").get_json()["records"]
    assert sorted(r["key"] for r in rows if r["decision_id"] == did) == sorted(
        [KeyFile(Path(os.environ["API_KEYS_FILE"])).find(CLIENT_KEY).name,
         KeyFile(Path(os.environ["API_KEYS_FILE"])).find(other_key).name])


def test_reconciliation_filters_pages_and_exports_csv(client):
    scores = [20, 30, 49, 50, 55, 56, 60]
    ids = [client.post("/v1/eligibility", json=call(s)).get_json()["decision_id"] for s in scores]
    client.post("/v1/eligibility", json=call(50, imo="9074729"))
    page, seen, cursor = 0, [], None
    while True:
        r = client.get("/v1/decisions", query_string={"imo": "9619907", "limit": 3, **({"cursor": cursor} if cursor else {})})
        body = r.get_json()
        seen += [row["decision_id"] for row in body["records"]]
        cursor, page = body["next_cursor"], page + 1
        assert r.headers.get("X-Next-Cursor") == cursor
        if cursor is None:
            break
    assert seen == ids and page == 3  # the order served, no row twice, none lost
    premier = client.get("/v1/decisions", query_string={"program": "polb-green-ship", "status": "eligible",
                                                         "imo": "IMO 9619907"}).get_json()["records"]
    assert [r["decision_id"] for r in premier] == ids[1:]  # 20 is below every band
    assert all([p["program"] for p in r["programs"]] == ["polb-green-ship"] for r in premier)
    assert {r["programs"][0]["amount"] for r in premier} == {"600.00", "3000.00", "6000.00"}
    exported = client.get("/v1/decisions", query_string={"program": "polb-green-ship", "imo": "9619907"},
                          headers={"Accept": "text/csv"})
    assert exported.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert [r["decision_id"] for r in rows] == ids and {r["program"] for r in rows} == {"polb-green-ship"}
    assert rows[-1]["level"] == "premier" and rows[-1]["amount"] == "6000.00" and rows[-1]["currency"] == "USD"
    none = client.get("/v1/decisions", query_string={"from": "2001-01-01", "to": "2001-12-31"}).get_json()
    assert none == {"records": [], "next_cursor": None}


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_cursor_at_the_edge_of_time_is_a_422_not_a_500(client, at):
    cursor = base64.urlsafe_b64encode(orjson.dumps([at, "0" * 32, "k"])).decode().rstrip("=")
    r = client.get("/v1/decisions", query_string={"cursor": cursor})
    assert r.status_code == 422 and r.get_json()["errors"][0]["pointer"] == "/cursor"


def test_a_cursor_not_given_by_the_service_is_a_422(client):
    r = client.get("/v1/decisions", query_string={"cursor": "bm90LWEtY3Vyc29y"})
    assert r.status_code == 422 and r.get_json()["errors"][0]["pointer"] == "/cursor"


def test_a_dry_run_replays_recorded_calls_and_finds_exactly_those_a_raised_amount_changes(client):
    intermediate = [48, 50.5, 53.9]
    others = [30, 47.9, 54, 60]
    made = {}
    for score in intermediate + others:
        made[score] = client.post("/v1/eligibility", json=call(score)).get_json()["decision_id"]
    text = (RULES / "polb-green-ship.yaml").read_text()
    raised = text.replace('fixed: {amount: "3000.00", currency: USD}\n      - level: premier',
                          'fixed: {amount: "3500.00", currency: USD}\n      - level: premier')
    assert raised != text
    r = client.post("/v1/admin/rules/dry-run", json={"files": {"polb-green-ship.yaml": raised}, "records": {}})
    assert r.status_code == 200
    report = r.get_json()
    assert report["requests"] == len(made) and report["invalid_requests"] == 0
    changed = [c for c in report["changes"] if c["program"] == "polb-green-ship"]
    assert len(changed) == len(intermediate)
    assert {(c["before"]["amount"], c["after"]["amount"]) for c in changed} == {("3000.00", "3500.00")}
    assert report["failing_examples"]  # the example still expects 3000.00: a reload would be refused


def test_the_last_day_there_is_is_a_valid_end(client):
    r = client.get("/v1/decisions", query_string={"from": "0001-01-01", "to": "9999-12-31"})
    assert r.status_code == 200


def test_a_csv_export_never_holds_a_formula(client):
    name = f"-cmd-{uuid.uuid4().hex[:8]}"  # the one formula start a key name may have
    key = KeyFile(Path(os.environ["API_KEYS_FILE"])).add(name, "client")
    client.post("/v1/eligibility", json=call(53), **as_(key))
    exported = client.get("/v1/decisions", headers={"X-API-Key": key, "Accept": "text/csv"})
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert rows and {r["key"] for r in rows} == {"'" + name}


@pytest.mark.parametrize("cell", ["=HYPERLINK(1)", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_every_formula_start_is_written_as_text(cell):
    from incentive_api.service.reconciling import inert
    assert inert(cell) == "'" + cell and inert("plain") == "plain"


def test_a_repeated_query_parameter_is_a_422_naming_it(client):
    r = client.get("/v1/decisions?imo=9619907&imo=9074729")
    assert r.status_code == 422
    assert r.get_json()["errors"] == [{"pointer": "/imo", "message": "Give imo once; it was given 2 times."}]
    programs = client.get("/v1/programs?port=USLGB&port=USLAX")
    assert programs.status_code == 422 and programs.get_json()["errors"][0]["pointer"] == "/port"


def test_from_after_to_is_a_422_not_an_empty_page(client):
    r = client.get("/v1/decisions", query_string={"from": "2026-03-02", "to": "2026-03-01"})
    assert r.status_code == 422
    assert r.get_json()["errors"] == [{"pointer": "/from", "message": "from is after to: no day is in that range."}]
    assert client.get("/v1/decisions", query_string={"from": "2026-03-01", "to": "2026-03-01"}).status_code == 200


def test_the_cache_never_tells_one_client_key_what_another_asked(make_client, tmp_path, other_key):
    cached = make_client(settings=dataclasses.replace(Settings(), run_dir=tmp_path / "cached"))
    body = call(49)
    first = cached.post("/v1/eligibility", json=body, **as_(CLIENT_KEY))
    second = cached.post("/v1/eligibility", json=body, **as_(other_key))
    assert first.data == second.data
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("bypass", "bypass")  # no Redis here
    assert cached.post("/v1/eligibility", json=body, **as_(other_key)).headers["X-Cache"] == "hit-l1"  # its own
    assert cached.post("/v1/eligibility", json=body).headers["X-Cache"] == "hit-l1"  # an operator sees the cache
    batch = cached.post("/v1/eligibility/batch", json={"items": [call(48)]}).get_json()  # the operator's own
    theirs = cached.post("/v1/eligibility/batch", json={"items": [call(48)]}, **as_(CLIENT_KEY)).get_json()
    assert theirs["summary"]["cache"] == {"hit-l1": 0, "hit-l2": 0, "miss": 0, "bypass": 1}
    assert batch["summary"]["cache"]["bypass"] == 1


def test_the_rules_behind_a_record_are_kept_with_it_and_served_to_operators(client):
    from incentive_api.core.ruleset import revision_of
    from incentive_api.service.rules import directory_files
    made = client.post("/v1/eligibility", json=call(47), **as_(CLIENT_KEY))
    revision = made.headers["X-Ruleset-Revision"]
    kept = client.get(f"/v1/rulesets/{revision}")
    assert kept.status_code == 200
    answer = kept.get_json()
    files = directory_files(RULES)
    assert answer["revision"] == answer["recomputed_revision"] == revision == revision_of(files)
    assert [(f["name"], f["text"]) for f in answer["files"]] == sorted(files)
    assert all(len(f["sha256"]) == 64 for f in answer["files"])
    verify_receipt(kept.data, kept.headers["X-Receipt"], public_keys_from_jwks(client.get("/v1/receipts/keys").get_json()))
    assert client.get(f"/v1/rulesets/{revision}", **as_(CLIENT_KEY)).status_code == 403
    assert client.get("/v1/rulesets/0123456789abcdef").status_code == 404
