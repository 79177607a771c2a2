"""Build the sandbox images offline: a debootstrapped Debian base, then our layer on top.

No image registry is reachable, so a base is made from Debian packages with debootstrap
(from the mirror apt itself is configured with) and imported with `docker import`. The
sandbox image's tag is a hash of its build context and of the base's package list, so a
changed runner gets a new image and an unchanged one is not rebuilt; a base records its
package list in a label, and is rebuilt when the list changes.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BaseImage:
    tag: str
    packages: tuple[str, ...]


SUITE = "bookworm"
# The toolchains of every language the sandbox runs.
SANDBOX_BASE = BaseImage(
    "reward-sandbox-base:bookworm",
    ("python3", "g++", "default-jdk-headless", "nodejs", "golang-go", "rustc"),
)
# The service image's: no compiler, a tenth of the size.
SERVICE_BASE = BaseImage("reward-service-base:bookworm", ("python3",))
IMAGE_REPOSITORY = "reward-sandbox"
PACKAGES_LABEL = "reward_service.packages"
CONTEXT = Path(__file__).parent / "image"
_APT_SOURCES = (Path("/etc/apt/sources.list.d"), Path("/etc/apt/sources.list"))


class ImageBuildError(RuntimeError):
    """A build step failed; the message says which and why."""


def sandbox_image() -> str:
    """The tag of the sandbox image that matches this version of the runner."""
    digest = hashlib.sha256(",".join(SANDBOX_BASE.packages).encode())
    for path in sorted(CONTEXT.iterdir()):
        if path.is_file() and path.suffix in {".py", ""}:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return f"{IMAGE_REPOSITORY}:{digest.hexdigest()[:12]}"


def build_images(echo: Callable[[str], None] = print) -> str:
    """Build whatever is missing of the base and sandbox images; return the sandbox tag.

    Idempotent: with both images present it only checks and returns.
    """
    ensure_base(SANDBOX_BASE, echo)
    tag = sandbox_image()
    if image_exists(tag):
        echo(f"sandbox image {tag}: present")
        return tag
    echo(f"sandbox image {tag}: building from {CONTEXT}")
    run_logged(
        ["docker", "build", "--force-rm", "--network", "none", "--tag", tag, str(CONTEXT)], echo
    )
    run_logged(["docker", "tag", tag, f"{IMAGE_REPOSITORY}:latest"], echo)
    echo(f"sandbox image {tag}: built")
    return tag


def debian_mirror() -> str:
    """The Debian archive URI that apt on this machine is configured with."""
    for source in _APT_SOURCES:
        files = sorted(source.glob("*.sources")) + sorted(source.glob("*.list"))
        for path in files if source.is_dir() else [source]:
            if path.exists():
                uri = _main_archive_uri(path.read_text())
                if uri:
                    return uri
    raise ImageBuildError("no Debian mirror found in apt's sources (/etc/apt/sources.list*)")


def _main_archive_uri(text: str) -> str | None:
    """The first non-security `deb` URI of a deb822 `.sources` or a one-line `.list` file."""
    for stanza in re.split(r"\n\s*\n", text):
        uri = re.search(r"^URIs:\s*(\S+)", stanza, re.M)
        if uri and re.search(r"^Types:.*\bdeb\b", stanza, re.M) and "security" not in uri[1]:
            return uri[1]
    for line in re.finditer(r"^deb\s+(?:\[[^\]]*\]\s+)?(\S+)", text, re.M):
        if "security" not in line[1]:
            return line[1]
    return None


def ensure_base(base: BaseImage, echo: Callable[[str], None]) -> None:
    """Build `base` unless an image of its tag with its package list is present."""
    _require("docker", "install docker.io and start dockerd")
    if _base_packages(base.tag) == ",".join(base.packages):
        echo(f"base image {base.tag}: present")
    else:
        _build_base(base, echo)


def _build_base(base: BaseImage, echo: Callable[[str], None]) -> None:
    _require("debootstrap", "apt-get install debootstrap")
    mirror = debian_mirror()
    root = Path(tempfile.mkdtemp(prefix="reward-base-root-"))
    try:
        echo(f"base image {base.tag}: debootstrap {SUITE} from {mirror} (about a minute)")
        run_logged(
            [
                "debootstrap",
                "--variant=minbase",
                f"--include={','.join(base.packages)}",
                SUITE,
                str(root),
                mirror,
            ],
            echo,
        )
        for leftovers in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for path in (root / leftovers).glob("*"):
                if path.is_file():
                    path.unlink()
        echo(f"base image {base.tag}: importing")
        tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
        label = f"LABEL {PACKAGES_LABEL}={','.join(base.packages)}"
        imported = subprocess.run(
            ["docker", "import", "--change", label, "-", base.tag],
            stdin=tar.stdout,
            capture_output=True,
            text=True,
        )
        tar.stdout.close()
        if tar.wait() != 0 or imported.returncode != 0:
            raise ImageBuildError(f"docker import failed: {imported.stderr.strip()}")
        echo(f"base image {base.tag}: imported")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _base_packages(tag: str) -> str | None:
    """The packages the present base image was built with; None without one."""
    inspected = subprocess.run(
        ["docker", "image", "inspect", "--format", "{{json .Config.Labels}}", tag],
        capture_output=True,
        text=True,
    )
    if inspected.returncode != 0:
        return None
    return (json.loads(inspected.stdout) or {}).get(PACKAGES_LABEL)


def image_exists(tag: str) -> bool:
    return subprocess.run(["docker", "image", "inspect", tag], capture_output=True).returncode == 0


def _require(program: str, hint: str) -> None:
    if shutil.which(program) is None:
        raise ImageBuildError(f"`{program}` is not installed: {hint}")


def run_logged(command: list[str], echo: Callable[[str], None]) -> None:
    """Run a build step, echoing its output; ImageBuildError with the output's tail if it fails."""
    echo("$ " + " ".join(command))
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    tail: list[str] = []
    for line in process.stdout:
        tail = (tail + [line.rstrip()])[-20:]
        echo("  " + line.rstrip())
    if process.wait() != 0:
        raise ImageBuildError(f"`{' '.join(command[:2])}` failed:\n" + "\n".join(tail))
