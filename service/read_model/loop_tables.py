"""The read tables of closing the loop with the people who asked (issue 18),
in one list `tables` appends to its own: the messages owed to people
outside the service, who follows what, the grievances raised again and the
promises carried into a later dialogue."""

from __future__ import annotations

LOOP_TABLES = [
    # Each message a write owed (domain.messages) while it is not yet sent or
    # given up: what the message scan reads.
    "CREATE TABLE IF NOT EXISTS rm_messages (id TEXT PRIMARY KEY, purpose TEXT NOT NULL, "
    "open INTEGER NOT NULL, position BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS rm_messages_open ON rm_messages (position) WHERE open = 1",
    # Follows by what they follow (never the address: that stays in the log);
    # `since` is when the follow was confirmed, changes before it are not sent.
    "CREATE TABLE IF NOT EXISTS rm_follows (id TEXT PRIMARY KEY, kind TEXT NOT NULL, "
    "target TEXT NOT NULL, active INTEGER NOT NULL, since TEXT, position BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS rm_follows_target ON rm_follows (kind, target) WHERE active = 1",
    # Which follower was owed a mail for which change (a Message was opened).
    "CREATE TABLE IF NOT EXISTS rm_follow_mails (follow_id TEXT NOT NULL, "
    "commitment_id TEXT NOT NULL, version INTEGER NOT NULL, "
    "PRIMARY KEY (follow_id, commitment_id, version))",
    # ... and for which question asked or answer given at a followed dialogue.
    "CREATE TABLE IF NOT EXISTS rm_follow_said (follow_id TEXT NOT NULL, "
    "said_id TEXT NOT NULL, PRIMARY KEY (follow_id, said_id))",
]
LOOP_TABLES += [
    # The feeds list the latest public changes first, and stop at fifty.
    "CREATE INDEX IF NOT EXISTS rm_history_recorded ON rm_history (recorded_at)",
    # The askers' words counted per agency by a report's date: a few rows
    # among every change.
    "CREATE INDEX IF NOT EXISTS rm_history_asker ON rm_history (effective_on) "
    "WHERE event IN ('AskerConfirmed', 'AskerContested')",
    # A question linked to the same grievance raised before, with the agencies
    # the later question was put to: what "raised most often" counts.
    "CREATE TABLE IF NOT EXISTS rm_question_links (question_id TEXT NOT NULL, "
    "earlier_id TEXT NOT NULL, agencies TEXT NOT NULL, position BIGINT NOT NULL, "
    "PRIMARY KEY (question_id, earlier_id))",
    # The projection follows links forward too: which later raisings a new
    # link lengthens the chain of.
    "CREATE INDEX IF NOT EXISTS rm_question_links_earlier ON rm_question_links (earlier_id)",
    # Each grievance raised at least twice, by its latest raising (a question
    # no later one links to), with the times it was raised: once for every
    # agency it was put to, and once under the scope '' for all. The ranking
    # reads the first rows of one scope off the index, whatever the number
    # of links; the projection recounts a chain when a link lengthens it.
    "CREATE TABLE IF NOT EXISTS rm_grievances (question_id TEXT NOT NULL, "
    "scope TEXT NOT NULL, times INTEGER NOT NULL, agencies TEXT NOT NULL, "
    "PRIMARY KEY (question_id, scope))",
    "CREATE INDEX IF NOT EXISTS rm_grievances_ranked ON rm_grievances "
    "(scope, times DESC, question_id)",
    # A promise of an earlier dialogue carried into a later one (`dialogue_id`),
    # on a day: what the dialogue and its report list, in the order carried.
    "CREATE TABLE IF NOT EXISTS rm_carried_over (dialogue_id TEXT NOT NULL, "
    "commitment_id TEXT NOT NULL, from_dialogue_id TEXT NOT NULL, carried_on DATE NOT NULL, "
    "position BIGINT NOT NULL, PRIMARY KEY (dialogue_id, commitment_id))",
    # What each transcript import of a dialogue created: the agencies it did
    # not recognise (code, and name as the transcript wrote it), which the
    # dialogue's page lists after the last import. Never the rest of the
    # import's summary, which keeps each asker as the record gave them,
    # whatever details that carries (the tables name people only as
    # domain.dialogue.in_public does).
    "CREATE TABLE IF NOT EXISTS rm_imports (dialogue_id TEXT NOT NULL, "
    "position BIGINT NOT NULL, agencies_created TEXT NOT NULL, "
    "PRIMARY KEY (dialogue_id, position))",
]
LOOP_TABLE_NAMES = ("rm_messages", "rm_follows", "rm_follow_mails", "rm_follow_said",
                    "rm_question_links", "rm_grievances", "rm_carried_over", "rm_imports")
