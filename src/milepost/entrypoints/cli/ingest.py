"""`milepost ingest FILE`: JSON lines in, a summary and the rejected lines out."""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
from array import array
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import IO, Any

import click
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from milepost.bootstrap import Milepost, connect
from milepost.config import Settings
from milepost.entrypoints.cli.context import App, json_option, pass_app, store_option
from milepost.entrypoints.cli.output import console, err_console, print_json, table
from milepost.runtime import tune_gc
from milepost.service.ingest import lane_of

SHOWN_REJECTIONS = 100


@dataclass
class Tally:
    lines: int = 0
    accepted: int = 0
    duplicates: int = 0
    milestones: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)  # ids sent before with other content

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "conflicts": len(self.conflicts),
            "rejected": len(self.rejected),
            "milestones": self.milestones,
            "rejections": self.rejected,
            "conflicting": self.conflicts,
        }


def read_lines(stream: IO[bytes], tally: Tally, advance: Any) -> Iterator[tuple[int, Any]]:
    """(line number, parsed JSON) for each non-blank line; a line that is not JSON is
    tallied as rejected and skipped."""
    for number, raw in enumerate(stream, start=1):
        advance(len(raw))
        text = raw.strip()
        if not text:
            continue
        tally.lines += 1
        try:
            yield number, json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            where = f" at column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
            reason = f"not valid JSON: {getattr(exc, 'msg', None) or exc}{where}"
            tally.rejected.append({"line": number, "id": None, "field": "line", "reason": reason})


def ingest_lines(
    mp: Milepost,
    store: str,
    lines: Iterator[tuple[int, Any]],
    source: str,
    batch_size: int,
    tally: Tally,
    lanes: int | None = None,
) -> None:
    """Ingest the events as a stream (two lanes on PostgreSQL unless told: see `Milepost.ingest_stream`)."""
    numbers = array("q")  # the line of each event, by its position in the stream (8 bytes each)

    def events() -> Iterator[Any]:
        for number, event in lines:
            numbers.append(number)
            yield event

    for result in mp.ingest_stream(store, events(), source=source, batch_size=batch_size, lanes=lanes):
        tally.accepted += result.accepted
        tally.duplicates += result.duplicates
        tally.milestones += len(result.firings)
        for r in result.rejected:
            tally.rejected.append({"line": numbers[r.index], "id": r.key, "field": r.field, "reason": r.reason})
        tally.conflicts.extend({"line": numbers[r.index], "id": r.key, "reason": r.reason} for r in result.conflicts)


def _in_processes(
    app: App,
    file: IO[bytes],
    store: str,
    source: str,
    batch_size: int,
    workers: int,
    tally: Tally,
    advance: Callable[[int], Any],
) -> None:
    """Share the customers out between `workers` processes (by the hash the stream's
    lanes use): this one takes the first share, and reports the lines and what is
    not JSON; each other one reads the file too and ingests its own customers' events.
    A customer's events all go to one process, so they apply in the order of the file."""
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter: no inherited connections
    with ProcessPoolExecutor(workers - 1, mp_context=spawn) as pool:
        others = [
            pool.submit(_share, app.settings, file.name, store, source, batch_size, share, workers)
            for share in range(1, workers)
        ]
        lines = _shared(read_lines(file, tally, advance), 0, workers)
        ingest_lines(app.mp, store, lines, source, batch_size, tally, lanes=1)
        for other in others:
            found = other.result()
            tally.accepted += found.accepted
            tally.duplicates += found.duplicates
            tally.milestones += found.milestones
            tally.rejected.extend(found.rejected)
            tally.conflicts.extend(found.conflicts)


def _share(settings: Settings, path: str, store: str, source: str, batch_size: int, share: int, shares: int) -> Tally:
    """One other process's share: the events of its customers in FILE."""
    tune_gc()
    mp = connect(settings=settings, migrate=False)
    try:
        tally = Tally()
        with open(path, "rb") as stream:
            lines = _shared(read_lines(stream, Tally(), lambda n: None), share, shares)
            ingest_lines(mp, store, lines, source, batch_size, tally, lanes=1)
        return tally
    finally:
        mp.close()


def _shared(lines: Iterator[tuple[int, Any]], share: int, shares: int) -> Iterator[tuple[int, Any]]:
    return ((number, event) for number, event in lines if lane_of(event, shares) == share)


def _progress(stream: IO[bytes]) -> Progress | None:
    if not sys.stderr.isatty():
        return None
    return Progress(
        TextColumn("ingesting"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=err_console(),
        transient=True,
    )


def _size(stream: IO[bytes]) -> int | None:
    try:
        return os.fstat(stream.fileno()).st_size or None
    except (OSError, ValueError):
        return None


@click.command()
@click.argument("file", type=click.File("rb"))
@store_option
@click.option(
    "--source",
    default="api",
    show_default=True,
    help="Where the events come from; event ids are unique per store and source.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(1, 100_000),
    default=1000,
    show_default=True,
    help="Events per transaction.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="PostgreSQL: processes sharing the customers out, each reading the whole FILE.",
)
@json_option
@pass_app
def ingest(app: App, file: IO[bytes], store: str, source: str, batch_size: int, workers: int, as_json: bool) -> None:
    """Ingest events from FILE, one JSON object per line ('-' reads stdin).

    Exit code 0 when every event was accepted or a duplicate, 1 when some were rejected
    or conflict (an id sent before with other content).
    """
    mp, tally = app.mp, Tally()
    mp.stores.get(store)  # fail fast on an unknown store
    if workers > 1:
        if mp.db.dialect != "postgresql":
            raise click.UsageError("--workers needs PostgreSQL: SQLite has one writer at a time")
        if file.name == "<stdin>" or not os.path.isfile(file.name):
            raise click.UsageError("--workers needs a file: each process reads it whole (not stdin)")
    tune_gc()
    progress = _progress(file)
    with progress if progress is not None else nullcontext():
        if progress is None:
            advance: Callable[[int], Any] = lambda n: None  # noqa: E731
        else:
            task = progress.add_task("ingest", total=_size(file))
            advance = lambda n: progress.advance(task, n)  # noqa: E731
        if workers == 1:
            ingest_lines(mp, store, read_lines(file, tally, advance), source, batch_size, tally)
        else:
            _in_processes(app, file, store, source, batch_size, workers, tally, advance)
    tally.rejected.sort(key=lambda r: r["line"])
    tally.conflicts.sort(key=lambda r: r["line"])
    _print(tally, as_json)
    if tally.rejected or tally.conflicts:
        click.get_current_context().exit(1)


def _print(tally: Tally, as_json: bool) -> None:
    if as_json:
        print_json(tally.as_dict())
        return
    click.echo(
        f"{tally.lines} lines read: accepted {tally.accepted}, duplicates {tally.duplicates}, "
        f"conflicts {len(tally.conflicts)}, rejected {len(tally.rejected)}; milestones fired {tally.milestones}"
    )
    _print_rows("Conflicts", ("line", "id", "reason"), tally.conflicts)
    _print_rows("Rejected", ("line", "id", "field", "reason"), tally.rejected)


def _print_rows(title: str, columns: tuple[str, ...], found: list[dict[str, Any]]) -> None:
    if not found:
        return
    shown = found[:SHOWN_REJECTIONS]
    console().print(table(title, columns, ([r[c] for c in columns] for r in shown)))
    if len(found) > SHOWN_REJECTIONS:
        click.echo(f"... and {len(found) - SHOWN_REJECTIONS} more (use --json to see them all)")
