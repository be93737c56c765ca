"""The service over real HTTP: gunicorn and the projector on PostgreSQL, under wrk.

One run, on a fresh PostgreSQL database (dropped at the end):

  start     `commitments init` (the Procfile's `release` line), then the
            Procfile's `web` line (gunicorn, WEB_CONCURRENCY workers, default
            4, bound to 127.0.0.1 on a free port) and its `projector` line,
            as subprocesses with the settings' environment variables. No
            Celery worker or beat: /healthz takes parts never seen as not
            deployed.
  seed      through the HTTP API with an admin token (`commitments token
            create`): --agencies agencies, 10 dialogues held about 400 days
            ago, --commitments commitments spread over the agencies, due 30
            to 730 days after their dialogue (about half are overdue).
  loads     wrk, --connections connections on --threads threads for
            --seconds each, the projector caught up before each:
              healthz  GET /healthz (the framework's ceiling);
              reads    in turn: an agency's overdue list
                       (GET /api/v1/commitments?agency=X&overdue=true&limit=50),
                       one commitment (GET /api/v1/commitments/{id}), the
                       public report (GET /reports/);
              writes   POST /api/v1/commitments/{id}/updates
                       {"action": "progress"}, round-robin over every
                       commitment, no If-Match (a writer without one is
                       retried on a collision, never refused: any 409 is a
                       real failure);
              mix      four reads as above, then one write, in turn (80/20).
            req/s, p50, p99 (wrk's latency, per request), answers that are
            not 2xx (and their statuses), socket errors and timeouts (wrk's
            --timeout 10s), answers that said X-Read-Model-Lag, and the
            events the load appended (from /healthz before and after).
  single    each kind of request above, --single times, one after another
            from one client, in turn: the p50 of each (where the loads' time
            goes); then a writer's read of its own write, right after it and
            after a 200 ms pause (the projector gathers writes that follow
            each other closely, and applies one after a pause at once).
  stream    one new commitment updated --stream-events times ("progress"),
            one request after another from this process; each of its last
            --window updates alternates with the first update of a new
            commitment, so that both see the same machine. Writes per second
            (one over the median write) at the stream's first --window, at
            its last, and at the new commitments' first updates beside them.

Ratios printed with issue 17's targets:
  mix req/s / min(reads, writes)        >= 0.9
  mix p99 / reads p99                   <= 2
  reads req/s / healthz req/s           >= 0.5
  writes/s at the 500th / at the 1st    >= 0.9
    (the stream's last window / the new commitments beside it; also the
    last window / the first, which other work on the machine skews more)

Everything is stopped and the database dropped at the end, on an error and
on Ctrl-C (or SIGTERM) too. Needs `wrk` (Debian: apt-get install wrk) and
PostgreSQL at POSTGRES_HOST:POSTGRES_PORT (default 127.0.0.1:5432) as
POSTGRES_USER (default postgres) with POSTGRES_PASSWORD. The defaults take
about a minute and a half.

    python bench/http_load.py
    python bench/http_load.py --seconds 5 --commitments 100   # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from measure import log
from store import postgres_database

from service.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("review", "study", "propose", "advise", "implement", "report", "other")
DIALOGUES = 10
STARTUP = 60.0  # seconds for gunicorn and the projector to answer
CATCH_UP = 120.0  # seconds for the projector to apply what a load wrote
TARGETS = {"mix": 0.9, "mix_p99": 2.0, "reads": 0.5, "stream": 0.9}


# -- the processes --------------------------------------------------------------------


def procfile_command(name: str, env: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """The Procfile's line `name`, with ${VAR:-default} expanded from `env`:
    its leading VAR=value words go into the environment, and its program is
    taken from this interpreter's folder (the venv's) when it is there."""
    for line in (ROOT / "Procfile").read_text(encoding="utf-8").splitlines():
        process, _, command = line.partition(":")
        if process.strip() == name:
            break
    else:
        raise SystemExit(f"the Procfile has no {name!r} line")
    expanded = re.sub(r"\$\{(\w+)(?::-([^}]*))?\}",
                      lambda m: env.get(m[1]) or (m[2] or ""), command)
    words = shlex.split(expanded)
    extra: dict[str, str] = {}
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
        key, _, value = words.pop(0).partition("=")
        extra[key] = value
    program = Path(sys.executable).parent / words[0]
    if program.exists():
        words[0] = str(program)
    return words, {**env, **extra}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "".join(path.read_text(errors="replace").splitlines(keepends=True)[-lines:])
    except OSError:
        return "(no log)"


@dataclass
class Stack:
    """The running service, and every process this script started."""

    env: dict[str, str]
    logs: Path
    base: str = ""
    token: str = ""
    processes: dict[str, subprocess.Popen[Any]] = field(default_factory=dict)

    def start(self, name: str, command: list[str], env: dict[str, str]) -> None:
        # A session of its own: Ctrl-C reaches this script only, which stops
        # the whole group (gunicorn's workers with their master).
        with (self.logs / f"{name}.log").open("wb") as out:
            self.processes[name] = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)

    def check_running(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise SystemExit(f"{name} exited with {process.returncode}:\n"
                                 f"{tail(self.logs / f'{name}.log')}")

    def stop(self) -> None:
        for process in self.processes.values():
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
            # Whatever of its group outlived it (a gunicorn worker).
            _signal_group(process, signal.SIGKILL)
        self.processes.clear()


def _signal_group(process: subprocess.Popen[Any], signum: int) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "api.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise SystemExit(f"commitments {' '.join(args)} failed ({done.returncode}):\n"
                         f"{done.stdout}{done.stderr}")
    return done.stdout


def service_env(settings: Settings) -> dict[str, str]:
    """This environment without another store's settings, and this run's store."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("POSTGRES_", "SQLITE_", "PERSISTENCE_MODULE", "CELERY_",
                                  "CREATE_TABLE", "COMMITMENTS_", "AGGREGATE_CACHE"))}
    store = settings.eventsourcing_env
    env.update({key: store[key] for key in ("PERSISTENCE_MODULE", "POSTGRES_HOST",
                                            "POSTGRES_PORT", "POSTGRES_USER",
                                            "POSTGRES_PASSWORD", "POSTGRES_DBNAME")})
    env["COMMITMENTS_DATA_DIR"] = str(settings.data_dir)
    return env


@contextmanager
def running_service(settings: Settings) -> Iterator[Stack]:
    env = service_env(settings)
    stack = Stack(env, settings.data_dir)
    try:
        command, release_env = procfile_command("release", env)
        subprocess.run(command, cwd=ROOT, env=release_env, check=True, capture_output=True,
                       timeout=120)
        stack.token = _cli(env, "token", "create", "--role", "admin", "--label",
                           "bench/http_load.py", "--days", "1").strip().splitlines()[-1]
        port = free_port()
        web, web_env = procfile_command("web", {**env, "PORT": str(port)})
        web = [word.replace("0.0.0.0:", "127.0.0.1:") for word in web]
        stack.start("web", web, web_env)
        stack.start("projector", *procfile_command("projector", env))
        stack.base = f"http://127.0.0.1:{port}"
        log(f"started: {shlex.join(web[-5:])} and the projector")
        wait_healthy(stack)
        yield stack
    finally:
        stack.stop()


def health(stack: Stack) -> dict[str, Any] | None:
    try:
        response = requests.get(stack.base + "/healthz", timeout=5)
    except requests.RequestException:
        return None
    found: dict[str, Any] = response.json() if response.status_code == 200 else {}
    return found or None


def wait_healthy(stack: Stack) -> None:
    deadline = time.monotonic() + STARTUP
    while health(stack) is None:
        stack.check_running()
        if time.monotonic() > deadline:
            raise SystemExit(f"/healthz did not answer 200 within {STARTUP:g} s:\n"
                             f"{tail(stack.logs / 'web.log')}")
        time.sleep(0.2)


def wait_caught_up(stack: Stack) -> int:
    """Until the projector has applied every event (as /healthz says); the
    events in the log then."""
    deadline = time.monotonic() + CATCH_UP
    while True:
        stack.check_running()
        found = health(stack)
        if found is not None and found["read_model_lag"] == 0:
            return int(found["events"])
        if time.monotonic() > deadline:
            raise SystemExit(f"the projector did not catch up within {CATCH_UP:g} s: {found}")
        time.sleep(0.1)


# -- seeding --------------------------------------------------------------------------


@dataclass(frozen=True)
class Seeded:
    agencies: list[str]
    commitments: list[str]


def _post(session: requests.Session, url: str, body: dict[str, Any]) -> dict[str, Any]:
    response = session.post(url, json=body, timeout=60)
    if response.status_code not in (200, 201):
        raise SystemExit(f"POST {url} {body}: {response.status_code} {response.text[:500]}")
    found: dict[str, Any] = response.json()
    return found


def _session(token: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def seed(stack: Stack, agencies: int, commitments: int) -> Seeded:
    api = stack.base + "/api/v1"
    session = _session(stack.token)
    codes = [f"CQ{n:02d}" for n in range(1, agencies + 1)]
    for n, code in enumerate(codes, 1):
        _post(session, f"{api}/agencies", {"code": code, "name": f"Cơ quan số {n}"})
    first = date.today() - timedelta(days=400)
    dialogues = [(_post(session, f"{api}/dialogues", {
        "title": f"Đối thoại lần {n + 1}", "held_on": (first + timedelta(days=n)).isoformat(),
    })["id"], first + timedelta(days=n)) for n in range(DIALOGUES)]

    def make(n: int) -> str:
        dialogue, held_on = dialogues[n % DIALOGUES]
        with _session(stack.token) as own:
            return str(_post(own, f"{api}/commitments", {
                "agency": codes[n % agencies], "kind": KINDS[n % len(KINDS)],
                "text": f"Sẽ rà soát và báo cáo kết quả việc số {n + 1} cho cử tri.",
                "dialogue_id": dialogue,
                "due_on": (held_on + timedelta(days=30 + (n * 37) % 700)).isoformat(),
            })["id"])

    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(make, range(commitments)))
    return Seeded(codes, ids)


# -- wrk ------------------------------------------------------------------------------

# Shared by every load: each wrk thread counts its answers by status and those
# that said X-Read-Model-Lag; done() adds them up and prints one JSON line.
LUA_COMMON = r"""
local threads = {}
statuses = {}
lagged = 0

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  -- Threads start at different places of the same round.
  counter = (id - 1) * 7919
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  if headers["X-Read-Model-Lag"] or headers["x-read-model-lag"] then
    lagged = lagged + 1
  end
end

function done(summary, latency, requests)
  local counts, lags = {}, 0
  for _, thread in ipairs(threads) do
    for key, n in pairs(thread:get("statuses")) do
      counts[key] = (counts[key] or 0) + n
    end
    lags = lags + thread:get("lagged")
  end
  local parts = {}
  for key, n in pairs(counts) do
    table.insert(parts, string.format('"%s": %d', key, n))
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"socket_errors": %d, "timeouts": %d, "lagged": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write, e.timeout, lags, table.concat(parts, ", ")))
end
"""

LUA_REQUESTS = r"""
local token = "Bearer " .. TOKEN
local read_headers = {["Authorization"] = token}
local write_headers = {["Authorization"] = token, ["Content-Type"] = "application/json"}
local write_body = '{"action": "progress", "note": "bench/http_load.py"}'

function read_request(n)
  local kind = n % 3
  if kind == 0 then
    local agency = AGENCIES[math.floor(n / 3) % #AGENCIES + 1]
    return wrk.format("GET", "/api/v1/commitments?agency=" .. agency ..
                      "&overdue=true&limit=50", read_headers)
  elseif kind == 1 then
    return wrk.format("GET", "/api/v1/commitments/" .. IDS[math.floor(n / 3) % #IDS + 1],
                      read_headers)
  end
  return wrk.format("GET", "/reports/")
end

function write_request(n)
  return wrk.format("POST", "/api/v1/commitments/" .. IDS[n % #IDS + 1] .. "/updates",
                    write_headers, write_body)
end
"""

LOADS = {
    "healthz": 'function request() return wrk.format("GET", "/healthz") end',
    "reads": """
function request()
  counter = counter + 1
  return read_request(counter)
end
""",
    "writes": """
function request()
  counter = counter + 1
  return write_request(counter)
end
""",
    # One write after every four reads; each kind keeps its own round.
    "mix": """
function request()
  counter = counter + 1
  if counter % 5 == 0 then
    return write_request(counter / 5)
  end
  return read_request(counter - math.floor(counter / 5))
end
""",
}


def _lua_list(items: Sequence[str]) -> str:
    return "{" + ", ".join(json.dumps(item) for item in items) + "}"


def write_scripts(folder: Path, stack: Stack, seeded: Seeded) -> dict[str, Path]:
    given = (f"TOKEN = {json.dumps(stack.token)}\nAGENCIES = {_lua_list(seeded.agencies)}\n"
             f"IDS = {_lua_list(seeded.commitments)}\n")
    scripts = {}
    for name, body in LOADS.items():
        path = folder / f"{name}.lua"
        path.write_text(given + LUA_COMMON + LUA_REQUESTS + body, encoding="utf-8")
        scripts[name] = path
    return scripts


@dataclass(frozen=True)
class Result:
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    statuses: dict[int, int]
    socket_errors: int
    timeouts: int
    lagged: int
    events: int = 0  # appended to the log during the load

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def not_2xx(self) -> int:
        return sum(n for status, n in self.statuses.items() if not 200 <= status < 300)


def run_wrk(stack: Stack, name: str, script: Path, args: argparse.Namespace) -> Result:
    command = ["wrk", "--threads", str(args.threads), "--connections", str(args.connections),
               "--duration", f"{args.seconds}s", "--timeout", "10s", "--script", str(script),
               stack.base]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, start_new_session=True) as process:
        stack.processes["wrk"] = process
        out, err = process.communicate(timeout=args.seconds + 60)
        del stack.processes["wrk"]
    found = next((line for line in out.splitlines() if line.startswith("RESULT ")), None)
    if process.returncode != 0 or found is None:
        raise SystemExit(f"wrk ({name}) failed ({process.returncode}):\n{out}{err}")
    data = json.loads(found.removeprefix("RESULT "))
    stack.check_running()
    return Result(name, data["requests"], data["duration_us"] / 1e6, data["p50_us"] / 1e3,
                  data["p99_us"] / 1e3, {int(k): v for k, v in data["statuses"].items()},
                  data["socket_errors"], data["timeouts"], data["lagged"])


# -- one stream -----------------------------------------------------------------------


@dataclass(frozen=True)
class Stream:
    """Writes per second, each one over the median write of its window."""

    first: float  # the first window of the stream
    last: float  # its last window
    beside: float  # a new commitment's first update, alternating with the last window


def stream_rates(stack: Stack, agency: str, events: int, window: int) -> Stream:
    """One new commitment updated `events` times, one request after another on
    one keep-alive connection. Each of its last `window` updates alternates
    with the first update of a new commitment: the two see the same machine
    (other work on it comes and goes over the seconds the stream takes)."""
    api = stack.base + "/api/v1"
    session = _session(stack.token)
    dialogue = _post(session, f"{api}/dialogues", {
        "title": "Đối thoại về một luồng dài", "held_on": date.today().isoformat()})["id"]

    def make() -> str:
        return str(_post(session, f"{api}/commitments", {
            "agency": agency, "kind": "report", "text": "Sẽ báo cáo kết quả từng tháng.",
            "due_on": (date.today() + timedelta(days=365)).isoformat(),
            "dialogue_id": dialogue})["id"])

    def update(commitment: str, note: str) -> float:
        began = time.perf_counter()
        _post(session, f"{api}/commitments/{commitment}/updates",
              {"action": "progress", "note": note})
        return time.perf_counter() - began

    long, new = make(), [make() for _ in range(window)]
    took = [update(long, f"lần {n + 1}") for n in range(events - window)]
    beside: list[float] = []
    for n, young in enumerate(new, events - window):
        beside.append(update(young, "lần 1"))
        took.append(update(long, f"lần {n + 1}"))
    # The median write: a pause of the machine's other work in one window
    # does not pass for a cost of the stream's length.
    return Stream(1 / statistics.median(took[:window]), 1 / statistics.median(took[-window:]),
                  1 / statistics.median(beside))


# -- one request at a time ------------------------------------------------------------

PAUSE = 0.2  # seconds a person takes between two writes, at the least


def one_at_a_time(stack: Stack, seeded: Seeded, times: int) -> dict[str, float]:
    """p50 in ms of each kind of request of the loads, `times` of each, one
    after another: where the loads' time goes. The reads come from a client
    that never writes; the writer's own read of what it just wrote (its
    cookie names the write) waits for the projector to apply it. A second
    writer writes after a pause of PAUSE seconds, as a person submitting a
    form does, and its read alone is timed: on PostgreSQL the projector
    applies such a write when it is announced, where the first writer's,
    which follow each other closely, are gathered (`Projector.run_forever`)."""
    reader, writer, person = (_session(stack.token), _session(stack.token),
                              _session(stack.token))
    api = stack.base + "/api/v1"
    ids, codes = seeded.commitments, seeded.agencies

    def get(path: str, session: requests.Session = reader) -> None:
        response = session.get(stack.base + path, timeout=60)
        if response.status_code != 200:
            raise SystemExit(f"GET {path}: {response.status_code} {response.text[:500]}")

    kinds: dict[str, Callable[[int], object]] = {
        "/healthz": lambda n: get("/healthz"),
        "overdue list": lambda n: get(
            f"/api/v1/commitments?agency={codes[n % len(codes)]}&overdue=true&limit=50"),
        "one commitment": lambda n: get(f"/api/v1/commitments/{ids[n % len(ids)]}"),
        "/reports/": lambda n: get("/reports/"),
        "progress": lambda n: _post(writer, f"{api}/commitments/{ids[n % len(ids)]}/updates",
                                    {"action": "progress", "note": "bench/http_load.py"}),
        "its history, by the writer": lambda n: get(
            f"/api/v1/commitments/{ids[n % len(ids)]}/history", writer),
    }

    pauses = random.Random(times)

    def after_a_pause(n: int) -> float:
        """The seconds of a person's read of the write they made after a pause."""
        # Not a whole number of the projector's polls (50 ms): a pause that
        # is one would meet each poll at the same point of its wait.
        time.sleep(PAUSE + pauses.uniform(0, 0.05))
        key = ids[(n + len(ids) // 2) % len(ids)]
        _post(person, f"{api}/commitments/{key}/updates",
              {"action": "progress", "note": "bench/http_load.py, after a pause"})
        began = time.perf_counter()
        get(f"/api/v1/commitments/{key}/history", person)
        return time.perf_counter() - began

    kinds[f"the same after a {PAUSE * 1000:.0f} ms pause"] = after_a_pause
    took: dict[str, list[float]] = {kind: [] for kind in kinds}
    for n in range(times):
        # In turn, so that each kind sees the same machine.
        for kind, call in kinds.items():
            began = time.perf_counter()
            timed = call(n)
            took[kind].append(timed if isinstance(timed, float)
                              else time.perf_counter() - began)
    return {kind: statistics.median(values) * 1000 for kind, values in took.items()}


# -- the run --------------------------------------------------------------------------


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def report(results: dict[str, Result], single: dict[str, float], stream: Stream,
           args: argparse.Namespace) -> None:
    log("")
    log(f"load average now: {' '.join(f'{n:.1f}' for n in os.getloadavg())} "
        f"on {os.cpu_count()} cores (other work on the machine skews the figures)")
    log(f"{args.commitments} commitments of {args.agencies} agencies, {args.connections} "
        f"connections on {args.threads} wrk threads, {args.seconds} s per load:")
    log(f"{'load':<9}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'non-2xx':>9}{'sock err':>9}"
        f"{'lagged':>8}{'events':>8}  statuses")
    for r in results.values():
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(r.statuses.items()))
        log(f"{r.name:<9}{r.rate:>8.0f}{r.p50_ms:>8.1f}{r.p99_ms:>8.1f}{r.not_2xx:>9}"
            f"{r.socket_errors + r.timeouts:>9}{r.lagged:>8}{r.events:>8}  {statuses}")
    log("(lagged: answers with X-Read-Model-Lag; events: appended to the log during the load,"
        " with the writes in flight when wrk stopped)")
    log("")
    log(f"one request at a time, p50 ms over {args.single}: " +
        ", ".join(f"{kind} {ms:.1f}" for kind, ms in single.items()))
    reads, writes, mix, healthz = (results[k] for k in ("reads", "writes", "mix", "healthz"))
    mix_ratio = mix.rate / min(reads.rate, writes.rate)
    p99_ratio = mix.p99_ms / reads.p99_ms
    reads_ratio = reads.rate / healthz.rate
    log("")
    log(f"one stream of {args.stream_events} updates, writes/s (from the median write of "
        f"{args.window}):")
    log(f"  its first {args.window}, in a row: {stream.first:.0f}; its last {args.window}: "
        f"{stream.last:.0f}, alternating with a new commitment's first update: "
        f"{stream.beside:.0f}")
    log("")
    rows = [("mix req/s / min(reads, writes)", f">= {TARGETS['mix']:g}", mix_ratio,
             mix_ratio >= TARGETS["mix"]),
            ("mix p99 / reads p99", f"<= {TARGETS['mix_p99']:g}", p99_ratio,
             p99_ratio <= TARGETS["mix_p99"]),
            ("reads req/s / healthz req/s", f">= {TARGETS['reads']:g}", reads_ratio,
             reads_ratio >= TARGETS["reads"])]
    rows += [(what, f">= {TARGETS['stream']:g}", value, value >= TARGETS["stream"])
             for what, value in ((f"writes/s at update {args.stream_events} / 1st",
                                  stream.last / stream.beside),
                                 ("  the same, last / first in a row",
                                  stream.last / stream.first))]
    log(f"{'ratio':<34}{'target':<9}{'value':>6}")
    for what, target, value, ok in rows:
        log(f"{what:<34}{target:<9}{value:>6.2f}  {verdict(ok)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=15, help="seconds per load (default 15)")
    parser.add_argument("--connections", type=int, default=16,
                        help="wrk's open connections (default 16)")
    parser.add_argument("--threads", type=int, default=2,
                        help="wrk's threads (default 2; at most --connections)")
    parser.add_argument("--commitments", type=int, default=400,
                        help="commitments seeded (default 400)")
    parser.add_argument("--agencies", type=int, default=20, help="agencies seeded (default 20)")
    parser.add_argument("--stream-events", type=int, default=500,
                        help="updates to the one long stream (default 500)")
    parser.add_argument("--window", type=int, default=50,
                        help="updates timed at each end of the stream (default 50)")
    parser.add_argument("--single", type=int, default=20,
                        help="requests of each kind timed one at a time (default 20)")
    args = parser.parse_args(argv)
    for name in ("seconds", "connections", "threads", "commitments", "agencies", "window",
                 "single"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.threads > args.connections:
        parser.error("--threads must be at most --connections")
    if args.stream_events < 2 * args.window:
        parser.error("--stream-events must be at least twice --window")
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")

    # Installed even where SIGINT came ignored (a background job of a shell).
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _raise_interrupt)
    began = time.monotonic()
    log(f"load average at the start: {' '.join(f'{n:.1f}' for n in os.getloadavg())} "
        f"on {os.cpu_count()} cores")
    try:
        with postgres_database("bench_http") as settings, running_service(settings) as stack:
            try:
                log(f"seeding {args.agencies} agencies and {args.commitments} commitments "
                    "through the API ...")
                seeded = seed(stack, args.agencies, args.commitments)
                wait_caught_up(stack)
                log(f"seeded in {time.monotonic() - began:.0f} s since the start")
                results: dict[str, Result] = {}
                with tempfile.TemporaryDirectory(prefix="bench-wrk-") as folder:
                    scripts = write_scripts(Path(folder), stack, seeded)
                    for name, script in scripts.items():
                        before = wait_caught_up(stack)
                        log(f"load {name}: {args.seconds} s ...")
                        done = run_wrk(stack, name, script, args)
                        results[name] = replace(done, events=wait_caught_up(stack) - before)
                wait_caught_up(stack)
                log(f"one request at a time: {args.single} of each kind ...")
                single = one_at_a_time(stack, seeded, args.single)
                wait_caught_up(stack)
                log(f"one stream: {args.stream_events} updates ...")
                stream = stream_rates(stack, seeded.agencies[0], args.stream_events,
                                      args.window)
                report(results, single, stream, args)
            finally:
                # Stopping and dropping are not to be cut short by a second Ctrl-C.
                for signum in (signal.SIGINT, signal.SIGTERM):
                    signal.signal(signum, signal.SIG_IGN)
    except KeyboardInterrupt:
        log("interrupted: everything stopped, the database dropped")
        return 130
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_DFL)
    log(f"took {time.monotonic() - began:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
