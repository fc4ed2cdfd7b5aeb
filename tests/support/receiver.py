"""A real HTTP server on loopback that records what it is sent: the webhook receiver of
the delivery tests, the soak test and the delivery benchmark.

Answers are scripted per path prefix: `receiver.answer(503, {"Retry-After": "7"}, times=2)`;
with nothing scripted it answers 204.
"""

from __future__ import annotations

import sys
import threading
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        self._answers: deque[tuple[int, dict[str, str], int]] = deque()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                if len(body) < length:  # the sender went away mid-request: nothing was delivered
                    self.close_connection = True
                    return
                status, headers = receiver._record(
                    Received("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def answer(self, status: int, headers: dict[str, str] | None = None, times: int = 1) -> None:
        """The next `times` requests get `status` (and `headers`)."""
        with self._lock:
            self._answers.append((status, headers or {}, times))

    def _record(self, request: Received) -> tuple[int, dict[str, str]]:
        with self._lock:
            self.requests.append(request)
            if not self._answers:
                return 204, {}
            status, headers, times = self._answers[0]
            if times <= 1:
                self._answers.popleft()
            else:
                self._answers[0] = (status, headers, times - 1)
            return status, headers

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # the default 5 drops the SYNs of a burst of new connections

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A sender that goes away mid-request (a worker killed on purpose) is not news."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)
