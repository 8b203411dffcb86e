"""Who may call what: API keys by role, and rate limits per key.

Public: /healthz, /readyz, /openapi.yaml. Operator only: /v1/admin/... Everything
else: any valid key. Keys come as `Authorization: Bearer <key>` or `X-API-Key`.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, g, request
from flask_limiter import Limiter

from ..adapters.api_keys import KeyFile
from ..config import Settings
from .problems import problem

PUBLIC = frozenset({"/healthz", "/readyz", "/openapi.yaml"})
log = logging.getLogger("incentive_api.access")


def presented_key() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return request.headers.get("X-API-Key") or None


def _unauthorized(detail: str):
    return problem(401, detail, headers={"WWW-Authenticate": 'Bearer realm="incentive-api"'})


def install_access(app: Flask, settings: Settings) -> Limiter:
    keys = KeyFile(settings.api_keys_file)
    if not settings.auth_enabled:
        log.warning("AUTH=off: every route is open to anyone who can reach this service; "
                    "use it only behind another gate")

    @app.before_request
    def _authenticate():
        g.principal = None
        if request.path in PUBLIC or not settings.auth_enabled:
            return None
        key = presented_key()
        if key is None:
            return _unauthorized("Send an API key: 'Authorization: Bearer <key>' or 'X-API-Key: <key>'.")
        found = keys.find(key)
        if found is None:
            return _unauthorized("The API key is not valid.")
        g.principal = found
        if request.path.startswith("/v1/admin/") and found.role != "operator":
            return problem(403, "This route is for operators; the key's role is 'client'.")
        return None

    def _limit_key() -> str:
        principal = g.get("principal")
        return f"key:{principal.name}" if principal else f"ip:{request.remote_addr}"

    limits_on = settings.rate_limit.lower() != "off"
    limiter = Limiter(
        key_func=_limit_key, app=app, default_limits=[settings.rate_limit] if limits_on else [], enabled=limits_on,
        storage_uri=_storage_uri(settings.redis_url if settings.cache_enabled else None),
        storage_options={"socket_timeout": settings.redis_timeout_ms / 1000,
                         "socket_connect_timeout": settings.redis_timeout_ms / 1000},
        # Headers off: flask-limiter would overwrite the Retry-After of our 503s; 429s get theirs below.
        strategy="fixed-window", headers_enabled=False, swallow_errors=True,
        in_memory_fallback_enabled=True, key_prefix="incentive:ratelimit",
        default_limits_exempt_when=lambda: request.path in PUBLIC)
    if limits_on and "eligibility_batch" in app.view_functions:
        # A batch does up to 1,000 decisions: it has a budget of its own.
        app.view_functions["eligibility_batch"] = limiter.limit(settings.rate_limit_batch)(
            app.view_functions["eligibility_batch"])
    @app.after_request
    def _retry_after(response):
        if response.status_code == 429 and "Retry-After" not in response.headers:
            current = limiter.current_limit
            wait = int(current.reset_at - time.time()) + 1 if current else 60
            response.headers["Retry-After"] = str(max(1, wait))
        return response

    app.extensions["api_keys"] = keys
    return limiter


def _storage_uri(redis_url: str | None) -> str:
    """flask-limiter's spelling of our REDIS_URL (same server, same database)."""
    if not redis_url:
        return "memory://"
    if redis_url.startswith("unix://"):
        path, _, query = redis_url[len("unix://"):].partition("?")
        db = dict(p.split("=", 1) for p in query.split("&") if "=" in p).get("db", "0")
        return f"redis+unix://{path}?db={db}"
    return redis_url
