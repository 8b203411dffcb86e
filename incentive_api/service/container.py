"""The composition root: every use case and every adapter behind it, built once per process from Settings.

The HTTP app and the command line take what this builds; a test may build its own Services, with fakes
where it wants them, and hand them to create_app.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

from ..adapters.answer_cache import AnswerCache, CachePolicy
from ..adapters.api_keys import KeyFile
from ..adapters.decision_log import DecisionLog
from ..adapters.published_rules import FileBoard
from ..adapters.receipts import ReceiptSigner
from ..adapters.records import GroupCommit, RecordStore, RecordsUnavailable
from ..adapters.records.journal import Journal
from ..adapters.records.store import database_url
from ..adapters.redis.connect import parse_redis_url
from ..adapters.redis.embedded import EmbeddedRedis, redis_dir
from ..adapters.redis.published import RedisBoard
from ..adapters.redis.ratelimits import storage_for
from ..adapters.redis.store import RedisStore
from ..config import Settings
from ..core.ruleset import Ruleset
from .catalogue import Catalogue
from .deciding import DecisionService
from .esi import EsiService
from .health import Health
from .plans import PlanService
from .publication import RulesSync
from .reconciling import Reconciling
from .recording import Recorder
from .rules import RulesState
from .rules_admin import RulesAdmin

log = logging.getLogger("incentive_api")


@dataclass
class Services:
    settings: Settings
    rules: RulesState
    sync: RulesSync
    cache: AnswerCache
    recorder: Recorder
    decision_log: DecisionLog
    deciding: DecisionService
    plans: PlanService
    reconciling: Reconciling
    catalogue: Catalogue
    esi: EsiService
    admin: RulesAdmin
    health: Health
    receipts: ReceiptSigner  # signs every answer and every record read back
    keys: KeyFile
    rate_limits: tuple[str, dict]  # where rate limits and wrong-key budgets are counted: (limits URI, options)
    embedded_redis: EmbeddedRedis | None = None


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


def start_embedded_redis(settings: Settings) -> tuple[Settings, EmbeddedRedis | None]:
    """With the cache on and no REDIS_URL, a real redis-server as a child of this process (the gunicorn
    master: it supervises the server, workers fork without it), and the settings that name it."""
    if not settings.cache_enabled or settings.redis_url:
        return settings, None
    embedded = EmbeddedRedis(redis_dir(settings.run_dir)).start().supervise()
    log.warning("no REDIS_URL: serving with an embedded redis-server at %s", embedded.url)
    return dataclasses.replace(settings, redis_url=embedded.url), embedded


def build_recorder(settings: Settings) -> Recorder:
    if not settings.records_enabled:
        return Recorder(None, None)
    store = RecordStore(database_url(settings.database_url, settings.run_dir))
    try:
        store.migrate()
        store.engine().dispose()  # no pooled connection is handed down to forked workers
    except RecordsUnavailable as exc:  # answers go on, journaled; the schema is made when it is back
        logging.getLogger("incentive_api.records").warning(
            "records database unavailable at start (%s); journaling until it is back", exc)
    journal = Journal(settings.run_dir / "records-journal", settings.records_journal_mb * 1024 * 1024)
    return Recorder(store, GroupCommit(store, journal, backoff_seconds=settings.redis_backoff_seconds))


def build_services(settings: Settings | None = None, *, rules: RulesState | None = None,
                   recorder: Recorder | None = None, shared_store: RedisStore | None = None,
                   embedded_redis: bool = False) -> Services:
    """Everything the server needs. `rules`, `recorder` and `shared_store` (what Redis would be) replace what
    the settings name, for a test that brings its own; `embedded_redis`: start one when no REDIS_URL is set
    (the server's entry point does; an app made in a test or a command does not)."""
    settings = settings or Settings()
    embedded = None
    if embedded_redis:
        settings, embedded = start_embedded_redis(settings)
    rules = rules or RulesState(settings.rules_dir)
    if rules.active is None:
        rules.load()
    url = shared_redis_url(settings)
    store = shared_store
    if store is None and url:
        store = RedisStore(url, timeout=settings.redis_timeout_ms / 1000, backoff=settings.redis_backoff_seconds)
    cache = AnswerCache(CachePolicy(enabled=settings.cache_enabled, ttl_seconds=settings.cache_ttl_seconds,
                                    l1_size=settings.cache_l1_size, l1_bytes=settings.cache_l1_mb * 1024 * 1024),
                         store)
    recorder = recorder or build_recorder(settings)
    sync = RulesSync(rules, FileBoard(settings.run_dir), RedisBoard(store) if store else None,
                     interval=settings.rules_poll_seconds)
    decision_log = DecisionLog(settings.decision_log)
    deciding = DecisionService(rules, cache, recorder, decision_log, settings.max_batch_items)
    return Services(
        settings=settings, rules=rules, sync=sync, cache=cache, recorder=recorder, decision_log=decision_log,
        deciding=deciding, plans=PlanService(deciding, recorder), reconciling=Reconciling(recorder),
        catalogue=Catalogue(rules, sync, deciding.today), esi=EsiService(deciding.today),
        admin=RulesAdmin(rules, sync, recorder),
        health=Health(rules, cache, recorder, decision_log, settings.run_dir),
        receipts=ReceiptSigner.load_or_create(settings.receipt_keys_file), keys=KeyFile(settings.api_keys_file),
        rate_limits=storage_for(url, settings.redis_timeout_ms / 1000), embedded_redis=embedded)


def offline_deciding(ruleset: Ruleset) -> tuple[DecisionService, PlanService]:
    """Deciding for one process with no cache, records or log, and plans over it: the command line's
    `evaluate` and `plan`, which keep nothing."""
    rules = RulesState.holding(ruleset)
    recorder = Recorder(None, None)
    deciding = DecisionService(rules, AnswerCache(CachePolicy(enabled=False), None), recorder,
                               DecisionLog("off"), max_batch_items=1)
    return deciding, PlanService(deciding, recorder)
