"""The projector of the service under test, run in a thread as `commitments
serve` runs it in a process: only it writes the read tables, and a web
request's reads wait for it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import TracebackType

from service.application import Commitments
from service.bootstrap import build_queries


class RunningProjector:
    """`Projector.run_forever` over the service's log, on its own connection
    to the read tables, until stopped."""

    def __init__(self, service: Commitments, poll: float = 0.01, spacing: float = 0.0) -> None:
        self.service = service
        self.poll = poll
        # Tests write and read in turn: each write is applied at once.
        self.spacing = spacing
        self.queries = build_queries(service)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None

    def start(self) -> RunningProjector:
        assert self._thread is None, "already running"
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="projector", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self.queries.projector.run_forever(poll=self.poll, stop=self._stop.is_set,
                                               spacing=self.spacing)
        except BaseException as error:  # reported by stop(), in the test's thread
            self.error = error

    def stop(self, wake: Callable[[], object] | None = None) -> None:
        """Stop following the log; raises what stopped it, if anything did.
        `wake`, called until it has stopped, cuts short the wait it is in."""
        if self._thread is not None:
            self._stop.set()
            deadline = time.monotonic() + 30
            while wake is not None and self._thread.is_alive() and time.monotonic() < deadline:
                wake()
                self._thread.join(timeout=0.05)
            self._thread.join(timeout=max(deadline - time.monotonic(), 0))
            assert not self._thread.is_alive(), "the projector did not stop"
            self._thread = None
        if self.error is not None:
            error, self.error = self.error, None
            raise AssertionError(f"the projector stopped on {error!r}") from error

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until every event stored so far is in the read tables."""
        head = self.service.recorder.max_notification_id() or 0
        deadline = time.monotonic() + timeout
        while self.queries.view.position() < head:
            assert self._thread is not None and self._thread.is_alive(), (
                f"the projector is not running (error: {self.error!r})")
            assert time.monotonic() < deadline, "the projector did not catch up"
            time.sleep(0.002)

    def close(self) -> None:
        try:
            self.stop()
        finally:
            self.queries.close()

    def __enter__(self) -> RunningProjector:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()
