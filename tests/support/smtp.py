"""A real SMTP server on loopback (aiosmtpd) that keeps every message it accepts."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Keeper:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[Any] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.envelopes.append(envelope)
            self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 OK"


class SmtpSink:
    """`with SmtpSink() as smtp:` ... `smtp.messages`; plain SMTP on `smtp.port`."""

    def __init__(self) -> None:
        self._keeper = _Keeper()
        self.port = free_port()
        self._controller = Controller(self._keeper, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[EmailMessage]:
        with self._keeper.lock:
            return list(self._keeper.messages)

    def __enter__(self) -> SmtpSink:
        self._controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._controller.stop()
