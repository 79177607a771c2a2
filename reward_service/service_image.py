"""The service image that docker-compose.yml runs, built offline.

No registry is reachable and the build itself has no network: the project and its dependencies
are made into wheels on the host (for the base image's Python and glibc, whatever the host
runs), then installed from them onto the debootstrapped base image (`Dockerfile` at the root).
"""

from __future__ import annotations

import platform
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from reward_service.sandbox.images import (
    SERVICE_BASE,
    ImageBuildError,
    build_images,
    ensure_base,
    run_logged,
)

SERVICE_IMAGE = "reward-service:latest"
PROJECT_ROOT = Path(__file__).resolve().parents[1]
# What the base image (Debian bookworm) runs: wheels must suit it, not the host.
BASE_PYTHON = "3.11"
BASE_GLIBC_MINOR = 36
_NOT_SOURCE = (".git", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".venv")


def build_service_image(echo: Callable[[str], None] = print) -> str:
    """Build the sandbox images (for the sandbox service) and the service base if missing,
    then the service image; return its tag."""
    if not (PROJECT_ROOT / "pyproject.toml").exists() or not (PROJECT_ROOT / "Dockerfile").exists():
        raise ImageBuildError(
            f"the service image is built from a checkout of the project ({PROJECT_ROOT} is not "
            "one): clone it and `pip install -e .` there"
        )
    build_images(echo)
    ensure_base(SERVICE_BASE, echo)
    context = Path(tempfile.mkdtemp(prefix="reward-service-image-"))
    try:
        wheels = context / "wheels"
        echo(f"service image {SERVICE_IMAGE}: building wheels on the host")
        pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
        # From a copy: setuptools would leave build/ in the checkout.
        source = context / "source"
        shutil.copytree(PROJECT_ROOT, source, ignore=shutil.ignore_patterns(*_NOT_SOURCE))
        run_logged([*pip, "wheel", "--quiet", "--no-deps", "-w", str(wheels), str(source)], echo)
        (project,) = wheels.glob("reward_service-*.whl")
        run_logged(
            [
                *pip,
                "download",
                "--quiet",
                "--dest",
                str(wheels),
                "--only-binary=:all:",
                *(f"--platform={tag}" for tag in manylinux_tags(platform.machine())),
                f"--python-version={BASE_PYTHON}",
                "--implementation=cp",
                str(project),
                "pip",
            ],
            echo,
        )
        shutil.rmtree(source)
        shutil.copy(PROJECT_ROOT / "Dockerfile", context / "Dockerfile")
        echo(f"service image {SERVICE_IMAGE}: docker build (no network)")
        run_logged(
            [
                "docker",
                "build",
                "--force-rm",
                "--network",
                "none",
                "--tag",
                SERVICE_IMAGE,
                str(context),
            ],
            echo,
        )
    finally:
        shutil.rmtree(context, ignore_errors=True)
    echo(f"service image {SERVICE_IMAGE}: built")
    return SERVICE_IMAGE


def manylinux_tags(machine: str) -> list[str]:
    """Every manylinux platform tag the base image's glibc runs, newest first (pip does not
    widen a `--platform` tag to the older ones by itself).

    >>> manylinux_tags("x86_64")[:2], manylinux_tags("x86_64")[-1]
    (['manylinux_2_36_x86_64', 'manylinux_2_35_x86_64'], 'manylinux1_x86_64')
    """
    tags = [f"manylinux_2_{minor}_{machine}" for minor in range(BASE_GLIBC_MINOR, 4, -1)]
    return tags + [f"manylinux{legacy}_{machine}" for legacy in ("2014", "2010", "1")]
