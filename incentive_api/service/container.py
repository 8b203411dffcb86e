"""Wiring: the use cases and the adapters behind them, built once per process from Settings."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ..adapters.decision_log import DecisionLog
from ..adapters.records import GroupCommit, RecordStore, RecordsUnavailable
from ..adapters.records.journal import Journal
from ..adapters.records.store import database_url
from ..cache.connect import parse_redis_url
from ..cache.decisions import CachePolicy, Decisions
from ..cache.ratelimits import storage_for
from ..cache.store import RedisStore
from ..config import Settings
from .deciding import DecisionService
from .publication import RulesSync
from .recording import Recorder
from .rules import RulesState
from .rules_admin import RulesAdmin

log = logging.getLogger("incentive_api.records")


@dataclass
class Services:
    settings: Settings
    rules: RulesState
    sync: RulesSync
    cache: Decisions
    decision_log: DecisionLog
    deciding: DecisionService
    admin: RulesAdmin
    recorder: Recorder


def shared_redis_url(settings: Settings) -> str | None:
    """REDIS_URL when the cache is on (one server, a cluster or a sentinel primary); a malformed one stops
    the start with what is wrong, rather than serving without the Redis the operator meant."""
    if not (settings.cache_enabled and settings.redis_url):
        return None
    try:
        parse_redis_url(settings.redis_url)
    except ValueError as exc:
        raise SystemExit(str(exc)) from None
    return settings.redis_url


def build_cache(settings: Settings) -> Decisions:
    policy = CachePolicy(enabled=settings.cache_enabled, ttl_seconds=settings.cache_ttl_seconds,
                         l1_size=settings.cache_l1_size)
    url, store = shared_redis_url(settings), None
    if url:
        store = RedisStore(url, timeout=settings.redis_timeout_ms / 1000, backoff=settings.redis_backoff_seconds)
    return Decisions(policy, store)


def rate_limit_storage(settings: Settings) -> tuple[str, dict]:
    """Where rate limits and wrong-key budgets are counted: (limits storage URI, its options)."""
    return storage_for(shared_redis_url(settings), settings.redis_timeout_ms / 1000)


def build_recorder(settings: Settings) -> Recorder:
    if not settings.records_enabled:
        return Recorder(None, None)
    store = RecordStore(database_url(settings.database_url, settings.run_dir))
    try:
        store.migrate()
        store.engine().dispose()  # no pooled connection is handed down to forked workers
    except RecordsUnavailable as exc:  # answers go on, journaled; the schema is made when it is back
        log.warning("records database unavailable at start (%s); journaling until it is back", exc)
    journal = Journal(settings.run_dir / "records-journal", settings.records_journal_mb * 1024 * 1024)
    return Recorder(store, GroupCommit(store, journal, backoff_seconds=settings.redis_backoff_seconds))


def build_services(settings: Settings, rules: RulesState | None = None, cache: Decisions | None = None,
                   recorder: Recorder | None = None) -> Services:
    rules = rules or RulesState(settings.rules_dir)
    if rules.active is None:
        rules.load()
    cache = cache or build_cache(settings)
    recorder = recorder or build_recorder(settings)
    sync = RulesSync(rules, cache.store, settings.run_dir, interval=settings.rules_poll_seconds)
    decision_log = DecisionLog(settings.decision_log)
    return Services(settings, rules, sync, cache, decision_log,
                    DecisionService(rules, cache, decision_log, settings.max_batch_items, recorder),
                    RulesAdmin(rules, sync, recorder), recorder)


def offline_deciding(ruleset) -> DecisionService:
    """Deciding for one process with no cache, records or log: the command line's `evaluate`."""
    rules = RulesState.holding(ruleset)
    return DecisionService(rules, Decisions(CachePolicy(enabled=False), None), DecisionLog("off"), max_batch_items=1,
                           recorder=Recorder(None, None))
