"""`milepost segments create|list|show|update|delete|preview|members`: segments (filters
on events, tags, attributes, counts and totals, aggregates, milestones and other
segments), kept by key, their size and members, and a preview before saving.

A definition is the JSON object the HTTP API takes, read from a file (`-` for stdin).
A refused one prints each problem on a line of its own, by its field path
(`filters[0].op: unknown operator 'like': ...`), and exits 2.
"""

from __future__ import annotations

from typing import IO, Any

import click

from milepost.domain.segments import Member, Segment
from milepost.entrypoints.cli.context import App, json_option, pass_app, store_option
from milepost.entrypoints.cli.definitions import checked, definition_file, read_definition
from milepost.entrypoints.cli.output import console, print_json, table

_PAGE = 500


def _json(s: Segment, size: int | None = None) -> dict[str, Any]:
    assert s.created_at is not None and s.updated_at is not None
    out = {**s.as_dict(), "time_based": s.changes_with_time}
    out |= {"created_at": s.created_at.isoformat(), "updated_at": s.updated_at.isoformat()}
    return out if size is None else {**out, "size": size}


def _members_json(found: list[Member]) -> list[dict[str, Any]]:
    return [{"customer_id": m.external_id, "name": m.name, "email": m.email} for m in found]


def _members_table(title: str, found: list[Member]) -> None:
    console().print(table(title, ("customer", "name", "email"), ((m.external_id, m.name, m.email) for m in found)))


def _saved(app: App, store: str, s: Segment, as_json: bool, done: str) -> None:
    size = app.mp.segments.size(store, s.key)
    if as_json:
        print_json(_json(s, size))
        return
    click.echo(f"segment {s.key} {done} ({s.kind}, {size} customer{'' if size == 1 else 's'})")


@click.group()
def segments() -> None:
    """Segments: customers picked by filters, kept current (auto) or as they were (static)."""


@segments.command("create")
@store_option
@definition_file
@json_option
@pass_app
def create(app: App, store: str, file: IO[bytes], as_json: bool) -> None:
    """A new segment from its definition in --file (its key is the definition's)."""
    definition = read_definition(file)
    _saved(app, store, checked(lambda: app.mp.segments.create(store, definition), "segment"), as_json, "created")


@segments.command("update")
@store_option
@click.argument("key")
@definition_file
@json_option
@pass_app
def update(app: App, store: str, key: str, file: IO[bytes], as_json: bool) -> None:
    """Change segment KEY's name, and filters or groups, to --file's (other fields may be
    there as `show` prints them, unchanged). New filters give a static segment a new snapshot."""
    raw = read_definition(file)
    if isinstance(raw, dict):  # what `show` prints may come back: what it says and cannot change is left out
        current = app.mp.segments.get(store, key)
        same = {"key": key, "kind": current.kind}
        shown = ("time_based", "created_at", "updated_at", "size")
        raw = {k: v for k, v in raw.items() if k not in shown and (k not in same or v != same[k])}
    _saved(app, store, checked(lambda: app.mp.segments.update(store, key, raw), "segment"), as_json, "updated")


@segments.command("list")
@store_option
@json_option
@pass_app
def list_segments(app: App, store: str, as_json: bool) -> None:
    """The store's segments by key."""
    found = app.mp.segments.list(store)
    if as_json:
        print_json([_json(s) for s in found])
        return
    rows = (
        (s.key, s.name, s.kind, sum(len(g) for g in s.groups), "yes" if s.changes_with_time else "no") for s in found
    )
    console().print(table("Segments", ("key", "name", "kind", "filters", "time-based"), rows))


@segments.command("show")
@store_option
@click.argument("key")
@pass_app
def show(app: App, store: str, key: str) -> None:
    """Segment KEY's definition and its size now, as JSON."""
    print_json(_json(app.mp.segments.get(store, key), app.mp.segments.size(store, key)))


@segments.command("delete")
@store_option
@click.argument("key")
@pass_app
def delete(app: App, store: str, key: str) -> None:
    """Delete segment KEY (refused while another segment names it)."""
    app.mp.segments.delete(store, key)
    click.echo(f"segment {key} deleted")


@segments.command("preview")
@store_option
@definition_file
@click.option("--limit", type=click.IntRange(1, 200), default=10, show_default=True, help="Members to show.")
@json_option
@pass_app
def preview(app: App, store: str, file: IO[bytes], limit: int, as_json: bool) -> None:
    """The size and first members of the filters or groups in --file, without saving them."""
    definition = read_definition(file)
    found = checked(lambda: app.mp.segments.preview(store, definition, limit), "segment")
    if as_json:
        print_json({"size": found.size, "members": _members_json(found.members)})
        return
    _members_table(f"{found.size} customer{'' if found.size == 1 else 's'}", found.members)


@segments.command("members")
@store_option
@click.argument("key")
@click.option("--limit", type=click.IntRange(1), default=None, help="At most this many (default: all).")
@json_option
@pass_app
def members(app: App, store: str, key: str, limit: int | None, as_json: bool) -> None:
    """Segment KEY's members by customer id."""
    found: list[Member] = []
    while limit is None or len(found) < limit:
        want = _PAGE if limit is None else min(_PAGE, limit - len(found))
        page = app.mp.segments.members(store, key, found[-1].external_id if found else None, want)
        found += page
        if len(page) < want:
            break
    if as_json:
        print_json(_members_json(found))
        return
    _members_table(f"Members of {key}", found)
