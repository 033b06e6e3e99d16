"""The folder in which `dpt serve`'s workers share their metric files (prometheus_client's
multiprocess mode), prepared by the parent before any worker starts.

prometheus_client chooses multiprocess mode when it is first imported, from
`PROMETHEUS_MULTIPROC_DIR`; this module therefore never imports it, and `prepare_metrics_dir`
refuses to run once it has been imported (granian forks its workers from the parent, and a
worker would inherit single-process metrics).
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def prepare_metrics_dir() -> Path:
    """Empty the operator's `PROMETHEUS_MULTIPROC_DIR` (or make a private folder, removed at exit)
    and point the workers at it. Files a previous run left would be added to this run's sums, and
    a dead worker's gauges would count as live."""
    if "prometheus_client" in sys.modules:
        raise RuntimeError("prometheus_client was imported before its multiprocess folder was set")
    given = os.environ.get(MULTIPROC_ENV)
    if given:
        folder = Path(given)
        folder.mkdir(parents=True, exist_ok=True)
        for leftover in folder.glob("*.db"):
            leftover.unlink()
    else:
        folder = Path(tempfile.mkdtemp(prefix="dpt-metrics-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        os.environ[MULTIPROC_ENV] = str(folder)
    return folder
