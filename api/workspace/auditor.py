"""The auditor's pages: claims to judge, and lists across agencies."""

from __future__ import annotations

from typing import Any

from flask import abort, g, render_template, request

from api.context import queries, service
from api.reports import csv_response
from api.workspace.core import PAGE_SIZE, blp, signed_in
from domain.access import Role
from domain.account import Account
from domain.status import Verdict
from service.queries import CommitmentFilter, Sort


@blp.route("/claims")
@signed_in
def claims() -> Any:
    """The auditor's queue: what agencies say they delivered and nobody has
    judged yet, oldest claim first, with its evidence."""
    account: Account = g.account
    if account.role is Role.AGENCY:
        abort(403)
    page = queries().list_commitments(CommitmentFilter(unjudged=True, promised=True),
                                      sort=Sort.MADE, cursor=request.args.get("after"),
                                      limit=PAGE_SIZE)
    return render_template("workspace/claims.html", account=account, page=page)


@blp.route("/lists/<which>.csv")
@signed_in
def export(which: str) -> Any:
    """Overdue or disputed promises across agencies, for a report to the
    Party committee or the People's Council."""
    account: Account = g.account
    if account.role is Role.AGENCY or which not in ("overdue", "disputed"):
        abort(403 if account.role is Role.AGENCY else 404)
    where = (CommitmentFilter(overdue=True, promised=True) if which == "overdue"
             else CommitmentFilter(verdict=Verdict.DISPUTED, promised=True))
    rows = [{"id": str(v.id), "agency": v.agency, "text": v.text, "status": v.status,
             "due_on": v.due_on.isoformat(), "days_overdue": v.days_overdue,
             "verdict": v.verdict or "", "reminders_sent": v.reminders_sent}
            for v in queries().every_commitment(where, sort=Sort.DUE)]
    return csv_response(rows, ("id", "agency", "text", "status", "due_on", "days_overdue",
                               "verdict", "reminders_sent"),
                        f"{which}-{service().clock().isoformat()}")
