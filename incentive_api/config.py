"""Settings from environment variables, with defaults that need no editing to start."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_RULES_DIR = Path(__file__).resolve().parents[1] / "rules"


def rules_dir() -> Path:
    """RULES_DIR, or the repository's rules/ when it is unset or empty."""
    return Path(os.environ.get("RULES_DIR") or DEFAULT_RULES_DIR)


def _number(name: str, default, cast=int):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return cast(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a {'whole ' if cast is int else ''}number, got {raw!r}") from None


def _choice(name: str, default: str, choices: tuple) -> str:
    raw = (os.environ.get(name) or default).lower()
    if raw not in choices:
        raise SystemExit(f"{name} must be one of {', '.join(choices)}; got {raw!r}")
    return raw


def _int(name: str, default: int) -> int:
    return _number(name, default, int)


def _float(name: str, default: float) -> float:
    return _number(name, default, float)


@dataclass(frozen=True)
class Settings:
    rules_dir: Path = field(default_factory=rules_dir)
    max_body_bytes: int = field(default_factory=lambda: _int("MAX_BODY_BYTES", 4 * 1024 * 1024))
    max_batch_items: int = field(default_factory=lambda: _int("MAX_BATCH_ITEMS", 1000))
    # Cache: REDIS_URL is redis://, rediss:// or unix://; without it the server entry point
    # starts an embedded redis-server. CACHE=off turns both cache levels off (records stay on).
    redis_url: str | None = field(default_factory=lambda: os.environ.get("REDIS_URL") or None)
    cache_enabled: bool = field(default_factory=lambda: os.environ.get("CACHE", "on").lower() not in ("off", "0", "false", "no"))
    cache_ttl_seconds: int = field(default_factory=lambda: _int("CACHE_TTL_SECONDS", 3600))
    cache_l1_size: int = field(default_factory=lambda: _int("CACHE_L1_SIZE", 10_000))
    # What one process's cached answers may weigh: answers range from hundreds of bytes to about 70 KB.
    cache_l1_mb: int = field(default_factory=lambda: _int("CACHE_L1_MB", 64))
    decision_retention_days: int = field(default_factory=lambda: _int("DECISION_RETENTION_DAYS", 400))
    # Decision records: DATABASE_URL names PostgreSQL (postgresql://...) for several instances; unset, an
    # SQLite file in RUN_DIR. RECORDS=off keeps none (benchmarks only). The journal keeps records locally
    # while the database is away, up to RECORDS_JOURNAL_MB.
    database_url: str | None = field(default_factory=lambda: os.environ.get("DATABASE_URL") or None)
    records_enabled: bool = field(default_factory=lambda: os.environ.get("RECORDS", "on").lower() != "off")
    records_journal_mb: int = field(default_factory=lambda: _int("RECORDS_JOURNAL_MB", 256))
    redis_timeout_ms: int = field(default_factory=lambda: _int("REDIS_TIMEOUT_MS", 50))
    redis_backoff_seconds: float = field(default_factory=lambda: _float("REDIS_BACKOFF_SECONDS", 1.0))
    # The benchmark's floor route (POST /_bench/echo): parse the JSON body and return it. Off by default.
    bench_routes: bool = field(default_factory=lambda: os.environ.get("BENCH_ROUTES") == "1")
    # GET /metrics (Prometheus text, no key needed); METRICS=off removes the route and skips every count.
    metrics_enabled: bool = field(default_factory=lambda: os.environ.get("METRICS", "on").lower() != "off")
    # Proxies in front that append to X-Forwarded-For (nginx: 1). The client's address, which budgets wrong
    # keys, is then read from that header; 0 (the default) trusts no header, as a client could forge it.
    trusted_proxies: int = field(default_factory=lambda: _int("TRUSTED_PROXIES", 0))
    # Where each decision is logged as a JSON line: "off", "stdout", or a file path.
    decision_log: str = field(default_factory=lambda: os.environ.get("DECISION_LOG") or "off")
    rules_poll_seconds: float = field(default_factory=lambda: _float("RULES_POLL_SECONDS", 0.5))
    # At start: "adopt" the revision already published (a new pod never publishes an unpublished edit), or
    # "publish" the directory as it stands (one instance, edited and restarted by hand).
    rules_at_start: str = field(default_factory=lambda: _choice("RULES_AT_START", "adopt", ("adopt", "publish")))
    run_dir: Path = field(default_factory=lambda: Path(os.environ.get("RUN_DIR") or Path.cwd() / "run"))
    # Access: keys file (hashes only), AUTH=off only when explicitly asked for, rate limits per key.
    api_keys_file: Path = field(default_factory=lambda: Path(
        os.environ.get("API_KEYS_FILE") or Path(os.environ.get("RUN_DIR") or Path.cwd() / "run") / "api-keys.json"))
    auth_enabled: bool = field(default_factory=lambda: os.environ.get("AUTH", "on").lower() != "off")
    rate_limit: str = field(default_factory=lambda: os.environ.get("RATE_LIMIT") or "1200/minute")
    rate_limit_batch: str = field(default_factory=lambda: os.environ.get("RATE_LIMIT_BATCH") or "60/minute")
    # Wrong keys per client address, counted where the rate limits are; past it, 429. "off" disables.
    auth_failure_limit: str = field(default_factory=lambda: os.environ.get("AUTH_FAILURE_LIMIT") or "20/minute")
    # The console's two helpers (CSV to calls, totals to a chart) need no key: requests per client address.
    console_rate_limit: str = field(default_factory=lambda: os.environ.get("CONSOLE_RATE_LIMIT") or "120/minute")
    # Signed receipts: Ed25519 keys (0600), the current one signing every answer's X-Receipt header.
    receipt_keys_file: Path = field(default_factory=lambda: Path(
        os.environ.get("RECEIPT_KEYS_FILE") or Path(os.environ.get("RUN_DIR") or Path.cwd() / "run") / "receipt-keys.json"))
