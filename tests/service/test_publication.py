"""Following publications: only a newer one counts, and only its exact files are served."""

import json
import time

from incentive_api.adapters.published_rules import FileBoard
from incentive_api.service.publication import RulesSync
from incentive_api.service.rules import RulesState
from support.helpers import RULES


def test_an_older_marker_never_takes_a_process_back(tmp_path):
    state = RulesState(RULES)
    assert state.load()
    sync = RulesSync(state, FileBoard(tmp_path))
    sync.publish_active()
    served = state.active.ruleset.revision
    older = {"generation": sync.seen - 1, "revision": "0123456789abcdef", "failed": None, "previous": None}
    (tmp_path / "rules-marker.json").write_text(json.dumps(older))  # e.g. the only marker seen while Redis is away
    sync.poll()
    assert state.active.ruleset.revision == served and sync.seen > older["generation"]


def test_a_publication_whose_files_cannot_be_had_is_not_followed(tmp_path):
    state = RulesState(RULES)
    assert state.load()
    sync = RulesSync(state, FileBoard(tmp_path))
    served = state.active.ruleset.revision
    newer = {"generation": time.time_ns() + 10**9, "revision": "0123456789abcdef", "failed": None,
             "previous": served}
    (tmp_path / "rules-marker.json").write_text(json.dumps(newer))  # no snapshot of that revision anywhere
    sync.poll()
    assert state.active.ruleset.revision == served  # keeps serving what it had; tries again next poll
    assert sync.seen != newer["generation"]


def test_start_up_adopts_the_published_revision_when_the_directory_does_not_load(tmp_path):
    good = RulesState(RULES)
    assert good.load()
    RulesSync(good, FileBoard(tmp_path)).publish_active()
    broken = tmp_path / "broken-rules"
    broken.mkdir()
    (broken / "a.yaml").write_text("program: [\n")
    state = RulesState(broken)
    assert not state.load()
    sync = RulesSync(state, FileBoard(tmp_path))
    sync.ensure_following = lambda: None  # no follower thread in this test
    assert sync.start() == "adopted" and state.active.ruleset.revision == good.active.ruleset.revision


def test_a_start_while_the_shared_board_is_away_publishes_nothing(tmp_path):
    from incentive_api.adapters.redis.published import RedisBoard
    from support.fakes import FakeShared
    shared = FakeShared()
    shared.down = True
    state = RulesState(RULES)
    assert state.load()
    sync = RulesSync(state, FileBoard(tmp_path), RedisBoard(shared))
    sync.ensure_following = lambda: None  # no follower thread in this test
    assert sync.start() == "serving the directory unpublished"
    assert not shared.data and not (tmp_path / "rules-marker.json").exists()
    assert state.active is not None  # it answers meanwhile, from its own directory


def test_a_start_adopts_what_is_published_and_publishes_only_when_asked(tmp_path):
    state = RulesState(RULES)
    assert state.load()
    first = RulesSync(state, FileBoard(tmp_path))
    first.ensure_following = lambda: None
    assert first.start() == "published"  # nothing was published: the first instance publishes
    marker = json.loads((tmp_path / "rules-marker.json").read_text())
    again = RulesSync(RulesState(RULES), FileBoard(tmp_path))
    again.state.load()
    again.ensure_following = lambda: None
    assert again.start() == "adopted"
    assert json.loads((tmp_path / "rules-marker.json").read_text()) == marker  # not published again
    assert again.start(publish=True) == "published"
    assert json.loads((tmp_path / "rules-marker.json").read_text())["generation"] > marker["generation"]


def test_a_host_whose_clock_runs_behind_still_publishes_after_the_last_publication(tmp_path):
    from incentive_api.adapters.redis.published import RedisBoard
    from support.fakes import FakeShared
    shared = FakeShared()
    ahead = RulesSync(RulesState(RULES), FileBoard(tmp_path / "a"), RedisBoard(shared), clock=lambda: 2_000_000)
    ahead.state.load()
    ahead.publish_active()
    behind = RulesSync(RulesState(RULES), FileBoard(tmp_path / "b"), RedisBoard(shared), clock=lambda: 1_000_000)
    behind.state.load()
    ok, _errors = behind.reload()
    assert ok and behind.seen > ahead.seen == 2_000_000  # one past it, not its own clock's 1,000,000
    assert ahead.seen < json.loads(shared.data["incentive:{rules}:marker"])["generation"]


def test_workers_keep_only_the_published_revisions_files(tmp_path):
    from incentive_api.adapters.redis.published import SNAPSHOT_KEY, RedisBoard
    from incentive_api.service.rules import compile_checked, directory_files
    from support.fakes import FakeShared
    shared = FakeShared()
    state = RulesState(RULES)
    state.load()
    sync = RulesSync(state, FileBoard(tmp_path), RedisBoard(shared))
    sync.publish_active()
    first = state.active.ruleset.revision
    files = directory_files(RULES)
    changed = [(n, t + "\n# another revision\n" if n == "polb-green-ship.yaml" else t) for n, t in files]
    assert compile_checked(changed).revision != first
    assert state.activate(changed)
    sync._publish(True, [], first)
    second = state.active.ruleset.revision
    assert [p.stem for p in (tmp_path / "rules-published").glob("*.json")] == [second]
    assert shared.expiring == {SNAPSHOT_KEY + first: 60}
