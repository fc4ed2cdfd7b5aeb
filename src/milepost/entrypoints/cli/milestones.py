"""`milepost milestones log`: who reached which milestone, when, on which order."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click

from milepost.domain.ids import format_id
from milepost.domain.records import MilestoneReached
from milepost.entrypoints.cli.amounts import reached_values
from milepost.entrypoints.cli.context import App, Id, json_option, pass_app, store_option
from milepost.entrypoints.cli.output import outcomes_text, print_list, when


def _date(value: str | None) -> datetime | None:
    """ISO date or time; a date means midnight UTC, a time without offset means UTC."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO date or time like 2026-01-31") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@click.group()
def milestones() -> None:
    """Who reached which milestone, when, on which order."""


@milestones.command("log")
@store_option
@click.option("--customer", help="Only this customer.")
@click.option("--event", "rule_id", type=Id("order_count_event"), metavar="ID", help="Only this order count event.")
@click.option("--since", help="From this date or time (UTC unless it has an offset).")
@click.option("--until", help="Before this date or time.")
@click.option(
    "--before",
    "before_id",
    type=Id("milestone"),
    metavar="LOG_ID",
    help="Entries older than this log id (paging).",
)
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@json_option
@pass_app
def milestone_log(
    app: App,
    store: str,
    customer: str | None,
    rule_id: int | None,
    since: str | None,
    until: str | None,
    before_id: int | None,
    limit: int,
    as_json: bool,
) -> None:
    """The milestone log, newest first."""
    found = app.mp.reports.milestone_log(
        store,
        customer_id=customer,
        rule_id=rule_id,
        since=_date(since),
        until=_date(until),
        before_id=before_id,
        limit=limit,
    )
    s = app.mp.stores.get(store)
    tz = s.timezone
    value = reached_values(app, store, [] if as_json else found)

    def row(m: MilestoneReached) -> tuple[Any, ...]:
        return (
            format_id("milestone", m.id),
            when(m.fired_at, tz),
            m.customer_id,
            m.rule_name,
            value(m),
            m.order_id,
            outcomes_text(m, s.locale),
        )

    print_list(found, as_json, ("log id", "when", "customer", "event", "count", "order", "actions"), row)
    if not as_json and len(found) == limit:
        click.echo(f"more may exist: add --before {format_id('milestone', found[-1].id)}")
