"""Public helpers for testing code that uses Milepost: a clock you control, and a real
HTTP server around the app.

clock = FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
mp = connect("sqlite:///:memory:", clock=clock)   # or a file, or PostgreSQL
clock.advance(days=365)
with serve(create_app(mp, Settings())) as url:     # http://127.0.0.1:<a free port>
    ...
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any


@contextmanager
def serve(app: Any, start_timeout: float = 30.0) -> Iterator[str]:
    """Serve the ASGI `app` with uvicorn on a free local port, in a thread, until the block
    ends; yields its base URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", server_header=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


class FrozenClock:
    """A clock that stands still until told to move. Call it for the time."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = _aware(now or datetime(2026, 1, 1, 12, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        self.now = _aware(now)

    def advance(self, delta: timedelta | None = None, **parts: float) -> datetime:
        """Move forward by `delta` or by keyword parts (days=, hours=, seconds=)."""
        self.now += delta if delta is not None else timedelta(**parts)
        return self.now


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("the clock needs an aware datetime (tzinfo=UTC)")
    return value.astimezone(UTC)
