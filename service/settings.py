"""Configuration: read from environment variables here and nowhere else."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.deadlines import DuePolicy

SQLITE = "eventsourcing.sqlite"
POSTGRES = "eventsourcing.postgres"
_PERSISTENCE = (SQLITE, POSTGRES, "eventsourcing.popo")
# eventsourcing reads these itself; they pass through unchanged.
_PASSTHROUGH_PREFIXES = ("POSTGRES_", "SQLITE_", "COMMITMENTS_POSTGRES_", "COMMITMENTS_SQLITE_")
_PASSTHROUGH = ("CREATE_TABLE", "AGGREGATE_CACHE_MAXSIZE")


class ConfigurationError(ValueError):
    """A setting with a value the service cannot use; the message names it."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    persistence_module: str
    eventsourcing_env: dict[str, str]
    timezone: ZoneInfo
    due_policy: DuePolicy
    broker_url: str
    broker_transport_options: dict[str, object] = field(default_factory=dict)
    result_backend: str | None = None

    @property
    def is_embedded(self) -> bool:
        return self.persistence_module == SQLITE

    def today(self) -> date:
        return datetime.now(self.timezone).date()

    def clock(self) -> Callable[[], date]:
        return self.today

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("COMMITMENTS_DATA_DIR", "./data")).resolve()
        module = env.get("PERSISTENCE_MODULE", SQLITE)
        if module not in _PERSISTENCE:
            raise ConfigurationError(
                f"PERSISTENCE_MODULE={module!r}: expected one of {', '.join(_PERSISTENCE)}"
            )
        es_env = {
            key: value
            for key, value in env.items()
            if key.startswith(_PASSTHROUGH_PREFIXES) or key in _PASSTHROUGH
        }
        es_env["PERSISTENCE_MODULE"] = module
        if module == SQLITE:
            es_env.setdefault("SQLITE_DBNAME", str(data_dir / "events.sqlite3"))
            es_env.setdefault("SQLITE_LOCK_TIMEOUT", "10")
        if module == POSTGRES:
            es_env.setdefault("POSTGRES_DBNAME", "commitments")
            es_env.setdefault("POSTGRES_HOST", "127.0.0.1")
            es_env.setdefault("POSTGRES_PORT", "5432")
            es_env.setdefault("POSTGRES_USER", "postgres")
            es_env.setdefault("POSTGRES_PASSWORD", "")
        tz_name = env.get("COMMITMENTS_TIMEZONE", "Asia/Ho_Chi_Minh")
        try:
            timezone = ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigurationError(
                f"COMMITMENTS_TIMEZONE={tz_name!r} is not a known time zone"
            ) from None
        try:
            policy = DuePolicy.parse(env.get("DEFAULT_DUE_DAYS", ""))
        except ValueError as error:
            raise ConfigurationError(f"DEFAULT_DUE_DAYS: {error}") from None
        broker = env.get("CELERY_BROKER_URL", "filesystem://")
        options: dict[str, object] = {}
        backend = env.get("CELERY_RESULT_BACKEND")
        if broker == "filesystem://":
            # The embedded transport: queue files in the data folder, polled
            # often enough that tasks do not wait seconds.
            queue = data_dir / "queue"
            options = {
                "data_folder_in": str(queue),
                "data_folder_out": str(queue),
                "processed_folder": str(data_dir / "queue-done"),
                "polling_interval": 0.1,
            }
        return cls(
            data_dir=data_dir,
            persistence_module=module,
            eventsourcing_env=es_env,
            timezone=timezone,
            due_policy=policy,
            broker_url=broker,
            broker_transport_options=options,
            result_backend=backend,
        )

    def prepare_storage(self) -> None:
        """Create the folders the embedded mode writes into."""
        if self.is_embedded:
            Path(self.eventsourcing_env["SQLITE_DBNAME"]).parent.mkdir(
                parents=True, exist_ok=True
            )
        for key in ("data_folder_in", "processed_folder"):
            folder = self.broker_transport_options.get(key)
            if isinstance(folder, str):
                Path(folder).mkdir(parents=True, exist_ok=True)
