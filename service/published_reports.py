"""Reports that go out after the agencies' right of reply: their entries read
from the record as of a date, and the log's head when they are published."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any
from uuid import UUID

from domain.access import Actor
from domain.agency import Agency, agency_id
from domain.errors import NotFound
from domain.messages import Message
from domain.published_report import PublishedReport, ReportState
from service.application import Commitments
from service.commands import OpenReportForReply, PublishReport, ReplyToReport
from service.handlers import load
from service.idempotency import Idempotency
from service.messages import Outgoing
from service.notices import STATUS_VI, vi_date
from service.queries import CommitmentFilter, CommitmentView, Queries
from service.read_model import as_date


def entry_of(view: CommitmentView) -> dict[str, Any]:
    """What a report keeps of one promise, as it stood on the report's date."""
    return {
        "id": str(view.id), "agency": view.agency, "text": view.text, "kind": view.kind,
        "status": view.status, "made_on": view.made_on.isoformat(),
        "due_on": view.due_on.isoformat(), "overdue": view.overdue,
        "days_overdue": view.days_overdue,
        "fulfilled_on": view.fulfilled_on.isoformat() if view.fulfilled_on else None,
        "verdict": view.verdict, "dialogue_id": str(view.source["dialogue_id"]),
    }


@dataclass(frozen=True)
class ReportView:
    """A report as one reader sees it: every entry, or an agency's own."""

    report: PublishedReport
    entries: list[dict[str, Any]]

    @property
    def id(self) -> UUID:
        return self.report.id

    def __getattr__(self, name: str) -> Any:
        return getattr(self.report, name)


def view_of(report: PublishedReport, agency: str | None = None) -> ReportView:
    """Each entry with the reply beside it; only `agency`'s when given."""
    entries = [{**entry, "reply": report.replies.get(entry["id"])}
               for entry in report.entries if agency is None or entry["agency"] == agency]
    return ReportView(report, entries)


@dataclass(frozen=True)
class ReportLine:
    """A report as the list shows it: how many entries (an agency's own, for
    its officer), not the entries."""

    id: UUID
    title: str
    as_of: date
    state: ReportState
    opened_on: date
    replies_close_on: date
    published_on: date | None
    head: dict[str, Any] | None
    agencies: list[str]
    shown: int


class PublishedReports:
    def __init__(self, app: Commitments, queries: Queries) -> None:
        self.app = app
        self.queries = queries

    def open(self, actor: Actor, title: str, as_of: date, reply_days: int,
             idempotency: Idempotency | None = None) -> PublishedReport:
        self._whole_log()
        entries = [entry_of(view) for view in self.queries.every_commitment(
            CommitmentFilter(promised=True), as_of=min(as_of, self.app.clock()))]
        outcome = self.app.execute(OpenReportForReply(title, as_of, reply_days, entries), actor,
                                   idempotency)
        found: PublishedReport = self.app.result(outcome)
        return found

    def reply(self, actor: Actor, report_id: UUID, commitment_id: UUID, text: str,
              idempotency: Idempotency | None = None) -> PublishedReport:
        outcome = self.app.execute(ReplyToReport(report_id, commitment_id, text), actor,
                                   idempotency)
        found: PublishedReport = self.app.result(outcome)
        return found

    def publish(self, actor: Actor, report_id: UUID) -> PublishedReport:
        self._whole_log()
        self.queries.fresh()
        head = self.queries.view.chain_head()
        outcome = self.app.execute(PublishReport(report_id, head and {
            "events": int(head["seq"]), "digest": str(head["digest"])}), actor)
        found: PublishedReport = self.app.result(outcome)
        return found

    def _whole_log(self) -> None:
        """A report is frozen from the whole log as it is now, not only as far
        as the caller's last write: the reads that follow wait (bounded) for
        the projector to reach the log's head; a worker applies it itself."""
        self.queries.read_after(self.app.recorder.max_notification_id() or 0)

    def get(self, report_id: UUID) -> PublishedReport:
        """One report from its own short stream (opened, replied to,
        published): its entries are fixed when it is opened, a published
        report never changes, and its page holds the forms that change an
        open one, so it is read as it stands, not as far as the tables are."""
        return load(self.app.repository, PublishedReport, report_id)

    def published(self, report_id: UUID) -> PublishedReport:
        """A report the public may read: published, or NotFound."""
        found = self.get(report_id)
        if found.state is not ReportState.PUBLISHED:
            raise NotFound(f"no published report with id {report_id}")
        return found

    def lines(self, agency: str | None = None) -> list[ReportLine]:
        """Every report, the latest opened first, from the reports' table;
        with `agency`, each counts only that agency's entries."""
        self.queries.fresh()
        found = []
        for row in self.queries.view.rows("SELECT * FROM rm_published_reports "
                                          "ORDER BY position DESC"):
            entries: dict[str, int] = json.loads(row["entries"])
            found.append(ReportLine(
                id=UUID(str(row["id"])), title=row["title"], as_of=as_date(row["as_of"]),
                state=ReportState(row["state"]), opened_on=as_date(row["opened_on"]),
                replies_close_on=as_date(row["replies_close_on"]),
                published_on=as_date(row["published_on"]) if row["published_on"] else None,
                head=json.loads(row["head"]) if row["head"] else None,
                agencies=sorted(entries),
                shown=sum(entries.values()) if agency is None else entries.get(agency, 0)))
        return found


def reply_invited(app: Commitments, message: Message) -> Outgoing | None:
    """The mail to an agency whose entries are in a report opened for reply."""
    report: PublishedReport = app.get(UUID(message.about["report_id"]))
    code = message.about["agency"]
    agency: Agency = app.get(agency_id(code))
    to = list(dict.fromkeys(c["email"].strip().lower() for c in agency.contacts
                            if c.get("email")))
    if not to:
        return None
    own = [entry for entry in report.entries if entry["agency"] == code]
    link = f"{app.settings.public_base_url}/workspace/published-reports/{report.id}"
    paragraphs = [
        f"Kính gửi: {agency.name}",
        f"Báo cáo \u201c{report.title}\u201d (số liệu đến ngày {vi_date(report.as_of)}) "
        f"có {len(own)} cam kết của quý cơ quan. Trước khi báo cáo được công bố, quý cơ quan "
        f"có thể gửi ý kiến phản hồi về từng cam kết đến hết ngày "
        f"{vi_date(report.replies_close_on)}; ý kiến sẽ được đăng bên cạnh cam kết.",
        *(f"- {entry['text']} ({STATUS_VI.get(entry['status'], entry['status'])})"
          for entry in own[:20]),
        f"Xem và phản hồi: {link}",
    ]
    text = "\n\n".join(paragraphs) + "\n"
    html = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return Outgoing(key=message.key, to=to, subject=f"[Báo cáo] Mời phản hồi trước khi "
                    f"công bố: {report.title}", text=text,
                    html=f'<!doctype html><html lang="vi"><meta charset="utf-8"><body>{html}'
                         "</body></html>")
