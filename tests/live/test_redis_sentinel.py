"""A primary found through a real Sentinel (redis-server --sentinel, the shipped binary) on 127.0.0.1."""

import subprocess

import pytest
import redis

from incentive_api.adapters.processes import die_with_parent
from incentive_api.adapters.redis.embedded import find_redis_server
from incentive_api.adapters.redis.store import RedisStore
from support.cluster import HOST, cluster_ports, wait


@pytest.fixture
def sentinel(tmp_path):
    binary = find_redis_server()
    primary_port, sentinel_port = cluster_ports(2)
    conf = tmp_path / "sentinel.conf"  # sentinel rewrites its configuration file: it must be writable
    conf.write_text(f"port {sentinel_port}\nbind {HOST}\ndir {tmp_path}\n"
                    f"sentinel monitor cache {HOST} {primary_port} 1\n")
    procs = [subprocess.Popen([binary, "--port", str(primary_port), "--bind", HOST, "--save", "", "--dir", str(tmp_path)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                              preexec_fn=die_with_parent),
             subprocess.Popen([binary, str(conf), "--sentinel"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True, preexec_fn=die_with_parent)]
    try:
        probe = redis.Redis(host=HOST, port=sentinel_port, socket_timeout=1)
        wait(lambda: probe.execute_command("SENTINEL", "get-master-addr-by-name", "cache"), 10, "sentinel to watch")
        yield {"url": f"redis+sentinel://{HOST}:{sentinel_port}/cache/2", "primary": primary_port}
    finally:
        for proc in procs:
            proc.kill()
        for proc in procs:
            proc.wait(timeout=5)


def test_the_store_reaches_the_primary_sentinel_names(sentinel):
    store = RedisStore(sentinel["url"], timeout=0.5)
    store.set("incentive:answer:x", b"answer")
    assert store.get("incentive:answer:x") == b"answer"
    direct = redis.Redis(host=HOST, port=sentinel["primary"], db=2, socket_timeout=1)
    assert direct.get("incentive:answer:x") == b"answer"  # in the database the URL names
