"""`milepost alerts list|ack|resolve`: the admin alerts that milestones create for agents."""

from __future__ import annotations

import click

from milepost.entrypoints.cli.context import App, json_option, pass_app, store_option
from milepost.entrypoints.cli.output import console, print_json, table, when


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
    if as_json:
        print_json(found)
        return
    tz = app.mp.stores.get(store).timezone
    rows = (
        (
            a.id,
            when(a.created_at, tz),
            a.customer_id,
            a.message,
            a.assignee or "anyone",
            a.status if a.status == "open" else f"{a.status} by {a.resolved_by or a.acknowledged_by}",
        )
        for a in found
    )
    console().print(table(None, ("id", "when", "customer", "message", "for", "status"), rows))


@alerts.command("ack")
@click.argument("alert_id", metavar="ID", type=int)
@store_option
@click.option("--by", required=True, help="Who handled it.")
@pass_app
def acknowledge(app: App, alert_id: int, store: str, by: str) -> None:
    """Acknowledge alert ID."""
    app.mp.alerts.acknowledge(store, alert_id, by)
    click.echo(f"alert {alert_id} acknowledged by {by}")


@alerts.command("resolve")
@click.argument("alert_id", metavar="ID", type=int)
@store_option
@click.option("--by", required=True, help="Who dealt with it.")
@pass_app
def resolve(app: App, alert_id: int, store: str, by: str) -> None:
    """Resolve alert ID (an open one is acknowledged at the same time)."""
    app.mp.alerts.resolve(store, alert_id, by)
    click.echo(f"alert {alert_id} resolved by {by}")
