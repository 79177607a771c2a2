"""The CLI parses options into Settings and hands them to the library; no server starts."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from reward_service import cli


@pytest.fixture
def served(monkeypatch):
    calls = []
    monkeypatch.setattr(cli, "run_server", lambda app, settings: calls.append(settings))
    return calls


def test_serve_flags_become_settings(served):
    result = CliRunner().invoke(
        cli.main,
        ["serve", "--host", "0.0.0.0", "--port", "9001", "--workers", "3", "--item-timeout", "2.5"],
    )
    assert result.exit_code == 0, result.output
    (settings,) = served
    assert (settings.server.host, settings.server.port) == ("0.0.0.0", 9001)
    assert (settings.workers.processes, settings.workers.item_timeout_s) == (3, 2.5)


def test_environment_fills_what_flags_leave_out_and_flags_win(served, monkeypatch):
    monkeypatch.setenv("REWARD_SERVER__PORT", "7000")
    monkeypatch.setenv("REWARD_WORKERS__PROCESSES", "5")
    result = CliRunner().invoke(cli.main, ["serve", "--workers", "1"])
    assert result.exit_code == 0, result.output
    (settings,) = served
    assert settings.server.port == 7000
    assert settings.workers.processes == 1


@pytest.mark.parametrize(
    "args",
    [["serve", "--workers", "0"], ["serve", "--item-timeout", "0"], ["serve", "--port", "70000"]],
)
def test_invalid_values_exit_with_a_clear_message(served, args):
    result = CliRunner().invoke(cli.main, args)
    assert result.exit_code == cli.EXIT_BAD_CONFIG
    assert "invalid setting" in result.output
    assert served == []


def test_help_explains_every_option():
    result = CliRunner().invoke(cli.main, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--workers", "--item-timeout", "--log-level"):
        assert option in result.output
    assert "[default:" in result.output


def test_sandbox_flag_selects_the_backend(served):
    result = CliRunner().invoke(cli.main, ["serve", "--sandbox", "local"])
    assert result.exit_code == 0, result.output
    assert served[0].sandbox.backend == "local"


@pytest.mark.docker
def test_sandbox_build_is_idempotent_and_says_what_it_does():
    from reward_service.sandbox.images import sandbox_image

    result = CliRunner().invoke(cli.main, ["sandbox", "build"])
    assert result.exit_code == 0, result.output
    assert "base image reward-sandbox-base:bookworm: present" in result.output
    assert f"sandbox image {sandbox_image()}: present" in result.output
    assert result.output.strip().endswith(f"ready: {sandbox_image()}")


def test_sandbox_build_without_docker_fails_loudly(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    result = CliRunner().invoke(cli.main, ["sandbox", "build"])
    assert result.exit_code == cli.EXIT_BUILD_FAILED
    assert "`docker` is not installed" in result.output


def test_sandbox_serve_flags_become_settings(served):
    result = CliRunner().invoke(
        cli.main, ["sandbox", "serve", "--host", "0.0.0.0", "--port", "8001"]
    )
    assert result.exit_code == 0, result.output
    (settings,) = served
    assert (settings.server.host, settings.server.port) == ("0.0.0.0", 8001)


def test_the_service_image_needs_a_checkout(monkeypatch, tmp_path):
    from reward_service import service_image

    monkeypatch.setattr(service_image, "PROJECT_ROOT", tmp_path)
    result = CliRunner().invoke(cli.main, ["sandbox", "build", "--service"])
    assert result.exit_code == cli.EXIT_BUILD_FAILED
    assert "built from a checkout" in result.output


def test_plain_serve_never_imports_ray():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from reward_service import cli\n"
        "cli.run_server = lambda app, settings: None\n"
        "assert CliRunner().invoke(cli.main, ['serve']).exit_code == 0\n"
        "assert 'ray' not in sys.modules, 'ray was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_ray_options_are_checked(served):
    result = CliRunner().invoke(cli.main, ["serve", "--ray", "--autoscaling", "{not json"])
    assert result.exit_code == cli.EXIT_BAD_CONFIG
    assert "invalid setting" in result.output
