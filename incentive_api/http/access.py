"""Who may call what: API keys by role, rate limits per key, and a budget of wrong keys per address.

Public: the paths in health.PUBLIC (/healthz, /readyz, /openapi.yaml, /v1/receipts/keys, /metrics) and the
console's pages. Operator only: /v1/admin/... and /v1/rulesets/... Everything else: any valid key. Keys come as
`Authorization: Bearer <key>` or `X-API-Key`.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from limits import parse
from limits.errors import StorageError
from limits.storage import MemoryStorage, storage_from_string

from ..adapters import metrics
from ..service.container import Services
from .health import PUBLIC
from .problems import problem

log = logging.getLogger("incentive_api.access")
OPERATOR_PATHS = ("/v1/admin/", "/v1/rulesets/")  # reloads and dry-runs; the rule files kept with records


def presented_key() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return request.headers.get("X-API-Key") or None


def principal_name() -> str:
    """The name of the key that asked ("" when AUTH=off): what a decision record names as its asker."""
    principal = g.get("principal")
    return principal.name if principal else ""


def sees_every_record() -> bool:
    """Operators (and everyone with AUTH=off) read every key's records; a client key only its own."""
    principal = g.get("principal")
    return principal is None or principal.role == "operator"


def _limit_key() -> str:
    principal = g.get("principal")
    return f"key:{principal.name}" if principal else f"ip:{request.remote_addr}"


# Budgets are read from the answering app's config, so one module-level limiter serves any app.
# flask-limiter parses a budget before asking whether it is exempt: "off" is given as no budget at all.
def _budget() -> str:
    return current_app.config["RATE_LIMIT"] if current_app.config["RATE_LIMITS_ON"] else ""


def batch_budget() -> str:
    """A batch does up to 1,000 decisions: it has a budget of its own."""
    return current_app.config["RATE_LIMIT_BATCH"] if current_app.config["RATE_LIMITS_ON"] else ""


def unbudgeted() -> bool:
    return request.path in PUBLIC or not current_app.config["RATE_LIMITS_ON"]


limiter = Limiter(key_func=_limit_key, default_limits=[_budget], default_limits_exempt_when=unbudgeted)


def _unauthorized(detail: str):
    return problem(401, detail, headers={"WWW-Authenticate": 'Bearer realm="incentive-api"'})


def _authenticate():
    g.principal = None
    settings = current_app.extensions["incentive"].settings
    if request.path in PUBLIC or not settings.auth_enabled:
        return None
    key = presented_key()
    if key is None:
        return _unauthorized("Send an API key: 'Authorization: Bearer <key>' or 'X-API-Key: <key>'.")
    found = current_app.extensions["incentive"].keys.find(key)
    if found is None:
        wait = current_app.extensions["auth_failures"].record(request.remote_addr or "unknown")
        if wait is not None:
            return problem(429, f"Too many wrong API keys from this address; try again in {wait} s.",
                           headers={"Retry-After": str(wait)})
        return _unauthorized("The API key is not valid.")
    g.principal = found
    if request.path.startswith(OPERATOR_PATHS) and found.role != "operator":
        return problem(403, "This route is for operators; the key's role is 'client'.")
    return None


def _retry_after(response):
    if response.status_code == 429 and "Retry-After" not in response.headers:  # the limiter's, not ours
        metrics.rate_limited("requests")
        current = limiter.current_limit
        wait = int(current.reset_at - time.time()) + 1 if current else 60
        response.headers["Retry-After"] = str(max(1, wait))
    return response


def init_access(app: Flask, services: Services) -> None:
    settings = services.settings
    if not settings.auth_enabled:
        log.warning("AUTH=off: every route is open to anyone who can reach this service; "
                    "use it only behind another gate")
    app.before_request(_authenticate)  # before the limiter's own hook: budgets are per key
    limits_on = settings.rate_limit.lower() != "off"
    storage_uri, storage_options = services.rate_limits  # the cache's Redis, whatever its kind
    app.extensions["auth_failures"] = AuthFailures(settings.auth_failure_limit, storage_uri, storage_options,
                                                   settings.redis_backoff_seconds)
    app.config.update(
        RATE_LIMITS_ON=limits_on, RATE_LIMIT=settings.rate_limit, RATE_LIMIT_BATCH=settings.rate_limit_batch,
        RATELIMIT_STORAGE_URI=storage_uri, RATELIMIT_STORAGE_OPTIONS=storage_options,
        # Headers off: flask-limiter would overwrite the Retry-After of our 503s; 429s get theirs below.
        RATELIMIT_STRATEGY="fixed-window", RATELIMIT_HEADERS_ENABLED=False, RATELIMIT_SWALLOW_ERRORS=True,
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True, RATELIMIT_KEY_PREFIX="incentive:ratelimit")
    limiter.init_app(app)
    app.after_request(_retry_after)


class AddressBudget:
    """A fixed-window budget per client address, counted in the rate limits' storage (shared by workers and
    instances; this process's memory while that storage is away)."""

    def __init__(self, budget: str, setting: str, prefix: str, storage_uri: str, storage_options: dict,
                 backoff_seconds: float):
        self.limit = _parse_budget(budget, setting)
        self._local = MemoryStorage()
        self._shared = None
        if self.limit and not storage_uri.startswith("memory://"):
            self._shared = storage_from_string(storage_uri, key_prefix=prefix, wrap_exceptions=True,
                                               **storage_options)
        self._backoff, self._skip_until = backoff_seconds, 0.0

    def spend(self, address: str) -> tuple[int, int | None]:
        """(how many this window has seen from `address`, counting this one; None within the budget, else the
        seconds until it may send again)."""
        if self.limit is None:
            return 0, None
        key = self.limit.key_for(address[:64])
        # Fixed windows, like the rate limits: one atomic INCR with its expiry, one round trip.
        seen = self._storage(lambda s: s.incr(key, self.limit.get_expiry()))
        if seen <= self.limit.amount:
            return seen, None
        return seen, max(1, int(self._storage(lambda s: s.get_expiry(key)) - time.time()) + 1)

    def _storage(self, operation):
        """Redis when there is one and it answers; this process's memory while it does not."""
        if self._shared is not None and time.monotonic() >= self._skip_until:
            try:
                return operation(self._shared)
            except StorageError:
                self._skip_until = time.monotonic() + self._backoff
        return operation(self._local)


class AuthFailures:
    """Wrong keys per client address, counted in the rate limits' storage (shared by workers and instances).

    Only a presented key that matches no stored key is counted: a valid key never waits on this storage,
    and a missing key guesses nothing. A valid key is answered even from an address past its budget. Keys
    are 256-bit random secrets, so what keeps them from being guessed is their length, not this budget;
    the budget stops floods of guesses and makes them visible. Refusing valid keys as well would let
    anyone behind a shared address (a NAT, a proxy) lock everyone else there out with a few wrong keys.
    """

    def __init__(self, budget: str, storage_uri: str, storage_options: dict, backoff_seconds: float):
        self.budget = AddressBudget(budget, "AUTH_FAILURE_LIMIT", "incentive:authfail", storage_uri,
                                    storage_options, backoff_seconds)
        self.limit = self.budget.limit
        self._lock = threading.Lock()
        self._counts = {"wrong_key": 0, "refused": 0}

    def record(self, address: str) -> int | None:
        """Count one wrong key from `address`: None within its budget, else the seconds until it may retry."""
        self._count("wrong_key")
        seen, wait = self.budget.spend(address)
        if wait is None:
            return None
        self._count("refused")
        metrics.rate_limited("wrong_keys")
        if seen == self.limit.amount + 1:  # the one request that crossed the budget, on whichever worker
            log.warning("wrong API keys from %r passed the budget of %s; refusing them with 429 for %d s",
                        address, self.limit, wait)
        return wait

    def counts(self) -> dict:
        with self._lock:
            return dict(self._counts)

    def _count(self, name: str) -> None:
        with self._lock:
            self._counts[name] += 1


def _parse_budget(budget: str, setting: str):
    if budget.lower() == "off":
        return None
    try:
        return parse(budget)
    except ValueError:
        raise SystemExit(f"{setting} must be a budget such as '20/minute', or 'off'; got {budget!r}") from None
