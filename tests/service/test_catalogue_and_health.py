"""The catalogue and readiness use cases through the container, with a fake Redis."""

import pytest

from incentive_api.service.problems import Problem
from incentive_api.service.rules import RulesState
from support.fakes import FakeShared, services


def test_the_catalogue_lists_a_ports_programs_and_says_when_there_is_no_such_program(tmp_path):
    svc, _ = services(tmp_path, FakeShared())
    body, revision = svc.catalogue.programs({"port": "USLGB", "as_of": "2026-03-01"})
    assert revision == svc.rules.active.ruleset.revision and body["ruleset"] == {"revision": revision}
    assert "polb-green-ship" in {p["program"] for p in body["programs"]}
    assert svc.catalogue.program("no-such-program") == (None, revision)
    with pytest.raises(Problem) as refused:
        svc.catalogue.programs({"port": "usl"})
    assert refused.value.status == 422 and refused.value.errors[0]["pointer"] == "/port"


def test_the_ruleset_says_its_warnings_as_rules_check_does(tmp_path):
    svc, _ = services(tmp_path, FakeShared())
    info, _ = svc.catalogue.ruleset()
    assert info["warnings"] == [str(w) for w in svc.rules.active.ruleset.warnings]
    assert info["last_failed_load"] is None


def test_readiness_follows_redis_and_refuses_without_rules(tmp_path):
    shared = FakeShared()
    svc, _ = services(tmp_path / "a", shared)
    assert svc.health.readiness()["cache"] == "ok"
    shared.down = True
    ready = svc.health.readiness()
    assert ready["cache"] == "degraded" and ready["degraded"]
    empty = tmp_path / "no-rules"
    empty.mkdir()
    unloaded, _ = services(tmp_path / "b", FakeShared(), rules_dir=empty)
    with pytest.raises(Problem) as refused:
        unloaded.health.readiness()
    assert refused.value.status == 503 and refused.value.retry_after == 5
    assert isinstance(unloaded.rules, RulesState) and unloaded.rules.active is None
