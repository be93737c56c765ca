"""What gunicorn runs in each web worker beside the app: `-c python:api.gunicorn_conf`
on the Procfile's `web` line and in `commitments serve`."""

from __future__ import annotations

import gc
from typing import Any


def post_worker_init(worker: Any) -> None:
    """Once the app is loaded, hide what it loaded from the cyclic collector.

    Modules, templates, translations and the app's objects (about 126,000)
    live as long as the worker, yet each full collection walked them all: a
    request that set one off took some 40 ms longer (the overdue CSV's
    requests, one in four or five: 110-125 ms against 70-80). Frozen, a full
    collection walks only what requests made."""
    gc.collect()
    gc.freeze()
