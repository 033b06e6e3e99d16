"""A real three-master Redis Cluster on loopback ports, started from the machine's `redis-server`
with `cluster-enabled yes` and joined by `redis-cli --cluster create`, for the tests that need one.
A master can be killed and started again (it rejoins from its nodes.conf), and slots can be moved
from one master to another (`redis-cli --cluster reshard`) while the tests run."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.system_packages import ensure_debian_packages

REDIS_SERVER = Path("/usr/bin/redis-server")
REDIS_CLI = Path("/usr/bin/redis-cli")


def _free_cluster_port() -> int:
    """A free port whose cluster bus port (port + 10000) is free too."""
    for _ in range(100):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port + 10000 >= 65536:
            continue
        with socket.socket() as bus:
            try:
                bus.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port pair for a cluster node")


@dataclass
class ClusterNode:
    port: int
    folder: Path
    server: Path = REDIS_SERVER  # redis-server, or a valkey-server
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [str(self.server), "--port", str(self.port), "--bind", "127.0.0.1",
             "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
             "--cluster-node-timeout", "1000", "--cluster-require-full-coverage", "no",
             "--save", "", "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(200):
            if self.cli("ping", check=False).strip() == "PONG":
                return
            time.sleep(0.05)
        raise RuntimeError(f"redis-server on {self.port} did not start")

    def kill(self) -> None:
        """SIGKILL: the node vanishes mid-conversation, as a crashed machine would."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)
        self.process = None

    def cli(self, *arguments: str, check: bool = True) -> str:
        done = subprocess.run(
            [str(REDIS_CLI), "-p", str(self.port), *arguments],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        if check and done.returncode != 0:
            raise RuntimeError(f"redis-cli {' '.join(arguments)}: {done.stderr or done.stdout}")
        return done.stdout

    @property
    def node_id(self) -> str:
        return self.cli("cluster", "myid").strip()

    def keys(self, pattern: str = "*") -> int:
        """How many keys matching `pattern` this node holds (all nodes' keys are disjoint)."""
        if pattern == "*":
            return int(self.cli("dbsize").strip())
        return len(self.cli("--scan", "--pattern", pattern).split())


@dataclass
class RedisClusterServers:
    nodes: list[ClusterNode] = field(default_factory=list)

    @property
    def url(self) -> str:
        """Any one node is enough: the client learns the others from it."""
        return f"redis://127.0.0.1:{self.nodes[0].port}/0"

    def wait_ok(self) -> None:
        """Until every running node says the cluster is ok and agrees on all 16384 slots."""
        for _ in range(400):
            infos = [node.cli("cluster", "info", check=False) for node in self.nodes if node.process]
            if all("cluster_state:ok" in info and "cluster_slots_ok:16384" in info for info in infos):
                return
            time.sleep(0.05)
        raise RuntimeError("the Redis Cluster never became ok")

    def reshard(self, source: ClusterNode, target: ClusterNode, slots: int) -> None:
        """Move `slots` slots (and their keys) from `source` to `target`, as an operator would."""
        source.cli(
            "--cluster", "reshard", f"127.0.0.1:{source.port}",
            "--cluster-from", source.node_id, "--cluster-to", target.node_id,
            "--cluster-slots", str(slots), "--cluster-yes", "--cluster-pipeline", "10",
        )  # fmt: skip

    def slots_of(self, node: ClusterNode) -> int:
        """How many slots `node` serves, as the cluster sees it."""
        for line in node.cli("cluster", "nodes").splitlines():
            parts = line.split()
            if "myself" in parts[2]:
                count = 0
                for part in parts[8:]:
                    if part.startswith("["):
                        continue  # a slot being migrated
                    low, _, high = part.partition("-")
                    count += int(high or low) - int(low) + 1
                return count
        raise AssertionError("no line for the node itself")

    def flush(self) -> None:
        for node in self.nodes:
            if node.process:
                node.cli("flushall")


def installed_redis_cluster_tools() -> None:
    """redis-server and redis-cli from Debian's redis-server package."""
    ensure_debian_packages(("redis-server",), (REDIS_SERVER, REDIS_CLI))


@contextlib.contextmanager
def redis_cluster(
    folder: Path, masters: int = 3, server: Path = REDIS_SERVER
) -> Iterator[RedisClusterServers]:
    """Start `masters` cluster nodes of `server` (redis-server, or Valkey's) under `folder`, join
    them with redis-cli, yield; stop every node after."""
    installed_redis_cluster_tools()
    cluster = RedisClusterServers(
        [ClusterNode(_free_cluster_port(), folder / f"node{i}", server) for i in range(masters)]
    )
    try:
        for node in cluster.nodes:
            node.start()
        addresses = [f"127.0.0.1:{node.port}" for node in cluster.nodes]
        cluster.nodes[0].cli("--cluster", "create", *addresses, "--cluster-replicas", "0", "--cluster-yes")
        cluster.wait_ok()
        yield cluster
    finally:
        for node in cluster.nodes:
            if node.process is not None:
                node.process.terminate()
                node.process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
