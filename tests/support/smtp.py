"""A real SMTP server on loopback for the tests: aiosmtpd in a thread.

It keeps every message it is handed, parsed with `email.policy.default`, at
the moment the DATA command delivers it (the point where a real server has
the message). It can be told to hold the next message inside DATA, without
answering, until released: the way to catch a sender in the middle of a send
and kill it there.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from typing import Any, cast

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    """One message as the server got it: the envelope and the parsed mail."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage

    def header(self, name: str) -> str:
        return str(self.message[name] or "")

    def addresses(self, name: str) -> list[str]:
        """The addresses in a To/Cc header, in order ([] when there is none)."""
        field = self.message[name]
        if field is None:
            return []
        return [address.addr_spec for address in field.addresses]

    @property
    def text(self) -> str:
        body = self.message.get_body(preferencelist=("plain",))
        assert body is not None, self.message
        return str(cast(EmailMessage, body).get_content())


class Handler:
    """Keeps what it receives; `hold_next` makes the next DATA wait until released."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._hold: threading.Event | None = None
        self.holding = threading.Event()  # set while a message is held in DATA
        self._closing = threading.Event()  # releases every hold, for good

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def hold_next(self) -> threading.Event:
        """Hold the next message in DATA (after keeping it) until the returned
        event is set (or the server closes)."""
        release = threading.Event()
        with self._lock:
            self._hold = release
        return release

    def close(self) -> None:
        """Release any message held now or later: the server is going away."""
        self._closing.set()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        message = BytesParser(policy=default).parsebytes(content)
        with self._lock:
            self._received.append(Received(envelope.mail_from, tuple(envelope.rcpt_tos),
                                           message))
            hold, self._hold = self._hold, None
        if hold is not None:
            self.holding.set()
            try:
                # Poll, not block: the event loop keeps serving other sessions.
                while not (hold.is_set() or self._closing.is_set()):
                    await asyncio.sleep(0.02)
            finally:
                self.holding.clear()
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: Handler

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def wait_for(self, count: int, timeout: float, describe: Any = None) -> list[Received]:
        """At least `count` messages, within `timeout` seconds, or AssertionError
        (with `describe()`, e.g. the worker's log, when given)."""
        deadline = time.monotonic() + timeout
        while len(got := self.received) < count:
            if time.monotonic() > deadline:
                extra = f"\n{describe()}" if callable(describe) else ""
                subjects = [m.header("Subject") for m in got]
                raise AssertionError(f"{len(got)} of {count} mails within {timeout:.0f} s: "
                                     f"{subjects}{extra}")
            time.sleep(0.05)
        return got


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[SmtpServer]:
    """An SMTP server on a free loopback port, stopped on exit (releasing any
    message still held)."""
    handler = Handler()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, handler)
    finally:
        handler.close()
        controller.stop()
