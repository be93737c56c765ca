"""A consistent copy of the embedded store while the service runs.

SQLite's online backup API copies a database page by page under its own
locks, so each copy is one consistent state even while writers go on. The
read model's file (read tables, tracking, and the hash chain) is copied
before the events' file: the copied chain then never links an event the
copied log lacks (which `audit verify` would report as a deletion); events
newer than the copied chain are linked when the copy is first read.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

# In the order they are copied; the secret key keeps workspace sign-ins valid.
FILES = ("readmodel.sqlite3", "events.sqlite3", "secret_key")


def backup_embedded(data_dir: Path, target: Path) -> dict[str, int]:
    """Copy the embedded store's files from `data_dir` into the new folder
    `target`; returns each file's size."""
    target.mkdir(parents=True, exist_ok=False)
    copied: dict[str, int] = {}
    for name in FILES:
        source = data_dir / name
        if not source.exists():
            continue
        if name.endswith(".sqlite3"):
            with sqlite3.connect(source) as live, sqlite3.connect(target / name) as copy:
                live.backup(copy)
            # `with` commits but does not close.
            live.close()
            copy.close()
        else:
            shutil.copy2(source, target / name)
        copied[name] = (target / name).stat().st_size
    return copied
