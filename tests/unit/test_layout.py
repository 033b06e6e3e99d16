"""The shape of the house, checked: data flows one way, every room says what it owns, no module
grows past what a reader holds in mind, and every named query is used by some code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from service.store.queries import QUERIES

SERVICE = Path(__file__).resolve().parents[2] / "service"
# The channels people and programs talk to; only the wiring (app, cli) may import them.
CHANNELS = ("service.api", "service.web", "service.sms.routes", "service.helpdesk", "service.console")
WIRING = ("service.app", "service.cli")
MAX_LINES = 400
# A data module (word lists, no logic) may be longer than a reader's module; none is now.
LONG_DATA_MODULES: frozenset[str] = frozenset()


def module_name(path: Path) -> str:
    parts = path.relative_to(SERVICE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(SERVICE.rglob("*.py"))}


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def is_within(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == package or name.startswith(package + ".") for package in packages)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_nothing_below_a_channel_imports_a_channel(name: str) -> None:
    if is_within(name, CHANNELS + WIRING):
        return
    reached = sorted(target for target in imported(MODULES[name]) if is_within(target, CHANNELS + WIRING))
    assert not reached, f"{name} (below the channels) imports {reached}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_module_and_folder_says_what_it_owns(name: str) -> None:
    docstring = ast.get_docstring(ast.parse(MODULES[name].read_text(encoding="utf-8")))
    assert docstring and len(docstring.split()) >= 5, f"{name} has no docstring saying what it owns"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_is_past_a_size_a_reader_holds_in_mind(name: str) -> None:
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert name in LONG_DATA_MODULES or lines <= MAX_LINES, f"{name} has {lines} lines"


def test_every_top_level_folder_is_a_package_of_one_concern() -> None:
    folders = [path for path in SERVICE.iterdir() if path.is_dir() and not path.name.startswith("__")]
    assert folders
    for folder in folders:
        if folder.name in ("static", "templates"):
            continue
        assert (folder / "__init__.py").exists(), f"service/{folder.name} is not a package"


def test_every_named_query_is_used_by_some_code() -> None:
    source = "\n".join(path.read_text(encoding="utf-8") for path in MODULES.values())
    used = set(re.findall(r'(?:QUERIES\[|store\.(?:rows|row|value|run)\()\s*"([a-z0-9-]+)"', source))
    assert set(QUERIES) - used == set(), "named queries no code uses"
    assert used - set(QUERIES) == set(), "queries used but not defined in sql/queries/"
