"""`milepost alerts list|ack|resolve`: the admin alerts that milestones create for agents."""

from __future__ import annotations

from typing import Any

import click

from milepost.domain.ids import format_id
from milepost.domain.records import Alert
from milepost.entrypoints.cli.context import App, Id, json_option, pass_app, store_option
from milepost.entrypoints.cli.output import print_list, when


@click.group()
def alerts() -> None:
    """Admin alerts that milestones created for agents."""


@alerts.command("list")
@store_option
@click.option("--all", "show_all", is_flag=True, help="Include acknowledged and resolved alerts.")
@click.option("--assignee", metavar="EMAIL", help="Only the alerts of the user with this email.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
@json_option
@pass_app
def list_alerts(app: App, store: str, show_all: bool, assignee: str | None, limit: int, as_json: bool) -> None:
    """Open alerts, newest first."""
    found = app.mp.alerts.list(store, status=None if show_all else "open", limit=limit, assignee=assignee)
    tz = app.mp.stores.get(store).timezone

    def row(a: Alert) -> tuple[Any, ...]:
        status = a.status if a.status == "open" else f"{a.status} by {a.resolved_by or a.acknowledged_by}"
        return (
            format_id("alert", a.id),
            when(a.created_at, tz),
            a.customer_id,
            a.message,
            a.assignee or "anyone",
            status,
        )

    print_list(found, as_json, ("id", "when", "customer", "message", "for", "status"), row)


def _step(name: str, done: str, summary: str, by_help: str) -> None:
    """The command `name` (ack, resolve) that acknowledges or resolves alert ID in the name of --by."""

    @alerts.command(name, help=summary)
    @click.argument("alert_id", metavar="ID", type=Id("alert"))
    @store_option
    @click.option("--by", required=True, help=by_help)
    @pass_app
    def step(app: App, alert_id: int, store: str, by: str) -> None:
        take = app.mp.alerts.acknowledge if name == "ack" else app.mp.alerts.resolve
        take(store, alert_id, by)
        click.echo(f"alert {format_id('alert', alert_id)} {done} by {by}")


_step("ack", "acknowledged", "Acknowledge alert ID.", "Who handled it.")
_step("resolve", "resolved", "Resolve alert ID (an open one is acknowledged at the same time).", "Who dealt with it.")
