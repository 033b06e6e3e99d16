"""Debian packages that some tests need (Chromium, Kannel): installed with apt-get when the tests
run as root, as the contract asks; otherwise skipped with the package's name, except under
CI=true, where a missing package fails the run."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

APT_TIMEOUT = 900


def ensure_debian_packages(packages: tuple[str, ...], needed: tuple[Path, ...]) -> None:
    def present() -> bool:
        return all(path.exists() for path in needed)

    if not present() and os.geteuid() == 0 and shutil.which("apt-get"):
        _apt(["apt-get", "install", "-y", "-q", *packages])
        if not present():  # a fresh machine may have no package lists yet
            _apt(["apt-get", "update", "-q"])
            _apt(["apt-get", "install", "-y", "-q", *packages])
    if present():
        return
    message = f"Debian package(s) {', '.join(packages)} needed: apt-get install {' '.join(packages)}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _apt(command: list[str]) -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(command, check=False, capture_output=True, env=env, timeout=APT_TIMEOUT)
