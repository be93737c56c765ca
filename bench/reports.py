"""How fast the public report's pages render: the scorecard, and the page of an
agency that holds 10,000 commitments.

On a fresh store (a PostgreSQL database created for the run and dropped after
it, or with --sqlite the embedded SQLite files in a temporary folder):

  load      20 agencies and 50 dialogues held in 2024, as bench/read_models.py
            makes them (`setup`), then --size commitments all owned by one
            agency (--agency, default SYT) and --others commitments spread
            over the 19 other agencies, interleaved in the log, each with
            about --events-per-commitment events (`make_commitment`,
            `apply_step`), --chunk commitments per `app.save`.
  catch-up  `build_queries(app).projector.catch_up()`: the read tables are
            complete before anything is timed.
  pages     `api.create_app(app, queries)` and Flask's test client (in-process
            WSGI, no socket): "server time" is the wall time of `client.get`.
            After --warmup requests, p50/p95 over --samples requests of:
              scorecard          GET /reports/
              scorecard as of    GET /reports/?as_of=2024-12-31 (history rows)
              agency             GET /reports/agencies/SYT (first page of 50
                                 promises with their timelines)
              agency as of       GET /reports/agencies/SYT?as_of=2024-12-31
              agency CSV         GET /reports/agencies/SYT?format=csv (every
                                 promise; informative, no target)
              agency DOCX, PDF,  GET /reports/agencies/SYT?format=docx|pdf|xlsx
              XLSX               (every promise, the documents an office files;
                                 --document-samples requests each, one warmup;
                                 target: under 10 s)
            and, as the baseline, `Queries.agency_scores()` called directly
            (the bare read behind GET /api/v1/public/reports/agencies).
  workspace the staff workspace's pages, signed in (a session cookie) as an
            officer of the agency and as an auditor:
              home               GET /workspace/ (the officer's list: overdue
                                 first, then due soon, 50 a page)
              search             GET /workspace/?q=bien che (accent-insensitive)
              commitment         GET /workspace/commitments/ID (one of the
                                 agency's, with its history and forms)
              claims             GET /workspace/claims (auditor's queue)
              overdue list       GET /workspace/lists/overdue (every agency)
              overdue CSV        GET /workspace/lists/overdue.csv (informative)
            Every response must be a 200 with no read-model lag; the pages
            must name the agency, and the CSV must hold a header and one row
            per promise of the agency (commitments still awaiting confirmation
            are not promises and are not listed); so must the Word file's
            table of promises and the workbook's first sheet, opened with
            python-docx and openpyxl, and the PDF (pypdf) must end with the
            recipients' block.

The application's clock is fixed at 2025-06-01, as in bench/read_models.py.

Target: the scorecard and the agency page, today and as of a past date, and
the workspace pages (but the CSV), under 300 ms at p95; each of the agency's
documents (docx, pdf, xlsx) under 10 s. The script prints
whether it is met and exits 0 either way; it exits non-zero only on errors (a
failed check included).

--profile runs the pages over the target (`--profile all`: every page) a few
more times under cProfile, and prints where their time goes: each SQL
statement's time by the function that ran it, the template code (the
`*.html` rows), and the profile's heaviest functions.

PostgreSQL is reached at POSTGRES_HOST:POSTGRES_PORT (default 127.0.0.1:5432)
as POSTGRES_USER (default postgres) with POSTGRES_PASSWORD.

    python bench/reports.py                          # PostgreSQL, 10,000 commitments
    python bench/reports.py --sqlite
    python bench/reports.py --size 2000 --samples 10 --profile
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import html
import io
import pstats
import random
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pypdf
from jinja2 import Environment

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from append import sqlite_store
from measure import Progress, log
from read_models import (
    TODAY,
    Latency,
    Seed,
    _server_notes,
    _vacuum,
    apply_step,
    clock,
    make_commitment,
    setup,
    timed_calls,
)
from store import postgres_database

from api import create_app
from api.gunicorn_conf import post_worker_init
from domain.access import Actor, Role
from domain.commitment import Commitment
from domain.status import Status
from service.application import Commitments
from service.bootstrap import build, build_queries
from service.queries import CommitmentFilter, Queries
from service.read_model import ReadModel
from service.settings import Settings

TARGET_MS = 300.0
DOCUMENT_TARGET_MS = 10_000.0
AS_OF = date(2024, 12, 31)
NOT_PROMISES = (Status.PROPOSED.value, Status.REJECTED.value)


# -- the data ---------------------------------------------------------------------------


@dataclass
class Loaded:
    events: int = 0
    seconds: float = 0.0
    # The chosen agency's commitments by status, and how many are promises
    # (what its page counts and its CSV lists).
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def promised(self) -> int:
        return sum(n for status, n in self.statuses.items() if status not in NOT_PROMISES)


def _built(rng: random.Random, seed: Seed, owner: Seed, n: int, events: int) -> Commitment:
    """Commitment number `n`, owned by one of `owner`'s agencies, with its updates."""
    commitment, plan = make_commitment(rng, owner, n, events)
    for step, when in plan:
        apply_step(rng, seed, commitment, step, when)
    return commitment


def load(app: Commitments, args: argparse.Namespace) -> Loaded:
    """`setup`'s agencies and dialogues; then --size commitments of --agency and
    --others of the other agencies, spread evenly through the log."""
    began = time.perf_counter()
    rng = random.Random(args.seed)
    seed = setup(app, rng)
    if args.agency not in seed.agencies:
        raise SystemExit(f"--agency {args.agency!r}: expected one of {', '.join(seed.agencies)}")
    one = replace(seed, agencies=[args.agency])
    rest = replace(seed, agencies=[code for code in seed.agencies if code != args.agency])
    total = args.size + args.others
    result = Loaded(events=app.recorder.max_notification_id() or 0)
    progress = Progress("load", total, "commitments")
    pending: list[Commitment] = []
    for n in range(total):
        # Bresenham: exactly --size of the `total` commitments are the agency's.
        mine = (n + 1) * args.size // total > n * args.size // total
        commitment = _built(rng, seed, one if mine else rest, n, args.events_per_commitment)
        if mine:
            key = commitment.status.value
            result.statuses[key] = result.statuses.get(key, 0) + 1
        pending.append(commitment)
        if len(pending) == args.chunk or n == total - 1:
            result.events += len(app.save(*pending))
            progress.add(len(pending))
            pending = []
    result.seconds = time.perf_counter() - began
    return result  # the catch-up checks that the store holds `result.events`


# -- the requests -----------------------------------------------------------------------


@dataclass
class Check:
    """What a response must hold for its time to count."""

    name: str | None = None  # the agency's name, on the page
    csv_rows: int | None = None  # header included
    marker: str | None = None  # HTML the page must hold, as written
    # A document (docx, pdf, xlsx) and the promises its table must list.
    document: str | None = None
    rows: int | None = None


@dataclass
class Page:
    key: str
    label: str
    url: str | None  # None: the baseline, a direct call
    targeted: bool
    check: Check
    latency: Latency | None = None
    size: int = 0  # bytes of the last response
    error: str | None = None  # why it could not be measured
    who: str | None = None  # the signed-in person asking (None: the public)
    target_ms: float = TARGET_MS
    samples: int | None = None  # None: --samples


class Failed(Exception):
    """A response that is not the page asked for: its time would mean nothing."""


def pages(code: str, name: str, promised: int, samples: int) -> list[Page]:
    shown = Check(name=name)
    documents = [
        Page(f"agency-{form}", f"GET /reports/agencies/{code}?format={form}",
             f"/reports/agencies/{code}?format={form}", True,
             Check(document=form, rows=promised), target_ms=DOCUMENT_TARGET_MS,
             samples=samples)
        for form in ("docx", "pdf", "xlsx")]
    return [
        Page("baseline", "Queries.agency_scores() (baseline)", None, False, Check()),
        Page("scorecard", "GET /reports/", "/reports/", True, shown),
        Page("scorecard-as-of", f"GET /reports/?as_of={AS_OF}", f"/reports/?as_of={AS_OF}",
             True, shown),
        Page("agency", f"GET /reports/agencies/{code}", f"/reports/agencies/{code}", True,
             shown),
        Page("agency-as-of", f"GET /reports/agencies/{code}?as_of={AS_OF}",
             f"/reports/agencies/{code}?as_of={AS_OF}", True, shown),
        Page("agency-csv", f"GET /reports/agencies/{code}?format=csv",
             f"/reports/agencies/{code}?format=csv", False, Check(csv_rows=promised + 1)),
        *documents,
    ]


def workspace_pages(code: str, commitment: str, overdue: int) -> list[Page]:
    listed = Check(marker='id="commitments"')
    return [
        Page("ws-home", f"GET /workspace/ (officer of {code})", "/workspace/", True, listed,
             who="officer"),
        Page("ws-search", "GET /workspace/?q=bien che (officer)", "/workspace/?q=bien+che",
             True, listed, who="officer"),
        Page("ws-commitment", "GET /workspace/commitments/ID (officer)",
             f"/workspace/commitments/{commitment}", True, Check(marker='id="update-form"'),
             who="officer"),
        Page("ws-claims", "GET /workspace/claims (auditor)", "/workspace/claims", True,
             Check(marker='id="claims"'), who="auditor"),
        Page("ws-overdue", "GET /workspace/lists/overdue (auditor)", "/workspace/lists/overdue",
             True, Check(marker='id="promises"'), who="auditor"),
        Page("ws-overdue-csv", "GET /workspace/lists/overdue.csv (auditor)",
             "/workspace/lists/overdue.csv", False, Check(csv_rows=overdue + 1), who="auditor"),
    ]


PASSWORD = "a bench password, long enough"


def signed_in(flask_app: Any, app: Commitments, email: str, role: Role,
              agency: str | None) -> Any:
    """A test client with the session of a new account."""
    app.create_account(email, email.split("@")[0], role, agency, PASSWORD, Actor(Role.ADMIN))
    client = flask_app.test_client()
    page = client.get("/workspace/sign-in").get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    done = client.post("/workspace/sign-in", data={
        "email": email, "password": PASSWORD, "csrf_token": found.group(1)})
    if done.status_code != 302:
        raise SystemExit(f"could not sign in as {email}: {done.status_code}")
    return client


def verify(page: Page, response: Any) -> None:
    """Raise `Failed` when `response` is not the page asked for."""
    problem = None
    if response.status_code != 200:
        problem = f"status {response.status_code}"
    elif response.headers.get("X-Read-Model-Lag"):
        problem = f"read model behind by {response.headers['X-Read-Model-Lag']} events"
    elif page.check.document is not None:
        problem = _document_problem(page.check, response.get_data())
    else:
        body = response.get_data(as_text=True)
        if page.check.name is not None and html.escape(page.check.name) not in body:
            problem = f"the page does not name the agency ({page.check.name!r})"
        elif page.check.marker is not None and page.check.marker not in body:
            problem = f"the page lacks {page.check.marker!r}"
        elif page.check.csv_rows is not None:
            rows = sum(1 for _ in csv.reader(io.StringIO(body)))
            if rows != page.check.csv_rows:
                problem = (f"{rows:,} CSV rows, expected {page.check.csv_rows:,} "
                           "(a header and one row per promise)")
    if problem:
        log(f"{page.label}: {problem}; the response began:\n"
            f"{response.get_data()[:1000].decode(errors='replace')}")
        raise Failed(problem)


def _document_problem(check: Check, body: bytes) -> str | None:
    """Open the file with its own library: its table must list every promise."""
    if check.document == "docx":
        # The longest table: the letterhead and the signature are tables too.
        tables = docx.Document(io.BytesIO(body)).tables
        listed = max((len(t.rows) for t in tables), default=1) - 1
    elif check.document == "xlsx":
        # Counted row by row: a workbook written row by row records no size.
        rows = openpyxl.load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
        listed = sum(1 for _ in rows.iter_rows()) - 1
    else:
        pdf = pypdf.PdfReader(io.BytesIO(body))
        if "Nơi nhận" not in (pdf.pages[-1].extract_text() or ""):
            return f"the PDF's last page (of {len(pdf.pages)}) has no recipients' block"
        return None
    if listed != check.rows:
        return f"the {check.document} lists {listed:,} promises, expected {check.rows:,}"
    return None


def _request(page: Page, client: Any, queries: Queries) -> Callable[[], Any]:
    if page.url is None:
        return lambda: queries.agency_scores()
    url = page.url
    return lambda: client.get(url)


def measure(page: Page, client: Any, queries: Queries, args: argparse.Namespace) -> None:
    call = _request(page, client, queries)
    if page.url is not None:
        first = call()
        verify(page, first)  # the whole check, once, before anything is timed
        page.size = len(first.get_data())
    last: list[Any] = []

    def timed(_: int) -> None:
        found = call()
        if page.url is not None and found.status_code != 200:
            verify(page, found)
        last[:] = [found]

    page.latency = timed_calls(timed, page.samples or args.samples,
                               warmup=min(args.warmup, 1) if page.samples else args.warmup)
    if page.url is not None:
        verify(page, last[0])  # and again on the last timed response


# -- where the time goes ----------------------------------------------------------------


@contextmanager
def sql_timings(view: ReadModel) -> Iterator[dict[tuple[str, str], list[float]]]:
    """Seconds of each `view.rows` call (execute and fetch), by the function
    that asked for it and the statement, while the block runs."""
    found: dict[tuple[str, str], list[float]] = {}
    original = view.rows

    def rows(sql: str, **params: Any) -> list[Any]:
        began = time.perf_counter()
        try:
            return original(sql, **params)
        finally:
            frame = sys._getframe(1)
            while frame.f_back is not None and frame.f_code.co_name in ("_rows", "rows"):
                frame = frame.f_back
            key = (frame.f_code.co_qualname, " ".join(sql.split()))
            found.setdefault(key, []).append(time.perf_counter() - began)

    view.rows = rows  # type: ignore[method-assign]
    try:
        yield found
    finally:
        del view.rows


def template_times(stats: pstats.Stats, env: Environment, requests: int
                   ) -> list[tuple[float, str]]:
    """The profile's rows of compiled template code, each named by the template
    line it comes from (a macro's or block's first line), heaviest first."""
    found = []
    for (filename, line, function), row in stats.stats.items():  # type: ignore[attr-defined]
        if not filename.endswith(".html") or "templates/" not in filename:
            continue
        name = filename.rsplit("templates/", 1)[1]
        template = env.get_template(name)
        source_line = template.get_corresponding_lineno(line)
        assert env.loader is not None
        source = env.loader.get_source(env, name)[0].splitlines()
        text = source[source_line - 1].strip() if 0 < source_line <= len(source) else ""
        short = text if len(text) <= 90 else text[:87] + "..."
        found.append((row[3] * 1000 / requests,
                      f"{name}:{source_line} ({function}) {short}"))
    return sorted(found, reverse=True)


def profile(page: Page, client: Any, queries: Queries, requests: int) -> None:
    call = _request(page, client, queries)
    call()
    profiler = cProfile.Profile()
    with sql_timings(queries.view) as timings:
        began = time.perf_counter()
        for _ in range(requests):
            profiler.runcall(call)
        seconds = (time.perf_counter() - began) / requests
    sql_seconds = sum(sum(v) for v in timings.values()) / requests
    log(f"\n== profile: {page.label}, {requests} requests under cProfile: "
        f"{seconds * 1000:.0f} ms a request, of which {sql_seconds * 1000:.0f} ms in "
        f"view.rows ({sum(len(v) for v in timings.values()) // requests} statements)")
    log("SQL by the function that ran it (ms a request, statements a request):")
    for (caller, sql), took in sorted(timings.items(), key=lambda kv: -sum(kv[1])):
        short = sql if len(sql) <= 150 else sql[:100] + " ... " + sql[-45:]
        log(f"  {sum(took) * 1000 / requests:7.1f} ms  x{len(took) // requests:<3} "
            f"{caller}: {short}")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    rendered = template_times(stats, client.application.jinja_env, requests)
    if rendered:
        log("template code by cumulative time (ms a request; the template line it was "
            "compiled from):")
    for ms, where in rendered[:12]:
        log(f"  {ms:7.1f} ms  {where}")
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)
    log(out.getvalue())


# -- the run ------------------------------------------------------------------------------


@contextmanager
def store(args: argparse.Namespace) -> Iterator[Settings]:
    if args.sqlite:
        with sqlite_store() as settings:
            yield settings
    else:
        with postgres_database("commitments_reports", keep=args.keep_db) as settings:
            _server_notes(settings)
            yield settings


def run(args: argparse.Namespace) -> tuple[list[Page], Loaded, float]:
    with store(args) as settings:
        app = build(settings, clock=clock)
        queries = None
        try:
            log(f"loading {args.size:,} commitments of {args.agency} and {args.others:,} of "
                f"the other agencies, ~{args.events_per_commitment} events each")
            loaded = load(app, args)
            log(f"loaded {loaded.events:,} events in {loaded.seconds:.1f} s; {args.agency}: "
                + ", ".join(f"{k} {v:,}" for k, v in sorted(loaded.statuses.items()))
                + f" ({loaded.promised:,} promises)")
            queries = build_queries(app)
            progress = Progress("catch-up", loaded.events, "events")
            began = time.perf_counter()
            applied = queries.projector.catch_up(progress=progress.add)
            catch_up = time.perf_counter() - began
            if queries.view.position() != loaded.events:
                raise SystemExit(f"catch-up applied {applied} of {loaded.events} events")
            log(f"catch-up: {applied:,} events in {catch_up:.1f} s")
            if args.vacuum:
                began = time.perf_counter()
                _vacuum(settings)
                log(f"VACUUM (ANALYZE) done in {time.perf_counter() - began:.1f} s")
            [row] = queries.view.rows("SELECT name FROM rm_agencies WHERE code = :code",
                                      code=args.agency)
            flask_app = create_app(app, queries)
            if args.no_page_cache:
                # Every request renders its page: what a page costs to make.
                flask_app.extensions["report_pages"].seconds = 0
            clients = {
                None: flask_app.test_client(),
                "officer": signed_in(flask_app, app, "officer@bench.example.vn",
                                     Role.AGENCY, args.agency),
                "auditor": signed_in(flask_app, app, "auditor@bench.example.vn",
                                     Role.AUDITOR, None),
            }
            # The accounts just made: the web app's reads wait for a projector,
            # and this process is the only one.
            queries.catch_up()
            [mine] = queries.view.rows(
                "SELECT id FROM rm_commitments WHERE agency = :code AND active = 1 "
                "ORDER BY position LIMIT 1", code=args.agency)
            overdue = queries.list_commitments(
                CommitmentFilter(overdue=True, promised=True), limit=1).total
            found = pages(args.agency, row["name"], loaded.promised,
                          args.document_samples) + workspace_pages(
                args.agency, str(mine["id"]), overdue)
            # What is loaded by now lives as long as the process, as in a web
            # worker, which hides it from the cyclic collector once the app
            # is loaded (api/gunicorn_conf.py): so does this process.
            post_worker_init(None)
            for page in found:
                warmup = min(args.warmup, 1) if page.samples else args.warmup
                log(f"measuring {page.label}: {warmup} warmups, "
                    f"{page.samples or args.samples} samples")
                try:
                    measure(page, clients[page.who], queries, args)
                except Failed as failure:
                    page.error = str(failure)
                    log(f"  NOT MEASURED: {page.error}")
                    continue
                log(f"  {page.latency}")
            if args.profile:
                for page in found:
                    if page.latency is None:
                        continue
                    if args.profile == "all" or (page.targeted
                                                 and page.latency.p95 >= page.target_ms):
                        profile(page, clients[page.who], queries, args.profile_requests)
        finally:
            if queries is not None:
                queries.close()
            app.close()
    return found, loaded, catch_up


def report(found: list[Page], loaded: Loaded, catch_up: float, args: argparse.Namespace,
           seconds: float) -> bool:
    """Print the table and the target line; False when a page could not be measured."""
    store_name = "SQLite (embedded, temporary folder)" if args.sqlite else "PostgreSQL"
    [baseline] = [p for p in found if p.url is None]
    assert baseline.latency is not None
    print()
    print(f"Public report and staff workspace pages on {store_name}: {args.agency} holds "
          f"{args.size:,} commitments ({loaded.promised:,} promises), {args.others:,} more "
          "over 19 other agencies, "
          f"{loaded.events:,} events; clock {TODAY}"
          + ("; VACUUM (ANALYZE) before the reads" if args.vacuum else "") + ".")
    print(f"Server time = wall time of Flask's test client.get; p50/p95 over {args.samples} "
          f"requests after {args.warmup} warmups, read model caught up.")
    print()
    header = (f"{'request':<48} {'p50 ms':>8} {'p95 ms':>8} {'p95/base':>9} "
              f"{'bytes':>10}  target")
    print(header)
    print("-" * len(header))
    for page in found:
        if page.latency is None:
            print(f"{page.label:<48} NOT MEASURED: {page.error}")
            continue
        ratio = page.latency.p95 / baseline.latency.p95
        verdict = "-"
        if page.targeted:
            verdict = f"< {page.target_ms:g} ms " + ("met" if page.latency.p95 < page.target_ms
                                                     else "NOT met")
        size = f"{page.size:,}" if page.url else "-"
        print(f"{page.label:<48} {page.latency.p50:>8.1f} {page.latency.p95:>8.1f} "
              f"{ratio:>8.1f}x {size:>10}  {verdict}")
    print()
    print(f"load {loaded.seconds:.0f} s, catch-up {catch_up:.0f} s, runtime {seconds:.0f} s")
    print()
    targeted = [p for p in found if p.targeted]
    failed = [p for p in found if p.latency is None]
    timed = [p for p in targeted if p.latency is not None]
    met = not failed and all(p.latency is not None and p.latency.p95 < p.target_ms
                             for p in targeted)
    why = ""
    if timed:
        worst = max(timed, key=lambda p: p.latency.p95 if p.latency else 0.0)
        assert worst.latency is not None
        why = f"slowest: {worst.label}, p95 {worst.latency.p95:.1f} ms"
    if failed:
        why += ("; " if why else "") + f"{len(failed)} not measured (errors above)"
    print(f"report and workspace pages p95 < {TARGET_MS:g} ms, documents < "
          f"{DOCUMENT_TARGET_MS / 1000:g} s: {'met' if met else 'not met'} ({why})")
    return not failed


def _positive(text: str) -> int:
    """An argparse type: a whole number, 1 or more (10_000 allowed)."""
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: must be at least 1")
    return value


def _count(text: str) -> int:
    """An argparse type: a whole number, 0 or more."""
    return 0 if text.strip() == "0" else _positive(text)


class _Help(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """The docstring as written, and each option's default."""


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=_Help)
    parser.add_argument("--size", type=_positive, default=10_000,
                        help="commitments of the one agency whose page is measured")
    parser.add_argument("--others", type=_count, default=1_900,
                        help="commitments spread over the 19 other agencies (0: none)")
    parser.add_argument("--agency", default="SYT",
                        help="code of the agency that holds --size commitments")
    parser.add_argument("--samples", type=_positive, default=30,
                        help="timed requests per page")
    parser.add_argument("--document-samples", type=_positive, default=3,
                        help="timed requests per document (docx, pdf, xlsx)")
    parser.add_argument("--warmup", type=_count, default=3,
                        help="untimed requests per page before the timed ones")
    parser.add_argument("--sqlite", action="store_true",
                        help="run on the embedded SQLite store in a temporary folder "
                        "instead of PostgreSQL")
    parser.add_argument("--vacuum", action="store_true",
                        help="PostgreSQL: VACUUM (ANALYZE) after the catch-up, as autovacuum "
                        "would have (it is off on some servers; the notes line says)")
    parser.add_argument("--profile", nargs="?", const="slow", choices=("slow", "all"),
                        help="after timing, profile the pages over the target (slow, the "
                        "default) or every page (all)")
    parser.add_argument("--profile-requests", type=_positive, default=5,
                        help="requests per profiled page")
    parser.add_argument("--events-per-commitment", type=_positive, default=10,
                        help="events of each commitment, Made included")
    parser.add_argument("--chunk", type=_positive, default=200,
                        help="commitments per app.save while loading")
    parser.add_argument("--seed", type=int, default=20250601,
                        help="random seed of the generated data")
    parser.add_argument("--no-page-cache", action="store_true",
                        help="render every report page (not the page kept from the "
                        "request before at the same position)")
    parser.add_argument("--keep-db", action="store_true",
                        help="PostgreSQL: keep the database instead of dropping it")
    args = parser.parse_args(argv)
    if args.sqlite and (args.vacuum or args.keep_db):
        parser.error("--vacuum and --keep-db are for PostgreSQL")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    began = time.perf_counter()
    found, loaded, catch_up = run(args)
    measured = report(found, loaded, catch_up, args, time.perf_counter() - began)
    return 0 if measured else 1


if __name__ == "__main__":
    sys.exit(main())
