"""What a filed report says, in the reader's language, whatever its format.

The report's pages, turned into one plain structure (a letterhead, a title,
headings, paragraphs and tables of typed cells) that each format lays out in
its own way: `word`, `pdf` and `sheet`. Words are chosen here, once: a status
is "đang thực hiện", not `in_progress`; a date stays a date for the format to
write as its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from api import labels
from api.i18n import _, language, number, percent
from api.report_schemas import public_url
from service.queries import CommitmentView
from service.reports import (
    AgencyReport,
    DialogueReport,
    DialogueSummary,
    LogHead,
    Overview,
    Reported,
    Scorecard,
    Standing,
)
from service.settings import DocumentSettings


@dataclass(frozen=True)
class Link:
    """A cell that opens something: an evidence document, a promise's page."""

    text: str
    url: str


Cell = str | int | float | date | Link | None


@dataclass(frozen=True)
class Column:
    title: str
    # Millimetres on paper; a spreadsheet's characters are about twice that.
    width: float


@dataclass(frozen=True)
class Table:
    name: str
    columns: list[Column]
    rows: list[list[Cell]]


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    # "body", or "quote" for what someone said (set apart, in italics).
    style: str = "body"


Block = Heading | Paragraph | Table


@dataclass(frozen=True)
class Document:
    """A report in Decree 30/2020/NĐ-CP's parts, top to bottom."""

    parent: str
    issuer: str
    number: str
    motto: tuple[str, str]
    place_and_date: str
    kind: str
    title: str
    blocks: list[Block]
    recipients_label: str
    recipients: list[str]
    signer_title: str
    signer_name: str
    footer: str
    # What a workbook of the same page holds, the main table first; made
    # only when asked for (an agency's 10,000 rows twice over otherwise).
    sheets: Callable[[], list[Table]] = list
    name: str = "report"


# A spreadsheet runs a cell that starts with one of these as a formula: text
# typed by anyone (a promise, an asker's name) must not run on a reader's PC.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


NBSP = "\u00a0"


def inert(text: str) -> str:
    """OWASP's rule for CSV injection: a leading single quote makes the cell text.
    Every CSV and workbook cell of text goes through here."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def day(value: date | None) -> str:
    """A date as an official paper writes it: 05/07/2024 in Vietnamese."""
    if value is None:
        return ""
    if language() == "vi":
        return value.strftime("%d/%m/%Y")
    return value.strftime("%d %b %Y")


def plain(value: Cell) -> str:
    """A cell as text on paper."""
    if value is None:
        return ""
    if isinstance(value, date):
        return day(value)
    if isinstance(value, Link):
        return value.text
    return str(value)


# -- the three reports ---------------------------------------------------------------


def overview(report: Overview, settings: DocumentSettings, today: date,
             log: LogHead | None) -> Document:
    dialogues = _dialogue_list(report.dialogues)
    blocks: list[Block] = [
        Heading(_("I. Overall results")),
        _scorecard(report.scorecard),
        Heading(_("II. Results by agency")),
        Paragraph(_("Agencies by share of their promises overdue, the lowest first; an agency "
                    "with fewer than %(n)s promises is listed unranked.",
                    n=number(report.minimum))),
        _standings_summary(report.standings),
        Heading(_("III. Forums held")),
        dialogues,
    ]
    forum = f" ({_(labels.FORUM[report.forum.value])})" if report.forum else ""
    name = (f"scorecard-{report.forum.value}-{report.as_of}" if report.forum
            else f"scorecard-{report.as_of}")
    return _document(
        settings, today, report.as_of, log,
        _("Results of the promises made at dialogues and forums, as of %(day)s",
          day=day(report.as_of)) + forum,
        blocks, lambda: [standings(report.standings), dialogues, _scorecard(report.scorecard)],
        name)


def dialogue(report: DialogueReport, settings: DocumentSettings, today: date,
             log: LogHead | None) -> Document:
    d = report.summary
    facts = [_(labels.FORUM[d.forum]), day(d.held_on)]
    facts += [part for part in (d.place, report.organiser) if part]
    blocks: list[Block] = [
        Paragraph(" · ".join(facts)),
        Heading(_("I. Overall results")),
        _scorecard(d.scorecard),
        Paragraph(_("%(asked)s questions, %(answered)s answered.",
                    asked=number(d.questions), answered=number(d.answered))),
        Heading(_("II. Questions, answers and promises")),
    ]
    for n, question in enumerate(report.questions, start=1):
        blocks.append(Heading(f"{_('Question')} {n}. {_who(question.asker)}"))
        blocks.append(Paragraph(question.text, "quote"))
        if not question.answers:
            blocks.append(Paragraph(_("No answer has been recorded for this question.")))
        for answer in question.answers:
            when = f" ({day(answer.answered_on)})" if answer.answered_on else ""
            blocks.append(Paragraph(f"{_('Answer by')} {_who(answer.responder)}{when}:"))
            blocks.append(Paragraph(answer.text, "quote"))
        if question.commitments:
            blocks.append(_promises(question.commitments, _("Promises")))
        elif question.answers:
            blocks.append(Paragraph(_("The answer made no promise.")))
    if report.others:
        blocks.append(Heading(_("Other promises made at this dialogue")))
        blocks.append(_promises(report.others, _("Promises")))
    return _document(
        settings, today, report.as_of, log,
        _("Results of the promises made at %(title)s (%(day)s), as of %(as_of)s",
          title=d.title, day=day(d.held_on), as_of=day(report.as_of)),
        blocks, lambda: [export(report.commitments), _scorecard(d.scorecard)],
        f"dialogue-{d.id}-{report.as_of}")


def agency(report: AgencyReport, settings: DocumentSettings, today: date,
           log: LogHead | None) -> Document:
    blocks: list[Block] = [Heading(_("I. Overall results")), _scorecard(report.scorecard)]
    if report.standing and report.standing.rank:
        blocks.append(Paragraph(_(
            "Rank %(rank)d in the league table; %(share)s of its promises are overdue.",
            rank=report.standing.rank, share=percent(report.standing.overdue_share))))
    elif report.standing:
        blocks.append(Paragraph(_("Not ranked: fewer promises than the league table needs.")))
    blocks.append(Heading(_("II. Its promises") + f" ({number(report.total)})"))
    if report.commitments:
        blocks.append(_promises(report.commitments, _("Promises"), agency=False))
    else:
        blocks.append(Paragraph(_("No promises recorded for this agency by this date.")))
    return _document(
        settings, today, report.as_of, log,
        _("Results of the promises made by %(agency)s, as of %(day)s",
          agency=report.agency.name, day=day(report.as_of)),
        blocks, lambda: [export(report.commitments), _scorecard(report.scorecard)],
        f"agency-{report.agency.code}-{report.as_of}")


def _document(settings: DocumentSettings, today: date, as_of: date, log: LogHead | None,
              title: str, blocks: list[Block], sheets: Callable[[], list[Table]],
              name: str) -> Document:
    return Document(
        parent=settings.parent.upper(),
        issuer=settings.issuer.upper(),
        # Left blank for the clerk who registers the document to fill in.
        number=f"{_('No.')}:{NBSP * 8}/{settings.symbol}",
        motto=(_("SOCIALIST REPUBLIC OF VIETNAM"), _("Independence - Freedom - Happiness")),
        place_and_date=_place_and_date(settings.place, today),
        kind=_("REPORT"),
        title=title,
        blocks=blocks,
        recipients_label=_("Recipients") + ":",
        recipients=[f"- {r};" if n < len(settings.recipients) - 1 else f"- {r}."
                    for n, r in enumerate(settings.recipients)],
        signer_title=settings.signer_title.upper(),
        signer_name=settings.signer_name,
        footer=footer(as_of, log),
        sheets=sheets,
        name=name,
    )


def footer(as_of: date, log: LogHead | None) -> str:
    """The figures' date, and the log's last link: whoever keeps the paper can
    later check that the history it was drawn from was not rewritten."""
    said = _("Figures as of the end of %(day)s.", day=day(as_of))
    if log is None:
        return said
    return said + " " + _("Log head: event %(events)s, digest %(digest)s.",
                          events=log.events, digest=log.digest)


def _place_and_date(place: str, today: date) -> str:
    if language() == "vi":
        return f"{place}, ngày {today:%d} tháng {today:%m} năm {today:%Y}"
    return f"{place}, {today.day} {today:%B %Y}"


# -- tables ------------------------------------------------------------------------------

_SCORECARD_ROWS = (
    ("made", "promises made"),
    ("fulfilled_on_time", "fulfilled on time"),
    ("fulfilled_by_original_date", "fulfilled by the original date"),
    ("fulfilled_late", "fulfilled late"),
    ("pending_within_deadline", "pending, within deadline"),
    ("overdue", "overdue"),
    ("partially_fulfilled", "partially fulfilled"),
    ("declined", "declined"),
    ("withdrawn", "withdrawn"),
    ("verified", "verified by the union"),
    ("disputed", "disputed by the union"),
    ("confirmed_by_asker", "confirmed by the asker"),
    ("contested_by_asker", "contested by the asker"),
)


def _scorecard(card: Scorecard) -> Table:
    return Table(_("Summary"), [Column(_("Indicator"), 110), Column(_("Number"), 50)],
                 [[_(label).capitalize(), getattr(card, key)] for key, label in _SCORECARD_ROWS])


def _standings_summary(standings: Sequence[Standing]) -> Table:
    """The league table as it fits across a page."""
    return Table(_("Agencies"), [
        Column(_("Rank"), 13), Column(_("Agency"), 52), Column(_("Promises"), 18),
        Column(_("fulfilled on time").capitalize(), 20),
        Column(_("fulfilled late").capitalize(), 19),
        Column(_("pending, within deadline").capitalize(), 20),
        Column(_("Overdue"), 18),
    ], [[s.rank, s.score.name, s.owned, s.score.fulfilled_on_time, s.score.fulfilled_late,
         s.score.pending_within_deadline, s.score.overdue] for s in standings])


def standings(listed: Sequence[Standing]) -> Table:
    """Every figure of the league table, as the CSV and the workbook hold it."""
    return Table(_("Agencies"), [
        Column(_("Rank"), 6), Column(_("Agency code"), 8), Column(_("Agency"), 30),
        Column(_("Promises"), 8), Column(_("Share overdue"), 8), Column(_("Overdue"), 8),
        Column(_("fulfilled on time").capitalize(), 8),
        Column(_("fulfilled by the original date").capitalize(), 8),
        Column(_("fulfilled late").capitalize(), 8),
        Column(_("pending, within deadline").capitalize(), 8),
        Column(_("partially fulfilled").capitalize(), 8),
        Column(_("declined").capitalize(), 8), Column(_("withdrawn").capitalize(), 8),
        Column(_("transferred").capitalize(), 8),
        Column(_("verified by the union").capitalize(), 8),
        Column(_("disputed by the union").capitalize(), 8),
        Column(_("confirmed by the asker").capitalize(), 8),
        Column(_("contested by the asker").capitalize(), 8), Column(_("Address"), 25),
    ], [[s.rank, s.score.agency, s.score.name, s.owned, round(s.overdue_share, 4),
         s.score.overdue, s.score.fulfilled_on_time, s.score.fulfilled_by_original_date,
         s.score.fulfilled_late, s.score.pending_within_deadline, s.score.partially_fulfilled,
         s.score.declined, s.score.withdrawn, s.score.transferred, s.score.verified,
         s.score.disputed, s.score.confirmed_by_asker, s.score.contested_by_asker,
         _page_link("reports.agency", code=s.score.agency)]
        for s in listed])


def _dialogue_list(dialogues: Sequence[DialogueSummary]) -> Table:
    return Table(_("Dialogues"), [
        Column(_("Held on"), 24), Column(_("Forum"), 56), Column(_("Kind"), 30),
        Column(_("Questions"), 16), Column(_("Answered"), 16), Column(_("Promises"), 18),
    ], [[d.held_on, d.title, _(labels.FORUM[d.forum]), d.questions, d.answered,
         d.scorecard.made] for d in dialogues])


def _promises(items: Sequence[Reported], name: str, agency: bool = True) -> Table:
    """Promises as they fit across a page."""
    columns = [Column(_("No."), 9), Column(_("Promise"), 45 if agency else 63)]
    if agency:
        columns.append(Column(_("Agency"), 18))
    columns += [Column(_("Status"), 18), Column(_("Due"), 22), Column(_("Days overdue"), 12),
                Column(_("Evidence"), 20), Column(_("Union's verdict"), 16)]
    rows: list[list[Cell]] = []
    for n, item in enumerate(items, start=1):
        c = item.commitment
        row: list[Cell] = [n, c.text]
        if agency:
            row.append(item.handover or item.agency_name)
        row += [_status(c.status), c.due_on, c.days_overdue or None, _evidence(c.evidence),
                _verdict(c.verdict)]
        rows.append(row)
    return Table(name, columns, rows)


def export(items: Sequence[Reported]) -> Table:
    """Every field of each promise, as the CSV and the workbook hold it."""
    address = _commitment_link()
    return Table(_("Promises"), [
        Column(_("Id"), 18), Column(_("Agency code"), 8), Column(_("Agency"), 25),
        Column(_("Handed over"), 15), Column(_("Kind"), 12), Column(_("Promise"), 50),
        Column(_("Status"), 12), Column(_("Made on"), 6), Column(_("First due"), 6),
        Column(_("Due"), 6), Column(_("Due date basis"), 14), Column(_("Extensions"), 6),
        Column(_("Overdue"), 6), Column(_("Days overdue"), 6), Column(_("Fulfilled on"), 6),
        Column(_("Union's verdict"), 12), Column(_("Reminders sent"), 6),
        Column(_("Evidence"), 25), Column(_("Address"), 25),
    ], [[str(item.commitment.id), item.commitment.agency, item.agency_name, item.handover,
         _(labels.KIND[item.commitment.kind]), item.commitment.text,
         _status(item.commitment.status), item.commitment.made_on,
         item.commitment.original_due_on, item.commitment.due_on,
         _(labels.DUE_BASIS[item.commitment.due_basis]), item.commitment.extensions,
         _("Yes") if item.commitment.overdue else _("No"), item.commitment.days_overdue,
         item.commitment.fulfilled_on, _verdict(item.commitment.verdict),
         item.commitment.reminders_sent, _evidence(item.commitment.evidence),
         address(item.commitment.id)]
        for item in items])


def listed(views: Sequence[CommitmentView], names: Mapping[str, str]) -> Table:
    """A list across agencies from the workspace (overdue, disputed)."""
    address = _commitment_link()
    return Table(_("Promises"), [
        Column(_("Id"), 18), Column(_("Agency code"), 8), Column(_("Agency"), 25),
        Column(_("Promise"), 50), Column(_("Status"), 12), Column(_("Due"), 6),
        Column(_("Days overdue"), 6), Column(_("Union's verdict"), 12),
        Column(_("Reminders sent"), 6), Column(_("Address"), 25),
    ], [[str(v.id), v.agency, names.get(v.agency, v.agency), v.text, _status(v.status),
         v.due_on, v.days_overdue, _verdict(v.verdict), v.reminders_sent,
         address(v.id)] for v in views])


def published(entries: Sequence[Mapping[str, Any]], names: Mapping[str, str]) -> Table:
    """A published report's entries as they were frozen, each agency's reply
    beside its promise (service.published_reports)."""
    address = _commitment_link()
    return Table(_("Promises"), [
        Column(_("Id"), 18), Column(_("Agency code"), 8), Column(_("Agency"), 25),
        Column(_("Promise"), 50), Column(_("Status"), 12), Column(_("Made on"), 6),
        Column(_("Due"), 6), Column(_("Overdue"), 6), Column(_("Days overdue"), 6),
        Column(_("Fulfilled on"), 6), Column(_("Union's verdict"), 12),
        Column(_("The agency's reply"), 40), Column(_("Address"), 25),
    ], [[e["id"], e["agency"], names.get(e["agency"], e["agency"]), e["text"],
         _status(e["status"]), _day_of(e["made_on"]), _day_of(e["due_on"]),
         _("Yes") if e["overdue"] else _("No"), e["days_overdue"], _day_of(e["fulfilled_on"]),
         _verdict(e["verdict"]), (e["reply"] or {}).get("text"), address(UUID(e["id"]))]
        for e in entries])


def _day_of(text: str | None) -> date | None:
    # A frozen entry keeps its dates as text (it is an event's payload).
    return date.fromisoformat(text) if text else None


def _status(code: str) -> str:
    return _(labels.STATUS[code])


def _verdict(code: str | None) -> str | None:
    return _(labels.VERDICT[code]) if code else None


def _evidence(items: Sequence[dict[str, Any]]) -> Cell:
    """Evidence titles; a link where the first item is a web address."""
    if not items:
        return None
    text = "; ".join(str(item.get("title") or item.get("url") or "") for item in items)
    url = str(items[0].get("url") or "")
    return Link(text, url) if url.startswith(("https://", "http://")) else text


def _commitment_link() -> Callable[[UUID], Link]:
    """Each promise's public address: Flask builds one, the rest follow it
    (url_for is a third of a 10,000-row workbook's time otherwise)."""
    pattern = public_url("reports.commitment", commitment_id=_SAMPLE)

    def address(commitment_id: UUID) -> Link:
        url = pattern.replace(str(_SAMPLE), str(commitment_id))
        return Link(url, url)

    return address


_SAMPLE = UUID(int=0)


def _page_link(endpoint: str, **values: Any) -> Link:
    url = public_url(endpoint, **values)
    return Link(url, url)


def _who(person: dict[str, Any]) -> str:
    parts = [str(person.get(key)) for key in ("name", "title", "organisation") if person.get(key)]
    kind = person.get("kind")
    if kind and kind != "person" and kind in labels.ASKER:
        parts[-1:] = [f"{parts[-1]} ({_(labels.ASKER[kind])})"] if parts else []
    return ", ".join(parts)
