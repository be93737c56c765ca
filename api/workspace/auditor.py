"""The auditor's pages: claims to judge, and lists across agencies."""

from __future__ import annotations

from typing import Any

from flask import abort, g, render_template, request

from api import documents, i18n
from api.context import queries, service
from api.documents import content
from api.workspace.core import PAGE_SIZE, blp, requires
from domain.access import Role
from domain.status import Status, Verdict
from service.queries import CommitmentFilter, Sort

# The lists across agencies a union leader reports from.
LISTS = ("overdue", "disputed")


def _list_filter(which: str) -> CommitmentFilter:
    if which not in LISTS:
        abort(404, description=i18n._("There is no such list."))
    return (CommitmentFilter(overdue=True, promised=True) if which == "overdue"
            else CommitmentFilter(verdict=Verdict.DISPUTED, promised=True))


@blp.route("/claims")
@requires(Role.ADMIN, Role.AUDITOR)
def claims() -> Any:
    """The auditor's queue: what agencies say they delivered, partly
    delivered or declined (domain.status.JUDGEABLE) and nobody has judged
    yet, oldest claim first, with its evidence or reason; and the extensions
    they asked for, with each commitment's earlier requests."""
    page = queries().list_commitments(CommitmentFilter(unjudged=True, promised=True),
                                      sort=Sort.MADE, cursor=request.args.get("after"),
                                      limit=PAGE_SIZE)
    # Requests for a later date, the oldest first, each with what came before.
    requests = queries().list_commitments(
        CommitmentFilter(extension_requested=True, promised=True), sort=Sort.MADE,
        cursor=request.args.get("requests_after"), limit=PAGE_SIZE)
    earlier = queries().extension_steps([r.id for r in requests.items])
    # A claim the asker contested is back here; it says so.
    contested = queries().contested_by_asker([c.id for c in page.items])
    reasons = queries().decline_reasons([c.id for c in page.items
                                         if c.status == Status.DECLINED.value])
    return render_template("workspace/claims.html", account=g.account, page=page,
                           requests=requests, earlier=earlier, contested=contested,
                           reasons=reasons)


@blp.route("/lists/<which>")
@requires(Role.ADMIN, Role.AUDITOR)
def promises_list(which: str) -> Any:
    """Overdue or disputed promises across agencies, the most overdue first."""
    where = _list_filter(which)
    page = queries().list_commitments(where, sort=Sort.DUE, cursor=request.args.get("after"),
                                      limit=PAGE_SIZE)
    names = {a.code: a.name for a in queries().agencies()}
    return render_template("workspace/list.html", account=g.account, page=page, which=which,
                           names=names)


@blp.route("/lists/<which>.<form>")
@requires(Role.ADMIN, Role.AUDITOR)
def export(which: str, form: str) -> Any:
    """The same lists for a report to the Party committee or the People's
    Council, as CSV or an Excel workbook, in the worker's language."""
    where = _list_filter(which)
    if form not in ("csv", "xlsx"):
        abort(404, description=i18n._("There is no such list."))
    names = {a.code: a.name for a in queries().agencies()}
    table = content.listed(list(queries().every_commitment(where, sort=Sort.DUE)), names)
    name = f"{which}-{service().clock().isoformat()}"
    if form == "xlsx":
        return documents.workbook_response([table], name)
    return documents.csv_response(table, name)
