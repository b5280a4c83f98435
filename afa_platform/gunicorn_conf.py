"""gunicorn settings for Prometheus' multiprocess mode (`-c python:afa_platform.gunicorn_conf`).

With PROMETHEUS_MULTIPROC_DIR set, each worker writes its metrics to files there; this wipes
the directory when gunicorn starts, and drops a dead worker's live gauges."""

import os
import shutil
from pathlib import Path

from prometheus_client import multiprocess


def on_starting(server) -> None:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        Path(directory).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
