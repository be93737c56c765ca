"""`commitments serve`'s children: started, watched, and started again when
one exits, so that none of them is ever silently missing."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

_PR_SET_PDEATHSIG = 1


@dataclass
class RestartPolicy:
    """How long a child that exited waits before it is started again.

    `first` seconds, doubling at each exit up to `longest`: a child that
    cannot start (a port taken, a database away) is retried without
    spinning. One that had run `settled` seconds before it exited was
    healthy, so it starts again after `first`.
    """

    first: float = 1.0
    longest: float = 30.0
    settled: float = 60.0
    _next: float | None = field(default=None, init=False, repr=False)

    def delay(self, ran_for: float) -> float:
        """The wait before the next start of a child that ran `ran_for` seconds."""
        if self._next is None or ran_for >= self.settled:
            self._next = self.first
        delay = self._next
        self._next = min(delay * 2, self.longest)
        return delay


@dataclass
class Child:
    """One command run under supervision, and its current process."""

    name: str
    argv: Sequence[str]
    policy: RestartPolicy = field(default_factory=RestartPolicy)
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    due_at: float | None = None


def describe(returncode: int) -> str:
    """An exit status as a person reads it."""
    if returncode < 0:
        try:
            return f"was killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"was killed by signal {-returncode}"
    return f"exited with code {returncode}"


def _die_with_parent() -> None:
    # Runs in the child between fork and exec: if serve itself is killed
    # outright, its children get SIGTERM instead of living on as orphans
    # that hold the port and the queue.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn(argv: Sequence[str]) -> subprocess.Popen[bytes]:
    """Start `argv` as the leader of a process group of its own.

    Its own group so that what it leaves behind when it dies (gunicorn's
    workers) can be stopped with it, and so that a Ctrl-C at the terminal
    reaches serve alone, which then stops the children in order.
    """
    linux = sys.platform.startswith("linux")
    return subprocess.Popen(list(argv), start_new_session=True,
                            preexec_fn=_die_with_parent if linux else None)


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


class Supervisor:
    """Keeps each child running: an exit is reported, with the child's name
    and its exit status, and the child started again after its policy's delay."""

    def __init__(self, children: Sequence[Child], report: Callable[[str], None],
                 clock: Callable[[], float] = time.monotonic,
                 start: Callable[[Sequence[str]], subprocess.Popen[bytes]] = spawn) -> None:
        self.children = list(children)
        self.report = report
        self.clock = clock
        self._spawn = start

    def start(self) -> None:
        for child in self.children:
            self._start(child)

    def _start(self, child: Child) -> None:
        child.process = self._spawn(child.argv)
        child.started_at = self.clock()
        child.due_at = None
        self.report(f"{child.name} started (pid {child.process.pid})")

    def tend(self) -> None:
        """One look at every child: reap and report the ones that exited,
        start again the ones whose wait is over."""
        now = self.clock()
        for child in self.children:
            if child.process is not None:
                returncode = child.process.poll()
                if returncode is None:
                    continue
                pid = child.process.pid
                # Its leader gone, what is left of the group (gunicorn's
                # workers) is unsupervised and would keep the port.
                _kill_group(pid)
                child.process = None
                delay = child.policy.delay(now - child.started_at)
                child.due_at = now + delay
                self.report(f"{child.name} (pid {pid}) {describe(returncode)}; "
                            f"starting it again in {delay:g} s")
            elif child.due_at is not None and now >= child.due_at:
                self._start(child)

    def stop(self, grace: float = 30.0) -> None:
        """SIGTERM to every child (gunicorn, Celery and the projector each
        finish what they are doing), then SIGKILL to what is still there
        after `grace` seconds."""
        running = [c for c in self.children if c.process is not None]
        for child in running:
            assert child.process is not None
            with contextlib.suppress(ProcessLookupError):
                child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for child in running:
            assert child.process is not None
            try:
                returncode = child.process.wait(timeout=max(deadline - time.monotonic(), 0))
                how = ("" if returncode in (0, -signal.SIGTERM)
                       else f" ({describe(returncode)})")
                self.report(f"{child.name} (pid {child.process.pid}) stopped{how}")
            except subprocess.TimeoutExpired:
                child.process.kill()
                returncode = child.process.wait()
                self.report(f"{child.name} (pid {child.process.pid}) did not stop in "
                            f"{grace:g} s: {describe(returncode)}")
            _kill_group(child.process.pid)
            child.process = None
        for child in self.children:
            child.due_at = None
