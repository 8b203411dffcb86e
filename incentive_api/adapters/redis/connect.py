"""Redis clients from REDIS_URL: one server, a Redis Cluster, or a primary found through Sentinel.

    redis://[user:password@]host:port[/db]   rediss://...   unix:///path/redis.sock[?db=N]
    redis+cluster://[user:password@]host:port[,host:port...]          (rediss+cluster:// for TLS)
    redis+sentinel://[user:password@]host:port[,host:port...]/service_name[/db]   (rediss+sentinel://)

A cluster URL names seed nodes: any reachable one tells the client the rest, and
the client follows failovers and slot moves by itself. A sentinel URL names the
sentinels and the service they watch; the user and password are the primary's.
Every client is built with redis-py's own classes and the same short timeouts.
"""

from __future__ import annotations

import os
import threading
import urllib.parse
from dataclasses import dataclass

import redis
from redis.backoff import NoBackoff
from redis.cluster import ClusterNode, RedisCluster
from redis.commands.core import Script
from redis.connection import Encoder
from redis.exceptions import RedisClusterException
from redis.retry import Retry
from redis.sentinel import Sentinel

# What a Redis call may raise when the server, a cluster node or a sentinel is away. redis-py's cluster
# errors about slot coverage are not RedisErrors.
REDIS_ERRORS = (redis.RedisError, RedisClusterException, OSError)
SERVER, CLUSTER, SENTINEL = "server", "cluster", "sentinel"
_SCHEMES = {"redis": (SERVER, False), "rediss": (SERVER, True), "unix": (SERVER, False),
            "redis+cluster": (CLUSTER, False), "rediss+cluster": (CLUSTER, True),
            "redis+sentinel": (SENTINEL, False), "rediss+sentinel": (SENTINEL, True)}


@dataclass(frozen=True)
class RedisTarget:
    kind: str  # SERVER, CLUSTER or SENTINEL
    url: str
    tls: bool = False
    nodes: tuple[tuple[str, int], ...] = ()  # cluster seeds or sentinels
    service: str | None = None
    db: int = 0
    username: str | None = None
    password: str | None = None


def parse_redis_url(url: str) -> RedisTarget:
    """What REDIS_URL names; ValueError saying what is wrong with it."""
    scheme = url.partition("://")[0].lower()
    if scheme not in _SCHEMES or "://" not in url:
        raise ValueError(f"REDIS_URL must start with one of {', '.join(s + '://' for s in _SCHEMES)}; "
                         f"got {_shown(url)!r}")
    kind, tls = _SCHEMES[scheme]
    if kind == SERVER:
        return RedisTarget(SERVER, url, tls)
    parsed = urllib.parse.urlsplit(url)
    credentials, _, hosts = parsed.netloc.rpartition("@")
    user, _, password = credentials.partition(":")
    nodes = tuple(_host_port(h, url) for h in hosts.split(",") if h.strip())
    if not nodes:
        raise ValueError(f"REDIS_URL names no host:port: {_shown(url)!r}")
    common = {"tls": tls, "nodes": nodes, "username": urllib.parse.unquote(user) or None,
              "password": urllib.parse.unquote(password) or None}
    path = [p for p in parsed.path.split("/") if p]
    if kind == CLUSTER:
        if path:  # a cluster has one database: a /db would silently mean nothing
            raise ValueError(f"a cluster REDIS_URL takes no /path (a cluster has only database 0): {_shown(url)!r}")
        return RedisTarget(CLUSTER, url, **common)
    if not path or len(path) > 2 or (len(path) == 2 and not path[1].isdigit()):
        raise ValueError(f"a sentinel REDIS_URL ends with /service_name or /service_name/db: {_shown(url)!r}")
    return RedisTarget(SENTINEL, url, service=path[0], db=int(path[1]) if len(path) == 2 else 0, **common)


def _host_port(text: str, url: str) -> tuple[str, int]:
    host, _, port = text.strip().rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"REDIS_URL: {text.strip()!r} is not host:port in {_shown(url)!r}")
    return host.strip("[]"), int(port)


def _shown(url: str) -> str:
    """`url` as an error message may show it: the password, which would reach the logs, masked."""
    scheme, sep, rest = url.partition("://")
    netloc, slash, path = rest.partition("/")
    credentials, at, hosts = netloc.rpartition("@")
    if not at:
        return url
    user, colon, _password = credentials.partition(":")
    return f"{scheme}{sep}{user + ':***' if colon else '***'}@{hosts}{slash}{path}"


def redis_client(url: str, timeout: float, retries: int = 0):
    """A client for REDIS_URL whose every command gives up after `timeout` seconds. Nothing is connected
    here: a Redis that is away when the service starts is only a cache missing, never a failed start."""
    target = parse_redis_url(url)
    socket = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
    if target.kind == SERVER:
        return redis.Redis.from_url(url, retry=Retry(NoBackoff(), retries), retry_on_error=[],
                                    health_check_interval=0, **socket)
    auth = {"username": target.username, "password": target.password}
    if target.kind == SENTINEL:
        sentinels = Sentinel(list(target.nodes), sentinel_kwargs={**socket, "ssl": target.tls}, **socket)
        return sentinels.master_for(target.service, db=target.db, ssl=target.tls,
                                    retry=Retry(NoBackoff(), retries), **auth)
    # One retry at least: after a failover the first command to a moved slot is redirected (MOVED), and
    # the retry follows the redirect instead of reporting an outage.
    return LazyCluster(lambda: RedisCluster(
        startup_nodes=[ClusterNode(host, port) for host, port in target.nodes], ssl=target.tls,
        require_full_coverage=False, retry=Retry(NoBackoff(), max(1, retries)), **auth, **socket))


class LazyCluster:
    """A RedisCluster made on first use. redis-py's RedisCluster asks a seed node for the slot map as it is
    made, so making it at start would fail the start while the cluster is away; this waits for a call.

    MGET here is per slot (`mget_nonatomic`: one MGET per slot, one round trip per node), because a cluster
    refuses one MGET whose keys lie in different slots, and answer keys are spread over every slot."""

    def __init__(self, build):
        self._build = build
        self._forked()
        os.register_at_fork(after_in_child=self._forked)

    def _forked(self) -> None:
        # A forked worker makes its own client: the master's RedisCluster holds locks (its slot map's) that
        # a fork copies as they are, so one held by the master's rules poller at that moment would stay held
        # for good. Its sockets are left alone: closing them here would close them under the master.
        self._client: RedisCluster | None = None
        self._lock = threading.Lock()

    def connected(self) -> RedisCluster:
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    try:
                        self._client = self._build()
                    except RedisClusterException as exc:  # no seed answered: an outage like any other
                        raise redis.ConnectionError(str(exc)) from None
                client = self._client
        return client

    def mget(self, keys, *more):
        return self.connected().mget_nonatomic(keys, *more)

    # Scripts (the rate limits' counters) are registered before any connection: their hash needs no server.
    def get_encoder(self) -> Encoder:
        return Encoder(encoding="utf-8", encoding_errors="strict", decode_responses=False)

    def register_script(self, script) -> Script:
        return Script(self, script)

    def __getattr__(self, name):
        return getattr(self.connected(), name)
