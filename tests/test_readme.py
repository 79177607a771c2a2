"""The README's example request gets exactly the response the README shows."""

from __future__ import annotations

import json
import re
from pathlib import Path

README = (Path(__file__).parent.parent / "README.md").read_text()


def test_readme_curl_example_matches_the_live_service(client):
    request_body = re.search(r"curl -s localhost:8000/v1/score .*?-d '(.*?)'\n", README, re.S)
    shown_response = re.search(r"```json\n(.*?)```", README, re.S)
    assert request_body and shown_response
    reply = client.post("/v1/score", json=json.loads(request_body.group(1)))
    assert reply.json() == json.loads(shown_response.group(1))


def test_readme_lists_the_two_commands():
    assert "pip install -e . && reward-service serve" in README
    assert "\nbash scripts/test\n" in README


def test_ci_runs_the_readmes_test_command():
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text()
    assert "bash scripts/test" in ci
