"""`commitments log export|import` and `commitments backup`: the record moved
to another store, and copied while the service runs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Any

import click

from api.cli_settings import cli_settings
from service.backup import backup_embedded
from service.bootstrap import build, build_queries
from service.integrity import catch_up_and_audit
from service.log_archive import LogFileError, StoreNotEmpty, export_log, import_log


@click.group("log")
def log_group() -> None:
    """The event log as a file: to move the record to another store."""


@log_group.command("export")
@click.argument("path")
def log_export(path: str) -> None:
    """Write every stored event, in log order, to PATH as JSON Lines (`-`:
    standard output): position, aggregate, version, type, state, recorded
    time and the hash-chain digest. The chain is brought up to date and
    verified first; a log that does not verify is not exported."""
    app = build(cli_settings())
    queries = build_queries(app)
    try:
        verdict = catch_up_and_audit(app, queries)
        if not verdict.ok:
            raise click.ClickException(f"the log does not verify, nothing exported: {verdict}")
        total = app.recorder.max_notification_id() or 0
        out: IO[str] = sys.stdout if path == "-" else open(path, "w", encoding="utf-8")  # noqa: SIM115
        try:
            with _progress(total, f"exporting to {path}", quiet=path == "-") as bar:
                written = export_log(app, queries.view.chain(), out.write, bar.update)
        finally:
            if out is not sys.stdout:
                out.close()
    finally:
        queries.close()
        app.close()
    click.echo(f"exported {written} events; head {verdict.head}", err=True)


@log_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def log_import(path: Path) -> None:
    """Store the events of a file written by `log export` into this store,
    which must hold none (either kind: set PERSISTENCE_MODULE and POSTGRES_*
    for PostgreSQL). The whole file is checked against its hash chain first;
    a mismatch stops the import, naming its line, with nothing stored. Then
    the read model is rebuilt, and the head digest printed: it is the one
    `log export` printed."""
    app = build(cli_settings())
    try:
        lines = sum(1 for _ in path.open(encoding="utf-8"))
        with _progress(lines, f"importing {path.name}") as bar:
            stored = import_log(app, lambda: path.open(encoding="utf-8"), bar.update)
        queries = build_queries(app)
        try:
            with _progress(stored, "rebuilding the read model") as bar:
                queries.projector.rebuild(progress=bar.update)
            verdict = catch_up_and_audit(app, queries)
        finally:
            queries.close()
    except (LogFileError, StoreNotEmpty) as error:
        raise click.ClickException(str(error)) from None
    finally:
        app.close()
    click.echo(f"imported {stored} events; audit: {verdict}")
    if not verdict.ok:
        raise SystemExit(1)


@click.command("backup")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Copy the embedded store into the new folder PATH while the service runs
    (SQLite's online backup: each file is a consistent copy). Restore by
    stopping the service and copying the files back into the data folder; see
    the README for PostgreSQL (pg_dump)."""
    settings = cli_settings()
    if not settings.is_embedded:
        raise click.ClickException("backup copies the embedded store; on PostgreSQL use "
                                   "pg_dump (README: Backups)")
    try:
        copied = backup_embedded(settings.data_dir, path)
    except FileExistsError:
        raise click.ClickException(f"{path} exists: back up into a new folder") from None
    for name, size in copied.items():
        click.echo(f"{name}: {size:,} bytes")
    click.echo(f"backed up into {path}; check it with: COMMITMENTS_DATA_DIR={path} "
               "commitments audit verify")


def _progress(length: int, label: str, quiet: bool = False) -> Any:
    """A progress bar on a terminal (standard error), nothing otherwise."""
    return click.progressbar(length=length, label=label, show_pos=True, show_eta=True,
                             file=None if quiet else sys.stderr)
