"""Sandbox containers on a Docker daemon that other services and replicas share: creating them,
each with uids of its own, and finding and removing them.

A container starts as root with every capability dropped but the four the runner needs to run
code under other identities (SETUID, SETGID, SETPCAP) and to kill it (KILL); no network, a
read-only root, tmpfs mounts owned by its submission uid, System V IPC and POSIX message queues
turned off (they would outlive a job), pids, memory and CPU limits, nothing of the host mounted.

Each container gets a pair of uids, the submission's and the judge's, that no other live
sandbox container on the daemon holds: per-uid kernel limits (RLIMIT_NPROC, pipe buffers,
inotify instances) count per uid across the whole host, so a shared uid would let one
container's fork bomb fail another's correct program. The pair is drawn at random from a range
far above login users and subordinate-id ranges, recorded in a label, and checked against the
labels of every sandbox container after creation: if another service created one with the same
pair meanwhile, this one is removed and another pair drawn (both may yield, never both keep).
"""

from __future__ import annotations

import logging
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import docker
from docker.errors import APIError, NotFound

from reward_service.sandbox.types import SandboxUnavailable

log = logging.getLogger(__name__)

LABEL = "reward_service.sandbox"
OWNER_LABEL = "reward_service.owner"
UID_LABEL = "reward_service.uid"
WORKDIR = "/work"
FIRST_UID = 1_200_000_000
UID_PAIRS = 1 << 24
CAPABILITIES = ["SETUID", "SETGID", "SETPCAP", "KILL"]
# Namespaced per container (its own IPC namespace): no System V segment, semaphore or queue,
# and no POSIX message queue can be made, so none can carry anything to the next job.
SYSCTLS = {
    "kernel.shmmax": "0",
    "kernel.shmall": "0",
    "kernel.msgmni": "0",
    "kernel.sem": "0 0 0 0",
    "fs.mqueue.queues_max": "0",
}
# The judge's processes (tests, checkers) and the runner's own, beyond the submission's.
EXTRA_PROCESSES = 48
EXTRA_MEMORY_MB = 192
SMALL_TMPFS_MB = 16
INODES = 16384


@dataclass(frozen=True)
class ContainerLimits:
    """Per-container ceilings: the most any one request may ask for, plus the runner's share."""

    memory_mb: int
    processes: int
    cpus: float
    workdir_mb: int


Fate = Literal["running", "oom", "stopped", "gone"]


def create_container(
    client: docker.DockerClient, image: str, limits: ContainerLimits, owner: str | None
) -> tuple[str, int]:
    """Create and start a sandbox container with a uid pair of its own: (its id, the
    submission's uid; the judge's is the next)."""
    for _ in range(8):
        uid = FIRST_UID + 2 * secrets.randbelow(UID_PAIRS)
        container = client.containers.create(
            image,
            labels={LABEL: "1", OWNER_LABEL: owner or "", UID_LABEL: str(uid)},
            **_confinement(limits, uid),
        )
        holders = sandbox_containers(client, f"{UID_LABEL}={uid}")
        if any(listed["Id"] != container.id for listed in holders):
            log.info("sandbox uid %d was taken meanwhile; drawing another", uid)
            remove_container(client, container.id)
            continue
        try:
            container.start()
        except APIError:
            remove_container(client, container.id)
            raise
        return container.id, uid
    raise SandboxUnavailable("could not find a sandbox uid that no other container holds")


def _confinement(limits: ContainerLimits, uid: int) -> dict:
    def tmpfs(size_mb: int, *extra: str, mode: str = "0700") -> str:
        options = [
            "rw", "nosuid", "nodev", f"size={size_mb}m", f"nr_inodes={INODES}",
            f"uid={uid}", f"gid={uid}", f"mode={mode}", *extra,
        ]
        return ",".join(options)

    memory = f"{limits.memory_mb + limits.workdir_mb + 2 * SMALL_TMPFS_MB + EXTRA_MEMORY_MB}m"
    return {
        "user": "0:0",
        "network_mode": "none",
        "read_only": True,
        "tmpfs": {
            # `exec` on the work dir only, where compiled binaries must run; searchable by the
            # runner, which looks its built files up by name between runs.
            WORKDIR: tmpfs(limits.workdir_mb, "exec", mode="0711"),
            "/tmp": tmpfs(SMALL_TMPFS_MB, "noexec"),
            "/dev/shm": tmpfs(SMALL_TMPFS_MB, "noexec"),
        },
        "cap_drop": ["ALL"],
        "cap_add": CAPABILITIES,
        "security_opt": ["no-new-privileges"],
        "sysctls": SYSCTLS,
        "pids_limit": limits.processes + EXTRA_PROCESSES,
        "mem_limit": memory,
        "memswap_limit": memory,
        "nano_cpus": int(limits.cpus * 1e9),
        "ipc_mode": "private",
        "environment": {},
    }


def fate(client: docker.DockerClient, container_id: str) -> Fate:
    """Whether a container still runs; if not, whether the memory cgroup's OOM killer ended
    it (the code in it did that) or something else stopped or removed it."""
    try:
        state = client.api.inspect_container(container_id)["State"]
    except NotFound:
        return "gone"
    if state.get("Running"):
        return "running"
    return "oom" if state.get("OOMKilled") else "stopped"


def owner_id(pid: int) -> str | None:
    """`host/pid/start-time` of a live process; None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    start_time = stat.rsplit(")", 1)[1].split()[19]
    return f"{socket.gethostname()}/{pid}/{start_time}"


def sandbox_containers(
    client: docker.DockerClient, *labels: str, status: tuple[str, ...] = ()
) -> list[dict]:
    """Sandbox containers as the daemon lists them, in one call: `containers.list` inspects
    each one afterwards and fails when another service removes one in between."""
    filters: dict[str, list[str]] = {"label": [LABEL, *labels]}
    if status:
        filters["status"] = list(status)
    return client.api.containers(all=True, filters=filters)


def remove_container(client: docker.DockerClient, container_id: str) -> None:
    """Force-remove a container; one already gone, or being removed by another service, is fine."""
    try:
        client.api.remove_container(container_id, force=True)
    except NotFound:
        pass
    except APIError as exc:
        if exc.status_code != 409 or "already in progress" not in str(exc.explanation):
            raise


def reap_orphans(client: docker.DockerClient) -> int:
    """Remove sandbox containers whose owning service, on this host, is no longer running."""
    host = socket.gethostname()
    orphans = []
    for listed in sandbox_containers(client):
        owner = (listed["Labels"] or {}).get(OWNER_LABEL, "")
        owner_host, _, rest = owner.partition("/")
        pid = rest.partition("/")[0]
        unowned = not owner
        if unowned or (owner_host == host and (not pid.isdigit() or owner_id(int(pid)) != owner)):
            orphans.append(listed["Id"])
    for container_id in orphans:
        remove_container(client, container_id)
    if orphans:
        log.warning("removed %d orphaned sandbox containers", len(orphans))
    return len(orphans)
