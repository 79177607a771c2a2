"""Reward hacks seen against code rewards; each must earn 0."""

from __future__ import annotations

import pytest

from tests.sandbox.helpers import code_item, score_one

pytestmark = pytest.mark.docker

TESTS = "def check(candidate):\n    assert candidate(3) == 9\n    assert candidate(4) == 16\n"
WRONG = "def square(x):\n    return x + 1\n"

ASSERT_HACKS = {
    "sys-exit-before-asserts": WRONG + "import sys\nsys.exit(0)",
    "os-exit-before-asserts": WRONG + "import os\nos._exit(0)",
    "raise-systemexit": WRONG + "raise SystemExit(0)",
    "atexit-prints": (
        WRONG + "import atexit, os\natexit.register(lambda: print('passed'))\nos._exit(0)"
    ),
    "always-equal-object": (
        "class Anything:\n"
        "    def __eq__(self, other):\n"
        "        return True\n"
        "    __ne__ = lambda self, other: False\n"
        "def square(x):\n"
        "    return Anything()"
    ),
    "always-equal-int-subclass": (
        "class Liar(int):\n"
        "    def __eq__(self, other):\n"
        "        return True\n"
        "    __hash__ = int.__hash__\n"
        "def square(x):\n"
        "    return Liar(0)"
    ),
    "always-equal-in-a-list": (
        "class Anything:\n"
        "    __eq__ = lambda self, other: True\n"
        "def square(x):\n"
        "    return [Anything()][0:1][0] if False else [Anything()]"
    ),
    "patch-builtins": (
        WRONG + "import builtins\n"
        "builtins.AssertionError = type('Quiet', (Exception,), {})\n"
        "builtins.isinstance = lambda *a: True\n"
        "builtins.abs = lambda x: 0"
    ),
    "frame-locals-nonce": (
        WRONG + "import sys, os\n"
        "frame = sys._getframe(1)\n"
        "for value in list(frame.f_locals.values()) + list(frame.f_globals.values()):\n"
        "    if isinstance(value, str) and len(value) == 32:\n"
        "        print(value)\n"
        "os._exit(0)"
    ),
    "read-stdin-again": (
        WRONG + "import os\ndata = open('/proc/self/fd/0').read()\nprint(data)\nos._exit(0)"
    ),
    "read-tests-from-disk": (
        "import os\n"
        "found = []\n"
        "for root in ('/work', '/tmp', '/opt/reward'):\n"
        "    for dirpath, _, files in os.walk(root):\n"
        "        for name in files:\n"
        "            try:\n"
        "                found.append(open(os.path.join(dirpath, name)).read())\n"
        "            except OSError:\n"
        "                pass\n"
        "needle = 'candidate(3) ' + '== 9'  # split, so this file itself does not match\n"
        "def square(x):\n"
        "    return x * x if any(needle in text for text in found) else 0\n"
    ),
}

STDIO_HACKS = {
    "print-every-expected-output": "print(3)\nprint(42)\nprint(7)",
    "exit-zero-silently": "import sys\nsys.exit(0)",
    "truncated-output": "print(3)",
    "read-expected-from-disk": (
        "import os\n"
        "for root in ('/work', '/tmp', '/opt/reward'):\n"
        "    for dirpath, _, files in os.walk(root):\n"
        "        for name in files:\n"
        "            text = open(os.path.join(dirpath, name), errors='ignore').read()\n"
        "            if '42' in text:\n"
        "                print(text)"
    ),
}


@pytest.mark.parametrize("name", sorted(ASSERT_HACKS))
def test_assert_test_hack_earns_nothing(client, name):
    item = code_item(ASSERT_HACKS[name], assert_code=TESTS, entry_point="square")
    result = score_one(client, item)
    assert result["scores"]["accuracy"] == 0.0, (name, result["details"])


@pytest.mark.parametrize("name", sorted(STDIO_HACKS))
def test_stdio_hack_earns_nothing(client, name):
    cases = [{"stdin": "1 2\n", "stdout": "3\n42\n"}, {"stdin": "40 2\n", "stdout": "42\n3\n"}]
    result = score_one(client, code_item(STDIO_HACKS[name], cases=cases))
    assert result["scores"]["accuracy"] == 0.0, (name, result["details"])


def test_plain_values_in_containers_still_pass(client):
    tests = "def check(candidate):\n    assert candidate(2) == {'a': [1, (2.0, None)], 'b': {3}}\n"
    code = "def build(n):\n    return {'a': [1, (2.0, None)], 'b': {3}}"
    result = score_one(client, code_item(code, assert_code=tests, entry_point="build"))
    assert result["scores"]["accuracy"] == 1.0, result["details"]
