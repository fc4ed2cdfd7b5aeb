"""WAL checkpoints for SQLite, off the ingest thread.

A checkpoint copies the write-ahead log back into the database file. Left to
SQLite, it runs inside whichever commit crosses the threshold, and that batch
waits for it. Here a daemon thread runs a PASSIVE checkpoint (it never blocks
writers) every `interval` seconds on its own connection; SQLite releases the
GIL while it works, so the copying overlaps the next batch on the other core.
The connections keep a high auto-checkpoint as a backstop.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import suppress


class Checkpointer:
    def __init__(self, path: str, interval: float = 0.5) -> None:
        self.path = path
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="milepost-wal-checkpoint", daemon=True)

    def start(self) -> Checkpointer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        try:
            connection.execute("PRAGMA busy_timeout=0")
            while not self._stop.wait(self.interval):
                self.checkpoint(connection)
        finally:
            connection.close()

    @staticmethod
    def checkpoint(connection: sqlite3.Connection) -> None:
        # busy or locked: the next round (or the backstop) catches up
        with suppress(sqlite3.Error):
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
