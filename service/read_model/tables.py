"""The read tables' shape: their columns, tables and indexes, and its version.

The tables live beside eventsourcing's tracking table, in the read model's own
SQLite file or in the event store's PostgreSQL database (tables prefixed
`rm_`). The DDL is written once for both stores, with `:name` parameters
(see `dialect`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from service.read_model.counters import TALLIES
from service.read_model.loop_tables import LOOP_TABLE_NAMES, LOOP_TABLES

_STATE = ("status", "active", "due_on", "due_basis", "verdict", "fulfilled_on", "updated_on",
          "evidence", "transferred_to", "version", "reminder_rank", "reminders_pending",
          "reminders_sent", "original_due_on", "extensions", "extension_request")
_STATIC = ("id", "position", "agency", "dialogue_id", "answer_id", "question_ids", "kind",
           "text", "search", "made_on", "transferred_from")
COMMITMENT_COLUMNS = _STATIC + _STATE
# What changes along a commitment's history, and what never does.
STATE_COLUMNS, STATIC_COLUMNS = _STATE, _STATIC
# Static once a promise is open; a candidate's edit may still change them.
EDITABLE_COLUMNS = ("agency", "kind", "text", "search")

# The shape of the tables below. Read tables are a cache of the log: when the
# shape changes, a process that finds an older one drops them and the
# projection rebuilds them from the first event, instead of migrating them.
SCHEMA_VERSION = "20"
META_DDL = "CREATE TABLE IF NOT EXISTS rm_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"

TABLES = [
    """CREATE TABLE IF NOT EXISTS rm_commitments (
        id TEXT PRIMARY KEY, position BIGINT NOT NULL, agency TEXT NOT NULL,
        dialogue_id TEXT NOT NULL, answer_id TEXT, question_ids TEXT NOT NULL,
        kind TEXT NOT NULL, text TEXT NOT NULL, search TEXT NOT NULL, made_on DATE NOT NULL,
        transferred_from TEXT, status TEXT NOT NULL, active INTEGER NOT NULL,
        due_on DATE NOT NULL, due_basis TEXT NOT NULL, verdict TEXT, fulfilled_on DATE,
        updated_on DATE NOT NULL, evidence TEXT NOT NULL, transferred_to TEXT,
        version INTEGER NOT NULL, reminder_rank INTEGER NOT NULL,
        reminders_pending INTEGER NOT NULL, reminders_sent INTEGER NOT NULL,
        original_due_on DATE NOT NULL, extensions INTEGER NOT NULL, extension_request TEXT)""",
    # The auditors' queue of extension requests waiting for a decision.
    "CREATE INDEX IF NOT EXISTS rm_commitments_requests ON rm_commitments (position) "
    "WHERE extension_request IS NOT NULL",
    # The due index: what the overdue lists read.
    "CREATE INDEX IF NOT EXISTS rm_commitments_due ON rm_commitments (active, due_on)",
    # Every promise by due date, for a list sorted by it with no filter that
    # has an index of its own (a search among them reads the first rows of
    # this order): without it, the whole table was sorted, 35 ms for a page at
    # 100,000 commitments and 45 ms for a search, against 13 and 8 with it.
    "CREATE INDEX IF NOT EXISTS rm_commitments_due_on ON rm_commitments (due_on, position)",
    # What the reminder scan reads: promises whose ladder is not finished, by
    # due date, and deliveries a sender began and did not finish.
    "CREATE INDEX IF NOT EXISTS rm_commitments_ladder "
    "ON rm_commitments (active, reminder_rank, due_on)",
    "CREATE INDEX IF NOT EXISTS rm_commitments_pending "
    "ON rm_commitments (reminders_pending) WHERE reminders_pending > 0",
    "CREATE INDEX IF NOT EXISTS rm_commitments_agency "
    "ON rm_commitments (agency, active, due_on, position)",
    "CREATE INDEX IF NOT EXISTS rm_commitments_dialogue ON rm_commitments (dialogue_id)",
    # Lists by status (and the auditors' queue of claims not yet judged), and
    # by verdict.
    "CREATE INDEX IF NOT EXISTS rm_commitments_status ON rm_commitments (status, due_on)",
    "CREATE INDEX IF NOT EXISTS rm_commitments_verdict ON rm_commitments (verdict, due_on) "
    "WHERE verdict IS NOT NULL",
    "CREATE UNIQUE INDEX IF NOT EXISTS rm_commitments_position ON rm_commitments (position)",
    # One dated row per change: what `as_of` answers from. A row holds from its
    # effective date until the next row's (`superseded_on`, NULL while it is
    # the latest), so the state on a day is a filter, not a search for each
    # commitment's latest row. `occurred_on` is the day the step happened: its
    # effective date, or for a reminder the day it was sent (a reminder
    # changes no state, so its row holds from the change before it; what was
    # sent by a day, and the timeline on it, read `occurred_on`).
    """CREATE TABLE IF NOT EXISTS rm_history (
        commitment_id TEXT NOT NULL, effective_on DATE NOT NULL, occurred_on DATE NOT NULL,
        event TEXT NOT NULL,
        recorded_at TEXT NOT NULL, detail TEXT NOT NULL, status TEXT NOT NULL,
        active INTEGER NOT NULL, due_on DATE NOT NULL, due_basis TEXT NOT NULL, verdict TEXT,
        fulfilled_on DATE, updated_on DATE NOT NULL, evidence TEXT NOT NULL,
        transferred_to TEXT, version INTEGER NOT NULL, reminder_rank INTEGER NOT NULL,
        reminders_pending INTEGER NOT NULL, reminders_sent INTEGER NOT NULL,
        original_due_on DATE NOT NULL, extensions INTEGER NOT NULL, extension_request TEXT,
        superseded_on DATE, PRIMARY KEY (commitment_id, version))""",
    # A commitment's history as the API gives it to its owner and the union:
    # each event whole (but its timestamp, actor and identity, which are
    # columns), reminders' recipients, receipts and errors included. Only the
    # history route reads it, through the read matrix; the public report
    # reads `rm_history.detail`, what `disclosed` keeps of each event.
    """CREATE TABLE IF NOT EXISTS rm_history_entries (
        commitment_id TEXT NOT NULL, version INTEGER NOT NULL, type TEXT NOT NULL,
        at TEXT NOT NULL, actor TEXT NOT NULL, data TEXT NOT NULL,
        PRIMARY KEY (commitment_id, version))""",
    # What an as_of list reads for each row: the reminders sent by that day.
    "CREATE INDEX IF NOT EXISTS rm_history_sent ON rm_history (commitment_id, occurred_on) "
    "WHERE event = 'ReminderSent'",
    # The rows in force on an `as_of` day: superseded after it, or not yet.
    "CREATE INDEX IF NOT EXISTS rm_history_in_force "
    "ON rm_history (superseded_on, effective_on)",
    "CREATE TABLE IF NOT EXISTS rm_commitment_questions (commitment_id TEXT NOT NULL, "
    "question_id TEXT NOT NULL, PRIMARY KEY (question_id, commitment_id))",
    f"""CREATE TABLE IF NOT EXISTS rm_counters (scope TEXT NOT NULL, key TEXT NOT NULL,
        {", ".join(f"{name} INTEGER NOT NULL DEFAULT 0" for name in TALLIES)},
        PRIMARY KEY (scope, key))""",
    # An agency as it stands: what lists and the public report show. Its
    # contacts and webhook are in a table of their own, which only the staff's
    # reads join (the read matrix decides who sees them).
    "CREATE TABLE IF NOT EXISTS rm_agencies (code TEXT PRIMARY KEY, id TEXT NOT NULL, "
    "name TEXT NOT NULL, name_en TEXT, successor TEXT, position BIGINT NOT NULL, "
    "confirmed INTEGER NOT NULL, aliases TEXT NOT NULL, succeeded_on DATE, "
    "transferred TEXT NOT NULL, version INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS rm_agencies_successor ON rm_agencies (successor) "
    "WHERE successor IS NOT NULL",
    "CREATE TABLE IF NOT EXISTS rm_agency_contacts (code TEXT PRIMARY KEY, "
    "contacts TEXT NOT NULL, webhook_url TEXT)",
    # Who may sign in and which tokens were issued, for the admin's lists:
    # never a password's hash nor a token's digest, which stay in the log.
    "CREATE TABLE IF NOT EXISTS rm_accounts (id TEXT PRIMARY KEY, email TEXT NOT NULL, "
    "name TEXT NOT NULL, sort_name TEXT NOT NULL, role TEXT NOT NULL, agency TEXT, "
    "disabled INTEGER NOT NULL, position BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS rm_tokens (id TEXT PRIMARY KEY, role TEXT NOT NULL, "
    "agency TEXT, label TEXT NOT NULL, expires_at TEXT, revoked INTEGER NOT NULL, "
    "position BIGINT NOT NULL)",
    "CREATE UNIQUE INDEX IF NOT EXISTS rm_tokens_position ON rm_tokens (position)",
    # `forum`: what a list or a report is filtered by (a dialogue conference,
    # a voters' meeting...); commitments are filtered through it.
    # Never the chair's e-mail address, which stays in the log.
    # `search`: the title, place, chair and organiser folded (domain.text.fold),
    # for the list's accent-insensitive `q`.
    "CREATE TABLE IF NOT EXISTS rm_dialogues (id TEXT PRIMARY KEY, title TEXT NOT NULL, "
    "held_on DATE NOT NULL, place TEXT, organiser TEXT, source_url TEXT, "
    "position BIGINT NOT NULL, forum TEXT NOT NULL, chair TEXT, search TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS rm_dialogues_forum ON rm_dialogues (forum, id)",
    # The list, newest first: by year, and by kind of forum and year.
    "CREATE INDEX IF NOT EXISTS rm_dialogues_held ON rm_dialogues (held_on, position)",
    "CREATE INDEX IF NOT EXISTS rm_dialogues_forum_held ON rm_dialogues "
    "(forum, held_on, position)",
    # Askers and responders are named in public (the press names them); their
    # contact details are never copied here. `recorded_at` (of a question and
    # of an answer) is when the service recorded it: a dialogue's feed lists
    # them among its promises' changes by it.
    "CREATE TABLE IF NOT EXISTS rm_questions (id TEXT PRIMARY KEY, dialogue_id TEXT NOT NULL, "
    "position BIGINT NOT NULL, answers INTEGER NOT NULL DEFAULT 0, asker TEXT NOT NULL, "
    "text TEXT NOT NULL, asked_at TEXT, addressed_to TEXT NOT NULL, topics TEXT NOT NULL, "
    "recorded_at TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS rm_questions_dialogue ON rm_questions (dialogue_id, position)",
    "CREATE TABLE IF NOT EXISTS rm_answer_questions (answer_id TEXT NOT NULL, "
    "question_id TEXT NOT NULL, position BIGINT NOT NULL, PRIMARY KEY (question_id, answer_id))",
    # `answered_at` is the moment as given, `answered_on` its day (what the
    # report filters by); `question_ids` in the order the answer named them.
    "CREATE TABLE IF NOT EXISTS rm_answers (id TEXT PRIMARY KEY, dialogue_id TEXT NOT NULL, "
    "responder TEXT NOT NULL, text TEXT NOT NULL, answered_on DATE, channel TEXT NOT NULL, "
    "position BIGINT NOT NULL, linked_by TEXT, answered_at TEXT, question_ids TEXT NOT NULL, "
    "evidence TEXT NOT NULL, recorded_at TEXT NOT NULL)",
    # A dialogue's answers, the latest first: what its feed reads.
    "CREATE INDEX IF NOT EXISTS rm_answers_dialogue ON rm_answers (dialogue_id, position)",
    # Each reminder delivery's last mark: what the scan must finish (a claim
    # whose sender died) is found by the partial index.
    "CREATE TABLE IF NOT EXISTS rm_deliveries (id TEXT PRIMARY KEY, "
    "commitment_id TEXT NOT NULL, rung TEXT NOT NULL, rank INTEGER NOT NULL, "
    "due_on DATE NOT NULL, channel TEXT NOT NULL, mark TEXT, open INTEGER NOT NULL, "
    "position BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS rm_deliveries_open ON rm_deliveries (commitment_id) "
    "WHERE open = 1",
    # Reports before they go out, as their list shows them: how many entries
    # each agency has (`entries`, by code), never the entries themselves,
    # which stay in the report's own stream (fixed when it was opened; a
    # published report never changes).
    "CREATE TABLE IF NOT EXISTS rm_published_reports (id TEXT PRIMARY KEY, "
    "title TEXT NOT NULL, as_of DATE NOT NULL, opened_on DATE NOT NULL, "
    "replies_close_on DATE NOT NULL, state TEXT NOT NULL, published_on DATE, head TEXT, "
    "entries TEXT NOT NULL, position BIGINT NOT NULL)",
    "CREATE UNIQUE INDEX IF NOT EXISTS rm_published_reports_position "
    "ON rm_published_reports (position)",
    # Events the projection could not apply: skipped so the read side goes on,
    # kept here for an operator until a rebuild applies them.
    "CREATE TABLE IF NOT EXISTS rm_quarantine (position BIGINT PRIMARY KEY, "
    "originator_id TEXT NOT NULL, originator_version INTEGER NOT NULL, topic TEXT NOT NULL, "
    "error TEXT NOT NULL, quarantined_at TEXT NOT NULL)",
    META_DDL,
    *LOOP_TABLES,
]
# The indexes (not the keys) of the tables that hold a row per commitment or
# per event, by name, and what makes each: a rebuild writes its rows without
# them and makes them at its end. (The projection's own writes find rows by
# their keys.)
_INDEX = re.compile(r"CREATE (?:UNIQUE )?INDEX IF NOT EXISTS (\w+)\s+ON (\w+)")
_LONG_TABLES = ("rm_commitments", "rm_history")


def long_indexes(statements: Sequence[str]) -> list[tuple[str, str]]:
    return [(found.group(1), statement) for statement in statements
            if (found := _INDEX.match(statement)) and found.group(2) in _LONG_TABLES]


INDEXES = long_indexes(TABLES)
TABLE_NAMES = ("rm_commitments", "rm_history", "rm_history_entries",
               "rm_commitment_questions", "rm_counters",
               "rm_agencies", "rm_agency_contacts", "rm_accounts", "rm_tokens",
               "rm_dialogues", "rm_questions", "rm_answer_questions", "rm_answers",
               "rm_deliveries", "rm_published_reports", "rm_quarantine", "rm_meta",
               *LOOP_TABLE_NAMES)
# When each long-running part of the service last said it was alive
# (service/heartbeats.py): beside the read tables, not a view of the log, so
# a rebuild leaves it alone.
HEARTBEAT_TABLE = "service_heartbeats"
HEARTBEAT_DDL = (f"CREATE TABLE IF NOT EXISTS {HEARTBEAT_TABLE} (part TEXT PRIMARY KEY, "
                 "at DOUBLE PRECISION NOT NULL)")

# PostgreSQL only: trigram indexes for accent-insensitive substring search over
# the folded text (needs the pg_trgm extension).
SEARCH_DDL = ("CREATE INDEX IF NOT EXISTS rm_commitments_search "
              "ON rm_commitments USING gin (search gin_trgm_ops)",
              "CREATE INDEX IF NOT EXISTS rm_dialogues_search "
              "ON rm_dialogues USING gin (search gin_trgm_ops)")
