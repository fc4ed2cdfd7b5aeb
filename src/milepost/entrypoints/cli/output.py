"""How the CLI shows things: money and times (milepost/formatting.py), rich tables, JSON for scripts."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from rich.console import Console
from rich.table import Table

from milepost import formatting
from milepost.domain.ids import format_id, rule_kind
from milepost.domain.records import Alert, IssuedCode, LedgerEntry, MilestoneReached, PointsEntry
from milepost.entrypoints.action_text import outcome_detail

T = TypeVar("T")


def _console(stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() or os.environ.get("COLUMNS") else 200
    return Console(file=stream, width=width, highlight=False)


def console() -> Console:
    return _console()


def err_console() -> Console:
    return _console(stderr=True)


def when(value: datetime | None, timezone: str = "UTC") -> str:
    """A time in the store's time zone, to the minute, with the zone's name: 2026-06-01 09:00 CEST."""
    return formatting.when(value, timezone, zone=True, none="-")


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Table:
    out = Table(title=title, title_justify="left", show_header=any(columns))
    for column in columns:
        out.add_column(column, overflow="fold")
    for row in rows:
        out.add_row(*("-" if cell is None else str(cell) for cell in row))
    return out


#: the numbers of the records the CLI prints as JSON that are ids, each as the public id
#: of its kind (domain/ids.py); `rule`: an order count event's or a program's, by its kind
PUBLIC_IDS: dict[type, dict[str, str]] = {
    Alert: {"id": "alert", "firing_id": "milestone"},
    LedgerEntry: {"id": "ledger_entry", "firing_id": "milestone"},
    PointsEntry: {"id": "points_entry", "firing_id": "milestone"},
    MilestoneReached: {"id": "milestone", "rule_id": "rule"},
    IssuedCode: {"firing_id": "milestone", "rule_id": "program"},
}


def plain(value: Any) -> Any:
    """Dataclasses, dates, times and tuples as JSON-ready values; ids as public ids."""
    if is_dataclass(value) and not isinstance(value, type):
        out = {f.name: plain(getattr(value, f.name)) for f in fields(value)}
        for name, kind in PUBLIC_IDS.get(type(value), {}).items():
            kind = rule_kind(getattr(value, "rule_kind", "")) if kind == "rule" else kind
            out[name] = format_id(kind, out[name])
        return out
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, date):  # and datetime
        return value.isoformat()
    return value


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(plain(value), indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def print_list(
    found: Sequence[T],
    as_json: bool,
    columns: Sequence[str],
    row: Callable[[T], Sequence[Any]],
    title: str | None = None,
) -> None:
    """What a list command answers: the records as JSON with --json, else a table of a row each."""
    if as_json:
        print_json(found)
    else:
        console().print(table(title, columns, map(row, found)))


def outcomes_text(m: MilestoneReached, locale: str = formatting.LOCALE) -> str:
    """What each action of a milestone did, one numbered line each, money as people read it."""
    return "\n".join(
        f"{a['position'] + 1}. {a['type']}: {a['status']} ({outcome_detail(str(a.get('detail', '')), locale)})"
        for a in m.actions
    )
