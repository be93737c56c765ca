"""The web workers' gunicorn settings: what each worker does once the app is loaded."""

from __future__ import annotations

import gc
import importlib
import shlex
from pathlib import Path

from gunicorn.config import Config

ROOT = Path(__file__).resolve().parents[2]


def test_the_procfile_web_line_loads_the_settings() -> None:
    web = next(line.partition(":")[2] for line in (ROOT / "Procfile").read_text().splitlines()
               if line.startswith("web:"))
    words = shlex.split(web)
    assert words[words.index("-c") + 1] == "python:api.gunicorn_conf"


def test_a_worker_hides_what_the_app_loaded_from_the_collector() -> None:
    # As gunicorn reads a python: config: a hook it does not know by that
    # name would be left out, and the worker would freeze nothing.
    config = Config()
    for name, value in vars(importlib.import_module("api.gunicorn_conf")).items():
        if name in config.settings:
            config.set(name, value)
    gc.unfreeze()
    try:
        config.post_worker_init(None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
