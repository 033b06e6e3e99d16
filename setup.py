"""Build step that pyproject.toml cannot state: the wheel carries `sql/` inside the package.

`sql/` stays at the top of the repository (migrations and named queries are read there in a
checkout); an installed package has no checkout, so the files are copied to `service/sql/` in
the wheel, where `service/store/queries.py` finds them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SQL = Path(__file__).resolve().parent / "sql"


class BuildWithSql(build_py):  # type: ignore[misc]
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "service" / "sql"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(SQL, target, ignore=shutil.ignore_patterns("*~", ".*"))


setup(cmdclass={"build_py": BuildWithSql})
