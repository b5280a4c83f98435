"""gunicorn settings: `gunicorn -c python:afa_platform.gunicorn_conf afa_platform.wsgi`.

They turn on Prometheus' multiprocess mode, so /metrics sums every worker's samples whichever
worker answers: each worker writes its metrics to files under PROMETHEUS_MULTIPROC_DIR
(default /tmp/afa-prometheus), wiped when gunicorn starts; a dead worker's live gauges are
dropped. The variable must be set before prometheus_client is first imported (it chooses how
to keep values on import), hence before the import below; workers inherit it."""

import os
import shutil
from pathlib import Path

os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", "/tmp/afa-prometheus")  # noqa: S108

from prometheus_client import multiprocess  # noqa: E402 (after the variable, on purpose)


def on_starting(server) -> None:
    directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    shutil.rmtree(directory, ignore_errors=True)
    Path(directory).mkdir(mode=0o700, parents=True, exist_ok=True)


def child_exit(server, worker) -> None:
    multiprocess.mark_process_dead(worker.pid)
