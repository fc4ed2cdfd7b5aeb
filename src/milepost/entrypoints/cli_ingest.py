"""`milepost ingest FILE`: JSON lines in, a summary and the rejected lines out."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import click
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from milepost.bootstrap import Milepost
from milepost.entrypoints.context import App, json_option, pass_app, store_option
from milepost.entrypoints.output import console, err_console, print_json, table
from milepost.runtime import tune_gc

SHOWN_REJECTIONS = 100


@dataclass
class Tally:
    lines: int = 0
    accepted: int = 0
    duplicates: int = 0
    milestones: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": len(self.rejected),
            "milestones": self.milestones,
            "rejections": self.rejected,
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
) -> None:
    """Ingest the events as a stream (two lanes on PostgreSQL: see `Milepost.ingest_stream`)."""
    numbers: list[int] = []  # the line of each event, by its position in the stream

    def events() -> Iterator[Any]:
        for number, event in lines:
            numbers.append(number)
            yield event

    for result in mp.ingest_stream(store, events(), source=source, batch_size=batch_size):
        tally.accepted += result.accepted
        tally.duplicates += result.duplicates
        tally.milestones += len(result.firings)
        for r in result.rejected:
            tally.rejected.append({"line": numbers[r.index], "id": r.key, "field": r.field, "reason": r.reason})


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
@json_option
@pass_app
def ingest(app: App, file: IO[bytes], store: str, source: str, batch_size: int, as_json: bool) -> None:
    """Ingest events from FILE, one JSON object per line ('-' reads stdin).

    Exit code 0 when every event was accepted or a duplicate, 1 when some were rejected.
    """
    mp, tally = app.mp, Tally()
    mp.store(store)  # fail fast on an unknown store
    tune_gc()
    progress = _progress(file)
    if progress is None:
        ingest_lines(mp, store, read_lines(file, tally, lambda n: None), source, batch_size, tally)
    else:
        with progress:
            task = progress.add_task("ingest", total=_size(file))
            advance = lambda n: progress.advance(task, n)  # noqa: E731
            ingest_lines(mp, store, read_lines(file, tally, advance), source, batch_size, tally)
    tally.rejected.sort(key=lambda r: r["line"])
    _print(tally, as_json)
    if tally.rejected:
        click.get_current_context().exit(1)


def _print(tally: Tally, as_json: bool) -> None:
    if as_json:
        print_json(tally.as_dict())
        return
    click.echo(
        f"{tally.lines} lines read: accepted {tally.accepted}, duplicates {tally.duplicates}, "
        f"rejected {len(tally.rejected)}; milestones fired {tally.milestones}"
    )
    if not tally.rejected:
        return
    shown = tally.rejected[:SHOWN_REJECTIONS]
    rows = ((r["line"], r["id"], r["field"], r["reason"]) for r in shown)
    console().print(table("Rejected", ("line", "id", "field", "reason"), rows))
    if len(tally.rejected) > SHOWN_REJECTIONS:
        click.echo(f"... and {len(tally.rejected) - SHOWN_REJECTIONS} more (use --json to see them all)")
