"""Hostile programs, each contained: the item scores 0 (or its honest verdict), the service stays
healthy, the next submission runs normally, and the host is untouched."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import docker
import pytest

from reward_service.sandbox.containers import OWNER_LABEL, owner_id, sandbox_containers
from tests.sandbox.helpers import ADD_PY, add_cases, code_item, score_one

pytestmark = pytest.mark.docker

ONE_CASE = [{"stdin": "", "stdout": "contained\n"}]

PYTHON_ATTACKS = {
    "fork-bomb": "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass",
    "memory-bomb": "blocks = []\nwhile True:\n    blocks.append(bytearray(50 * 1024 * 1024))",
    "ten-gigabytes": "x = bytearray(10 * 1024 ** 3)\nprint('contained')",
    "busy-loop": "while True:\n    pass",
    "sleep-past-limit": "import time\ntime.sleep(60)\nprint('contained')",
    "output-flood": "import sys\nwhile True:\n    sys.stdout.write('A' * 65536)",
    "stderr-flood": "import sys\nwhile True:\n    sys.stderr.write('E' * 65536)",
    "disk-flood": "with open('/work/big', 'wb') as f:\n    while True:\n        f.write(b'0' * 1048576)",
    "network": (
        "import socket\n"
        "for host in ('1.1.1.1', '8.8.8.8', '172.17.0.1'):\n"
        "    try:\n"
        "        socket.create_connection((host, 53), timeout=1)\n"
        "        print('connected')\n"
        "    except OSError:\n"
        "        pass"
    ),
    "system-paths": (
        "import os\n"
        "for path in ('/etc/passwd', '/usr/bin/python3', '/opt/reward/runner.py', '/bin/sh'):\n"
        "    try:\n"
        "        open(path, 'a').write('pwned')\n"
        "        print('wrote', path)\n"
        "    except OSError:\n"
        "        pass"
    ),
    "docker-socket": (
        "import os, socket\n"
        "for path in ('/var/run/docker.sock', '/run/docker.sock'):\n"
        "    if os.path.exists(path):\n"
        "        print('socket', path)"
    ),
    "root": "import os\nprint('root' if os.getuid() == 0 or os.geteuid() == 0 else 'user')",
    "capabilities": (
        "status = open('/proc/self/status').read()\n"
        "caps = [l for l in status.splitlines() if l.startswith(('CapEff', 'CapPrm', 'CapBnd'))]\n"
        "print('caps' if any(int(l.split()[1], 16) for l in caps) else 'none')"
    ),
    "kill-pid-1": "import os, signal\nos.kill(1, signal.SIGKILL)\nos.kill(-1, signal.SIGKILL)",
    "kill-the-runner": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)",
    "forge-the-report": (
        "import json, os\n"
        "fake = json.dumps({'compile': None, 'runs': []})\n"
        "open(f'/proc/{os.getppid()}/fd/1', 'w').write(fake)"
    ),
    "read-the-runner-memory": "import os\nprint(open(f'/proc/{os.getppid()}/environ').read())",
    "setuid": "import os\nos.setuid(0)\nprint('contained')",
}

CPP_ATTACKS = {
    "cpp-fork-bomb": "#include <unistd.h>\nint main() { while (true) fork(); }",
    "cpp-memory-bomb": (
        "#include <cstdlib>\n#include <cstring>\n"
        "int main() { while (true) { char* p = (char*)malloc(1 << 26); if (p) memset(p, 1, 1 << 26); } }"
    ),
    "cpp-ten-gigabytes": (
        "#include <vector>\n#include <iostream>\n"
        "int main() { std::vector<char> v(10ull << 30, 1); std::cout << v[5] << std::endl; }"
    ),
}


def owned_by(serving) -> str:
    return f"{OWNER_LABEL}={owner_id(serving.process.pid)}"


def _assert_still_serving(client) -> None:
    assert client.get("/health").status_code == 200
    follow_up = score_one(client, code_item(ADD_PY, cases=add_cases()))
    assert follow_up["scores"]["accuracy"] == 1.0, follow_up["details"]


@pytest.mark.parametrize("name", sorted(PYTHON_ATTACKS))
def test_python_attack_is_contained(client, name):
    result = score_one(client, code_item(PYTHON_ATTACKS[name], cases=ONE_CASE, timeout_s=2))
    assert result["scores"]["accuracy"] == 0.0, result["details"]
    assert result["details"]["status"] == "scored"
    _assert_still_serving(client)


@pytest.mark.parametrize("name", sorted(CPP_ATTACKS))
def test_cpp_attack_is_contained(client, name):
    item = code_item(CPP_ATTACKS[name], "cpp", cases=ONE_CASE, timeout_s=2)
    result = score_one(client, item)
    assert result["scores"]["accuracy"] == 0.0, result["details"]
    _assert_still_serving(client)


def test_files_written_in_the_sandbox_do_not_appear_on_the_host(client):
    marker = f"reward-sandbox-marker-{uuid.uuid4().hex}"
    code = (
        "import os\n"
        f"for directory in ('/tmp', '/work', '/var/tmp', '/dev/shm', os.path.expanduser('~')):\n"
        "    try:\n"
        f"        open(os.path.join(directory, '{marker}'), 'w').write('x')\n"
        "    except OSError:\n"
        "        pass\n"
        "print('contained')"
    )
    score_one(client, code_item(code, cases=ONE_CASE))
    for directory in ("/tmp", "/var/tmp", "/dev/shm", str(Path.home()), os.getcwd()):
        assert not (Path(directory) / marker).exists()


def test_processes_left_behind_do_not_survive_into_the_next_run(client):
    daemon = (
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        "        time.sleep(3)\n"
        "        open('/work/daemon-was-here', 'w').write('x')\n"
        "        time.sleep(600)\n"
        "    os._exit(0)\n"
        "print('contained')"
    )
    spy = (
        "import os, time\n"
        "time.sleep(3.5)\n"
        "mine = [p for p in os.listdir('/proc') if p.isdigit() and int(p) not in (1, os.getpid(), os.getppid())]\n"
        "print('clean' if not mine and not os.path.exists('/work/daemon-was-here') else 'dirty')"
    )
    first = score_one(client, code_item(daemon, cases=ONE_CASE))
    assert first["scores"]["accuracy"] == 1.0, first["details"]
    # Run the spy many times so it lands in the container the daemon ran in, whichever it was.
    for _ in range(2):
        spied = score_one(client, code_item(spy, cases=[{"stdin": "", "stdout": "clean\n"}]))
        assert spied["scores"]["accuracy"] == 1.0, spied["details"]


def test_the_pool_refills_to_its_size_and_leaves_no_stray_containers(serving, client):
    score_one(client, code_item(PYTHON_ATTACKS["kill-the-runner"], cases=ONE_CASE))
    _assert_still_serving(client)
    deadline = time.monotonic() + 20
    while True:
        # Listed in one call: a container removed mid-listing must not raise NotFound.
        states = [c["State"] for c in sandbox_containers(docker.from_env(), owned_by(serving))]
        if states == ["running", "running"]:
            break
        assert time.monotonic() < deadline, states
        time.sleep(0.2)
