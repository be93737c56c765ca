"""The restart policy and the supervisor of `commitments serve`, on tiny
Python processes and a clock the test moves."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from api.supervision import Child, RestartPolicy, Supervisor, describe


def test_the_delay_doubles_from_one_second_up_to_thirty() -> None:
    policy = RestartPolicy()
    assert [policy.delay(ran_for=0.5) for _ in range(8)] == [1, 2, 4, 8, 16, 30, 30, 30]


def test_a_child_that_ran_a_while_starts_again_at_once() -> None:
    policy = RestartPolicy(first=1, longest=30, settled=60)
    for _ in range(5):
        policy.delay(ran_for=2)
    assert policy.delay(ran_for=59) == 30
    assert policy.delay(ran_for=60) == 1
    assert policy.delay(ran_for=3) == 2


def test_exit_statuses_are_named() -> None:
    assert describe(3) == "exited with code 3"
    assert describe(-signal.SIGKILL) == "was killed by SIGKILL"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def _exited(supervisor: Supervisor) -> None:
    for child in supervisor.children:
        if child.process is not None:
            child.process.wait(timeout=10)


def test_an_exit_is_reported_and_the_child_started_again_after_its_delay() -> None:
    clock, said = Clock(), []
    supervisor = Supervisor([Child("projector", _python("raise SystemExit(3)"))],
                            report=said.append, clock=clock)
    supervisor.start()
    [child] = supervisor.children
    assert child.process is not None
    first = child.process.pid
    _exited(supervisor)
    clock.now += 0.2
    supervisor.tend()
    assert said == [f"projector started (pid {first})",
                    f"projector (pid {first}) exited with code 3; starting it again in 1 s"]
    clock.now += 0.9
    supervisor.tend()
    assert child.process is None, "started again before its delay"
    clock.now += 0.1
    supervisor.tend()
    assert child.process is not None and child.process.pid != first
    assert said[-1] == f"projector started (pid {child.process.pid})"
    _exited(supervisor)
    supervisor.tend()
    assert said[-1].endswith("exited with code 3; starting it again in 2 s")


def test_a_running_child_is_left_alone_and_stop_ends_it() -> None:
    said: list[str] = []
    supervisor = Supervisor([Child("web", _python("import time; time.sleep(60)"))],
                            report=said.append)
    supervisor.start()
    [child] = supervisor.children
    assert child.process is not None
    pid = child.process.pid
    supervisor.tend()
    assert child.process is not None and child.process.poll() is None
    supervisor.stop(grace=10)
    assert said[-1] == f"web (pid {pid}) stopped"
    assert child.process is None


def test_stop_kills_a_child_that_ignores_sigterm(tmp_path: Path) -> None:
    said: list[str] = []
    ready = tmp_path / "ready"
    stubborn = ("import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                f"open({str(ready)!r}, 'w').close(); time.sleep(60)")
    supervisor = Supervisor([Child("worker", _python(stubborn))], report=said.append)
    supervisor.start()
    deadline = time.monotonic() + 10
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    started = time.monotonic()
    supervisor.stop(grace=0.5)
    assert time.monotonic() - started < 5
    assert said[-1].endswith("did not stop in 0.5 s: was killed by SIGKILL")


def test_what_a_dead_child_leaves_behind_is_killed_with_it(tmp_path: Path) -> None:
    # gunicorn's workers outlive a master killed with SIGKILL and keep its
    # port: the supervisor ends the whole group before starting it again.
    left = tmp_path / "grandchild.pid"
    code = ("import subprocess, sys; p = subprocess.Popen([sys.executable, '-c', "
            "'import time; time.sleep(60)']); "
            f"open({str(left)!r}, 'w').write(str(p.pid))")
    supervisor = Supervisor([Child("web", _python(code))], report=lambda _: None)
    supervisor.start()
    _exited(supervisor)
    grandchild = int(left.read_text())
    os.kill(grandchild, 0)  # still there, orphaned
    supervisor.tend()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _alive(grandchild):
        time.sleep(0.05)
    assert not _alive(grandchild)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # Killed but not yet reaped by init: a zombie counts as gone.
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split(")")[-1].split()[0] == "Z")
