"""The rate limits' counters in the Redis REDIS_URL names: one server, a cluster or a sentinel-managed primary.

limits has storages of its own for each kind, but they connect as they are made (a
cluster that is away at start would fail the start) and read the URL their own way
(no database after a sentinel service name). This one is limits' Redis storage over
the client every other Redis call uses: same URL forms, same timeouts, connected on
first use. Each counter is one key, so it works unchanged on a cluster.
"""

from __future__ import annotations

from limits.storage import RedisStorage
from limits.storage.base import Storage

from .connect import REDIS_ERRORS, redis_client

SCHEME = "incentive+redis"


class SharedRedisStorage(RedisStorage):
    STORAGE_SCHEME = [SCHEME]  # registered with limits when this module is imported

    def __init__(self, uri: str, key_prefix: str = RedisStorage.PREFIX, wrap_exceptions: bool = False, *,
                 redis_url: str, timeout: float, **_options):
        Storage.__init__(self, uri, wrap_exceptions=wrap_exceptions)
        self.key_prefix = key_prefix
        self.target_server = "redis"
        self.dependency = self.dependencies["redis"].module
        self.storage = redis_client(redis_url, timeout)
        self.initialize_storage(uri)

    @property
    def base_exceptions(self):
        return REDIS_ERRORS


def storage_for(redis_url: str | None, timeout: float) -> tuple[str, dict]:
    """(storage URI, storage options) for flask-limiter and limits: memory without Redis."""
    if not redis_url:
        return "memory://", {}
    return f"{SCHEME}://", {"redis_url": redis_url, "timeout": timeout}
