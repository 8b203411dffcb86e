"""Who may call what: API keys by role, and rate limits per key.

Public: /healthz, /readyz, /openapi.yaml. Operator only: /v1/admin/... Everything
else: any valid key. Keys come as `Authorization: Bearer <key>` or `X-API-Key`.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, current_app, g, request
from flask_limiter import Limiter

from ..adapters.api_keys import KeyFile
from ..config import Settings
from .health import PUBLIC
from .problems import problem

log = logging.getLogger("incentive_api.access")


def presented_key() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return request.headers.get("X-API-Key") or None


def _limit_key() -> str:
    principal = g.get("principal")
    return f"key:{principal.name}" if principal else f"ip:{request.remote_addr}"


# Budgets are read from the answering app's config, so one module-level limiter serves any app.
def _budget() -> str:
    return current_app.config["RATE_LIMIT"]


def batch_budget() -> str:
    """A batch does up to 1,000 decisions: it has a budget of its own."""
    return current_app.config["RATE_LIMIT_BATCH"]


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
    found = current_app.extensions["api_keys"].find(key)
    if found is None:
        return _unauthorized("The API key is not valid.")
    g.principal = found
    if request.path.startswith("/v1/admin/") and found.role != "operator":
        return problem(403, "This route is for operators; the key's role is 'client'.")
    return None


def _retry_after(response):
    if response.status_code == 429 and "Retry-After" not in response.headers:
        current = limiter.current_limit
        wait = int(current.reset_at - time.time()) + 1 if current else 60
        response.headers["Retry-After"] = str(max(1, wait))
    return response


def init_access(app: Flask, settings: Settings) -> None:
    if not settings.auth_enabled:
        log.warning("AUTH=off: every route is open to anyone who can reach this service; "
                    "use it only behind another gate")
    app.extensions["api_keys"] = KeyFile(settings.api_keys_file)
    app.before_request(_authenticate)  # before the limiter's own hook: budgets are per key
    limits_on = settings.rate_limit.lower() != "off"
    timeout = settings.redis_timeout_ms / 1000
    app.config.update(
        RATE_LIMITS_ON=limits_on, RATE_LIMIT=settings.rate_limit, RATE_LIMIT_BATCH=settings.rate_limit_batch,
        RATELIMIT_STORAGE_URI=_storage_uri(settings.redis_url if settings.cache_enabled else None),
        RATELIMIT_STORAGE_OPTIONS={"socket_timeout": timeout, "socket_connect_timeout": timeout},
        # Headers off: flask-limiter would overwrite the Retry-After of our 503s; 429s get theirs below.
        RATELIMIT_STRATEGY="fixed-window", RATELIMIT_HEADERS_ENABLED=False, RATELIMIT_SWALLOW_ERRORS=True,
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True, RATELIMIT_KEY_PREFIX="incentive:ratelimit")
    limiter.init_app(app)
    app.after_request(_retry_after)


def _storage_uri(redis_url: str | None) -> str:
    """flask-limiter's spelling of our REDIS_URL (same server, same database)."""
    if not redis_url:
        return "memory://"
    if redis_url.startswith("unix://"):
        path, _, query = redis_url[len("unix://"):].partition("?")
        db = dict(p.split("=", 1) for p in query.split("&") if "=" in p).get("db", "0")
        return f"redis+unix://{path}?db={db}"
    return redis_url
