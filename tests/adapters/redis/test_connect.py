"""REDIS_URL forms: one server, cluster seed nodes, a sentinel-managed primary; and what is refused."""

import os

import pytest
from redis.sentinel import SentinelConnectionPool

from incentive_api.adapters.redis.connect import CLUSTER, SENTINEL, SERVER, LazyCluster, parse_redis_url, redis_client


def test_one_server_urls_are_left_to_redis_py():
    for url in ("redis://127.0.0.1:6379/2", "rediss://cache:6380", "unix:///run/redis.sock?db=1"):
        assert parse_redis_url(url).kind == SERVER


def test_a_cluster_url_names_its_seed_nodes():
    target = parse_redis_url("redis+cluster://app:s%40cret@10.0.0.1:7000, 10.0.0.2:7001,[::1]:7002")
    assert (target.kind, target.tls) == (CLUSTER, False)
    assert target.nodes == (("10.0.0.1", 7000), ("10.0.0.2", 7001), ("::1", 7002))
    assert (target.username, target.password) == ("app", "s@cret")
    assert parse_redis_url("rediss+cluster://h:1").tls


def test_a_sentinel_url_names_sentinels_service_and_database():
    target = parse_redis_url("redis+sentinel://:pw@s1:26379,s2:26379/mymaster/3")
    assert (target.kind, target.nodes, target.service, target.db, target.password) == (
        SENTINEL, (("s1", 26379), ("s2", 26379)), "mymaster", 3, "pw")
    assert parse_redis_url("redis+sentinel://s1:26379/mymaster").db == 0


@pytest.mark.parametrize("url", [
    "http://cache:6379", "redis+cluster://", "redis+cluster://host", "redis+cluster://h:1/2",
    "redis+sentinel://s1:26379", "redis+sentinel://s1:26379/svc/x", "redis+sentinel://s1:26379/a/1/2",
])
def test_malformed_urls_are_refused_with_the_reason(url):
    with pytest.raises(ValueError, match="REDIS_URL"):
        parse_redis_url(url)


def test_clients_connect_on_first_use_not_when_made():
    assert isinstance(redis_client("redis+cluster://127.0.0.1:1", 0.05), LazyCluster)
    primary = redis_client("redis+sentinel://127.0.0.1:1/svc/2", 0.05)
    pool = primary.connection_pool
    assert isinstance(pool, SentinelConnectionPool) and pool.service_name == "svc"
    assert pool.connection_kwargs["db"] == 2


def test_a_forked_worker_makes_its_own_cluster_client():
    # redis-py's RedisCluster holds locks and sockets that a fork copies as they are (a lock held by another
    # thread at that moment stays held for good): a worker must never use the one the master made.
    made = []
    cluster = LazyCluster(lambda: made.append(object()) or made[-1])
    in_master = cluster.connected()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: report whether it got the master's client, then leave at once
        try:
            os.write(write, b"own" if cluster.connected() is not in_master else b"inherited")
        finally:
            os._exit(0)
    os.close(write)
    try:
        assert os.read(read, 16) == b"own"
    finally:
        os.close(read)
        os.waitpid(pid, 0)
    assert cluster.connected() is in_master  # the master keeps its own


@pytest.mark.parametrize("url", [
    "redis+sentinel://app:hunter2@s1:26379", "redis+cluster://:hunter2@h:1/0", "redis+cluster://:hunter2@h:x",
    "redis+clusters://app:hunter2@h:1",
])
def test_a_refused_url_is_named_without_its_password(url):
    # The message stops the start and lands in the logs: the operator sees the URL, not the secret in it.
    with pytest.raises(ValueError, match="REDIS_URL") as refused:
        parse_redis_url(url)
    assert "hunter2" not in str(refused.value) and "***" in str(refused.value)
