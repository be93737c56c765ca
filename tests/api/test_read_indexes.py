"""Every filter the queries use has an index: PostgreSQL's plan for each
list and lookup of `Queries` reads no read table by a filtered sequential scan.

With `enable_seqscan` off the planner takes any index that can serve a
query, so the plan of a query on small tables is the plan it would choose on
large ones where an index exists; a `Seq Scan` with a filter left in the plan
means no index serves that filter.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from domain.access import Actor, Role
from domain.deadlines import Kind
from domain.dialogue import ForumKind
from domain.status import Status, Verdict
from service import commands as c
from service.bootstrap import build_queries
from service.feeds import changes, dialogue_changes
from service.follows import Follows
from service.meeting import meeting
from service.published_reports import PublishedReports
from service.queries import CommitmentFilter, DialogueFilter, Queries, Sort, _encode_cursor
from service.read_model import PostgresReadModel
from tests.api.conftest import Caller

ADMIN = Actor(Role.ADMIN)
ON = date(2024, 8, 1)

# What each call asks: every filter of a list, today and as of a date.
FILTERS = {
    "agency": CommitmentFilter(agency="SYT"),
    "agency overdue": CommitmentFilter(agency="SYT", overdue=True),
    "status": CommitmentFilter(status=Status.OPEN),
    "verdict": CommitmentFilter(verdict=Verdict.DISPUTED),
    "dialogue": CommitmentFilter(dialogue=None),  # replaced by the seeded dialogue
    "forum": CommitmentFilter(forum=ForumKind.DIALOGUE),
    "overdue": CommitmentFilter(overdue=True),
    "unjudged": CommitmentFilter(unjudged=True),
    "extension requested": CommitmentFilter(extension_requested=True),
    "search": CommitmentFilter(q="bien che"),
    "due before": CommitmentFilter(due_before=ON),
}

DIALOGUE_FILTERS = {
    "year": DialogueFilter(year=2024),
    "kind": DialogueFilter(forum=ForumKind.VOTERS_MEETING),
    "kind and year": DialogueFilter(year=2024, forum=ForumKind.DIALOGUE),
    "search": DialogueFilter(q="doi thoai"),
}


def _calls(queries: Queries, dialogue: Any, commitment: Any, question: Any
           ) -> dict[str, Callable[[], Any]]:
    calls: dict[str, Callable[[], Any]] = {}
    for name, where in FILTERS.items():
        if name == "dialogue":
            where = CommitmentFilter(dialogue=dialogue)
        calls[f"list {name}"] = lambda w=where: queries.list_commitments(w, sort=Sort.DUE)
        calls[f"list {name} as of"] = lambda w=where: queries.list_commitments(w, as_of=ON)
    calls.update({
        "every promise by due date": lambda: queries.list_commitments(
            CommitmentFilter(), sort=Sort.DUE),
        "every promise by due date, last first": lambda: queries.list_commitments(
            CommitmentFilter(), sort=Sort.DUE_LAST),
        "commitment as of": lambda: queries.commitment(commitment, as_of=ON),
        "due between": lambda: queries.due_between(ON, ON + timedelta(days=30)),
        "ladder candidates": lambda: queries.ladder_candidates(ON),
        "open deliveries": lambda: queries.open_deliveries(commitment),
        "extension steps": lambda: queries.extension_steps([commitment]),
        "dialogue": lambda: queries.dialogue(dialogue),
        "question": lambda: queries.question(question),
        "agency scores as of": lambda: queries.agency_scores(as_of=ON),
        "agency scores at a dialogue": lambda: queries.agency_scores(dialogue=dialogue),
        # Closing the loop with the people who asked (issue 18).
        "asker's word by agency as of": lambda: queries.asker_feedback_counts(as_of=ON),
        "contested by the asker": lambda: queries.contested_by_asker([commitment]),
        "decline reasons": lambda: queries.decline_reasons([commitment]),
        "open messages": lambda: queries.open_messages(),
        "follow mails owed": lambda: Follows(queries.app).fan_out(queries),
        "feed of an agency": lambda: changes(queries, agency="SYT"),
        "feed of a dialogue": lambda: dialogue_changes(queries, dialogue),
        "grievances": lambda: queries.grievances(),
        "grievances of an agency": lambda: queries.grievances(agency="SYT"),
        # Pages of the workspace (issue 17): rows, not aggregates.
        "agency": lambda: queries.agency("SYT"),
        "people of a commitment": lambda: queries.people(commitment),
        "meeting": lambda: meeting(queries, dialogue),
        "reports before they go out": lambda: PublishedReports(queries.app, queries).lines(),
        # A grievance's chain and a dialogue's carried promises: rows, not aggregates.
        "raised before": lambda: queries.raised_before(question),
        "carried over as of": lambda: queries.carried_over(dialogue, ON),
        "still owed before": lambda: queries.still_owed_before(ON),
        "questions before": lambda: queries.questions_before(ON),
    })
    for name, found in DIALOGUE_FILTERS.items():
        calls[f"list dialogues {name}"] = lambda w=found: queries.list_dialogues(w)
        # The second page: the cursor's condition beside the filter's.
        calls[f"list dialogues {name}, next page"] = lambda w=found: queries.list_dialogues(
            w, cursor=_encode_cursor(2**40, ON))
    return calls


# Rankings whose first rows are read in order off an index: with sorting
# off (as scans are), a plan that still sorts has no index to read in order.
TOP_ROWS = ("grievances", "grievances of an agency", "every promise by due date",
            "every promise by due date, last first")


def _seq_scans(plan: str) -> list[str]:
    """Read tables the plan scans whole with a filter."""
    lines = plan.splitlines()
    found = []
    for n, line in enumerate(lines):
        match = re.search(r"Seq Scan on (rm_\w+)", line)
        if match and n + 1 < len(lines) and "Filter:" in lines[n + 1]:
            found.append(match.group(1))
    return found


# Plans are PostgreSQL's: SQLite's planner is not the one production runs.
@pytest.mark.parametrize(
    "settings", [pytest.param("postgres", marks=pytest.mark.integration)], indirect=True)
def test_every_list_and_lookup_reads_by_an_index(api: Caller) -> None:
    queries = build_queries(api.service)
    try:
        assert isinstance(queries.view, PostgresReadModel)
        app = api.service
        app.execute(c.RegisterAgency(code="SYT", name="Sở Y tế"), ADMIN)
        dialogue = app.execute(c.RecordDialogue(title="Đối thoại", held_on=date(2024, 5, 10)),
                               ADMIN).aggregate_id
        question = app.execute(c.AskQuestion(dialogue_id=dialogue, asker={"name": "Chị A"},
                                             text="Biên chế?"), ADMIN).aggregate_id
        commitment = app.execute(c.MakeCommitment(
            agency="SYT", text="Bổ sung biên chế", kind=Kind.REVIEW, dialogue_id=dialogue,
            due_on=date(2024, 9, 1)), ADMIN).aggregate_id
        queries.fresh()
        statements: list[tuple[str, dict[str, Any]]] = []
        rows = queries.view.rows

        def recorded(sql: str, **params: Any) -> list[Any]:
            statements.append((sql, params))
            return rows(sql, **params)

        queries.view.rows = recorded  # type: ignore[method-assign]
        scans: dict[str, list[str]] = {}
        plans: dict[str, list[str]] = {}
        for name, call in _calls(queries, dialogue, commitment, question).items():
            statements.clear()
            call()
            for sql, params in statements:
                if not sql.lstrip().upper().startswith(("SELECT", "WITH")) or "rm_" not in sql:
                    continue
                with queries.view.datastore.transaction(commit=False) as cursor:
                    cursor.execute("SET LOCAL enable_seqscan = off")
                    if name in TOP_ROWS:
                        cursor.execute("SET LOCAL enable_sort = off")
                    cursor.execute(queries.view.sql("EXPLAIN " + sql),
                                   queries.view.params(params))
                    plan = "\n".join(row["QUERY PLAN"] for row in cursor.fetchall())
                plans.setdefault(name, []).append(plan)
                if found := _seq_scans(plan):
                    scans.setdefault(name, []).append(f"{found}: {sql[:160]}")
                if name in TOP_ROWS and re.search(r"\bSort\b", plan):
                    scans.setdefault(name, []).append(f"sorted: {plan}")
        assert not scans, "\n".join(f"{name}: {where}" for name, where in scans.items())
        # A search reads a bounded number of rows without the index first (a
        # common word is counted there soonest: that scan's filter is above
        # its limit, which `_seq_scans` lets pass), and a rare word by the index.
        for name, index in (("list search", "rm_commitments_search"),
                            ("list search as of", "rm_commitments_search"),
                            ("list dialogues search", "rm_dialogues_search")):
            assert any(index in plan for plan in plans[name]), (name, plans[name])
    finally:
        queries.close()


# Plans are PostgreSQL's; SQLite prepares nothing across calls.
@pytest.mark.parametrize(
    "settings", [pytest.param("postgres", marks=pytest.mark.integration)], indirect=True)
def test_reads_are_planned_for_their_own_parameters(api: Caller) -> None:
    """A statement psycopg prepares is, after five runs, planned once for any
    parameters: an agency's search then read the list in the plan of an
    average agency (20 ms where its own plan took 8, at 100,000). Reads
    that match words are never prepared, on any of the pool's connections."""
    queries = build_queries(api.service)
    try:
        api.service.execute(c.RegisterAgency(code="SYT", name="Sở Y tế"), ADMIN)
        for _ in range(12):
            queries.list_commitments(CommitmentFilter(agency="SYT", q="bien che"))
            queries.list_commitments(CommitmentFilter(agency="SYT"), sort=Sort.DUE)
        prepared = [str(row["statement"]) for _ in range(10) for row in queries.view.rows(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE '%rm\\_%'")]
        # The lookups are, as psycopg does for any statement run often.
        assert any("ORDER BY s.due_on" in statement for statement in prepared)
        assert not [statement for statement in prepared if " LIKE " in statement]
    finally:
        queries.close()
