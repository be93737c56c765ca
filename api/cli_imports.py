"""`commitments import` and `commitments candidates`: a transcript in, and the
promise candidates it gave worked through, from a shell."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import click
from marshmallow import ValidationError

from api.cli_settings import cli_settings
from api.imports import import_result
from api.schemas import TranscriptIn
from domain.access import Actor, Role
from domain.agency import canonical_code
from domain.deadlines import Kind
from domain.dialogue import Dialogue, ForumKind
from domain.errors import DomainError
from domain.status import Action, Status
from service import commands as c
from service.application import Commitments
from service.bootstrap import build, build_queries
from service.queries import CommitmentFilter, Queries, Sort
from service.transcript.spreadsheet import NotATable, NotAWorkbook, rows_from_csv, rows_from_xlsx

# The secretariat at a shell: recorded as an admin acting through the CLI.
CLI_ADMIN = Actor(Role.ADMIN, via="cli")


@contextmanager
def _service() -> Iterator[tuple[Commitments, Queries]]:
    app = build(cli_settings())
    # Catches up as it reads: no projector may be running (see build_queries).
    queries = build_queries(app)
    try:
        yield app, queries
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    finally:
        queries.close()
        app.close()


def _short(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--title", required=True, help="The dialogue's title.")
@click.option("--held-on", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The date it was held, YYYY-MM-DD: stated deadlines count from it.")
@click.option("--place", help="Where it was held.")
@click.option("--source-url", help="Where the transcript was published.")
@click.option("--forum", type=click.Choice([f.value for f in ForumKind]),
              default=ForumKind.DIALOGUE.value, show_default=True,
              help="The kind of forum the text records.")
@click.option("--dry-run", is_flag=True, help="Show what would be recorded; store nothing.")
def import_command(file: Path, title: str, held_on: datetime, place: str | None,
                   source_url: str | None, forum: str, dry_run: bool) -> None:
    """Import a dialogue's transcript (a live blog or an article, UTF-8 text),
    or a table of petitions and replies saved as .csv or .xlsx.

    Records the dialogue, its questions and answers, and every promise found
    as a proposed commitment, then prints what it found. Confirm, edit or
    reject the candidates with `commitments candidates`.

    \b
    Example:
      commitments import liveblog.txt --title "Đối thoại Chủ tịch UBND tỉnh 2024" \\
          --held-on 2024-05-10 --dry-run
    """
    raw = _read(file)
    try:
        text: str = TranscriptIn().load({"text": raw})["text"]
    except ValidationError as error:
        problems = error.messages.get("text", error.messages) if isinstance(
            error.messages, dict) else error.messages
        raise click.ClickException(f"{file}: {'; '.join(map(str, problems))}") from None
    command = c.ImportTranscript(title=title, held_on=held_on.date(), text=text, place=place,
                                 source_url=source_url, forum=ForumKind(forum))
    # Three steps: parse and match (in a dry run, all there is), record in
    # one atomic write, bring the read tables up to date.
    progress = click.progressbar(length=3, label=f"importing {file.name}",
                                 file=sys.stderr)
    with _service() as (app, queries), progress as bar:
        dialogue: Any
        if dry_run:
            dialogue = app.try_out(command, CLI_ADMIN)
            bar.update(3)
        else:
            dialogue = app.result(app.execute(command, CLI_ADMIN))
            bar.update(2)
            # An operator's one-shot command, where no projector may run (the
            # embedded store before `serve`): it brings the tables up to date
            # itself, so that `candidates` lists what it just recorded.
            queries.catch_up()
            bar.update(1)
    click.echo(file=sys.stderr)
    assert isinstance(dialogue, Dialogue)
    _print_summary(import_result(dialogue, dry_run=dry_run))


def _read(file: Path) -> str:
    """The file's text: a table of petitions and replies in a `.csv` or
    `.xlsx` file as the same table pasted, any other file as UTF-8 text."""
    suffix = file.suffix.lower()
    try:
        if suffix == ".xlsx":
            return rows_from_xlsx(file.read_bytes())
        text = file.read_text(encoding="utf-8-sig")
        return rows_from_csv(text) if suffix == ".csv" else text
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{file} is not UTF-8 text: {error}") from None
    except (NotATable, NotAWorkbook) as error:
        raise click.ClickException(f"{file}: {error}") from None


def _print_summary(result: dict[str, Any]) -> None:
    counts = result["counts"]
    links = Counter(a["linked_by"] or "none" for a in result["answers"]
                    for _ in (a["question_ids"] or [None]))
    kinds = Counter(cand["kind"] for cand in result["candidates"])
    rows = [
        ("questions", str(counts["questions"])),
        ("answers", str(counts["answers"])),
        ("links", f"{counts['links']} (" + ", ".join(
            f"by {how}: {n}" for how, n in sorted(links.items())) + ")"),
        ("candidates", f"{counts['candidates']} (" + ", ".join(
            f"{kind} {n}" for kind, n in sorted(kinds.items())) + ")"),
        ("unanswered questions", str(counts["unanswered"])),
        ("agencies matched", str(len(result["agencies_matched"]))),
        ("agencies created", f"{counts['agencies_created']} (unconfirmed)"),
    ]
    click.echo()
    for name, value in rows:
        click.echo(f"  {name:<22} {value}")
    asker = {q["id"]: q["asker"].get("name", "?") for q in result["questions"]}
    if result["unanswered"]:
        click.echo("\nUnanswered:")
        for qid in result["unanswered"]:
            click.echo(f"  {qid}  {asker[qid]}")
    if result["agencies_created"]:
        click.echo("\nAgencies created, unconfirmed (confirm them, or add the name as an "
                   "alias of the agency meant and import again):")
        for agency in result["agencies_created"]:
            click.echo(f"  {agency['code']:<10} {agency['name']}")
    if result["candidates"]:
        click.echo("\nCandidates (proposed):")
        for cand in result["candidates"]:
            due = f"{cand['due_on']} ({cand['due_text'] or cand['due_basis']})"
            click.echo(f"  {cand['id']}  {cand['agency']:<8} {cand['kind']:<9} due {due}")
            click.echo(f"      “{_short(cand['text'])}”")
    if result["dry_run"]:
        click.echo("\ndry run: nothing was stored")
    else:
        click.echo(f"\ndialogue {result['dialogue_id']} recorded")


@click.group()
def candidates() -> None:
    """Promise candidates of an imported dialogue: list, confirm, edit, reject."""


@candidates.command("list")
@click.argument("dialogue_id", type=click.UUID)
@click.option("--all", "show_all", is_flag=True,
              help="Every commitment of the dialogue, not only those still proposed.")
def candidates_list(dialogue_id: UUID, show_all: bool) -> None:
    """The dialogue's candidates still to be decided, oldest first."""
    with _service() as (_, queries):
        queries.dialogue(dialogue_id)
        where = CommitmentFilter(dialogue=dialogue_id,
                                 status=None if show_all else Status.PROPOSED)
        cursor: str | None = None
        shown = 0
        while True:
            page = queries.list_commitments(where, sort=Sort.MADE, cursor=cursor, limit=500)
            for item in page.items:
                click.echo(f"{item.id}  {item.status:<10} {item.agency:<8} "
                           f"{item.kind:<9} due {item.due_on}")
                click.echo(f"    “{_short(item.text)}”")
                shown += 1
            if not page.next:
                break
            cursor = page.next
        click.echo(f"{shown} {'commitments' if show_all else 'candidates to decide'}",
                   err=True)


@candidates.command("confirm")
@click.argument("ids", nargs=-1, required=True, type=click.UUID)
def candidates_confirm(ids: tuple[UUID, ...]) -> None:
    """Confirm candidates: each becomes an open promise, chased until kept."""
    with _service() as (app, _):
        for commitment_id in ids:
            app.execute(c.UpdateCommitment(commitment_id, Action.CONFIRM), CLI_ADMIN)
            click.echo(f"confirmed {commitment_id}")


@candidates.command("reject")
@click.argument("ids", nargs=-1, required=True, type=click.UUID)
@click.option("--reason", required=True, help="Why it is no promise (kept in the history).")
def candidates_reject(ids: tuple[UUID, ...], reason: str) -> None:
    """Reject candidates that are no promise; they are never counted."""
    with _service() as (app, _):
        for commitment_id in ids:
            app.execute(c.UpdateCommitment(commitment_id, Action.REJECT, note=reason),
                        CLI_ADMIN)
            click.echo(f"rejected {commitment_id}")


@candidates.command("edit")
@click.argument("commitment_id", type=click.UUID)
@click.option("--text", help="The promise as it should read.")
@click.option("--kind", type=click.Choice([k.value for k in Kind]))
@click.option("--agency", help="The code of the agency that owns it.")
@click.option("--due-on", type=click.DateTime(formats=["%Y-%m-%d"]), help="A stated due date.")
@click.option("--note", help="Why it was corrected.")
def candidates_edit(commitment_id: UUID, text: str | None, kind: str | None,
                    agency: str | None, due_on: datetime | None, note: str | None) -> None:
    """Correct a candidate before confirming it (recorded as an event)."""
    try:
        code = canonical_code(agency) if agency else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--agency") from None
    with _service() as (app, queries):
        app.execute(c.EditCommitment(
            commitment_id, text=text, kind=Kind(kind) if kind else None, agency=code,
            due_on=due_on.date() if due_on else None, note=note), CLI_ADMIN)
        view = queries.commitment(commitment_id)
        click.echo(f"{view.id}  {view.agency} {view.kind} due {view.due_on}: "
                   f"“{_short(view.text)}”")
