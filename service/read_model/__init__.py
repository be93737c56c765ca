"""Read tables kept by the projection, and the SQL that reads them.

One module per concern, each readable alone:

- `tables`: the tables' columns, DDL and indexes, and the schema version;
- `dialect`: one SQL text for SQLite and PostgreSQL (`:name` parameters
  rewritten for psycopg, dates as ISO text for SQLite);
- `counters`: what a commitment adds to its agency's and dialogue's counters;
- `batch`: the view changes of a batch of events, and how they are written;
- `chain`: the hash chain's links, made as the log is read;
- `recorders`: the tracking recorders (one per store) that hold the tables
  and commit a batch with its tracking position.
"""

from service.read_model.batch import Batch
from service.read_model.counters import TALLIES, tally, tally_of
from service.read_model.dialect import as_date, dumps, json_encoder
from service.read_model.recorders import (
    SOURCE,
    PositionMoved,
    PostgresReadModel,
    ReadModel,
    SQLiteReadModel,
    StoreSetupError,
)
from service.read_model.tables import (
    COMMITMENT_COLUMNS,
    EDITABLE_COLUMNS,
    HEARTBEAT_TABLE,
    SCHEMA_VERSION,
    STATE_COLUMNS,
    STATIC_COLUMNS,
    TABLE_NAMES,
)

__all__ = [
    "COMMITMENT_COLUMNS", "EDITABLE_COLUMNS", "HEARTBEAT_TABLE", "SCHEMA_VERSION",
    "SOURCE", "STATE_COLUMNS", "STATIC_COLUMNS", "TABLE_NAMES", "TALLIES", "Batch",
    "PositionMoved", "PostgresReadModel", "ReadModel", "SQLiteReadModel", "StoreSetupError",
    "as_date", "dumps", "json_encoder", "tally", "tally_of",
]
