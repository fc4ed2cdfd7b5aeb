"""`milepost webhooks ...`: a store's webhook endpoints."""

from __future__ import annotations

from typing import Any

import click

from milepost.domain.delivery import WEBHOOK_EVENT_TYPES, Endpoint
from milepost.entrypoints.cli.context import App, id_number, json_option, pass_app, store_option
from milepost.entrypoints.cli.output import console, print_json, table, when

event_option = click.option(
    "--event",
    "event_types",
    multiple=True,
    type=click.Choice(WEBHOOK_EVENT_TYPES),
    help="An internal event it receives (repeatable).",
)
id_argument = click.argument("endpoint_id", metavar="ID")


def _number(value: str) -> int:
    return id_number(value, "webhook_endpoint")


def _public(e: Endpoint) -> dict[str, Any]:
    """As the HTTP API shows it: never a secret."""
    return {
        "id": f"whe_{e.id}",
        "url": e.url,
        "description": e.description,
        "event_types": list(e.event_types),
        "enabled": e.enabled,
        "disabled_reason": e.disabled_reason,
        "created_at": e.created_at,
        "updated_at": e.updated_at,
    }


def _state(e: Endpoint) -> str:
    return "enabled" if e.enabled else f"disabled ({e.disabled_reason})" if e.disabled_reason else "disabled"


def _show_secret(e: Endpoint, secret: str, heading: str) -> None:
    click.echo(heading)
    click.echo(f"\n    {secret}\n")
    click.echo("Receivers verify the webhook-signature header with it (Standard Webhooks).")
    click.echo(f"`milepost webhooks secret whe_{e.id}` shows it again.")


@click.group()
def webhooks() -> None:
    """Register, list, change and delete a store's webhook endpoints."""


@webhooks.command("add")
@click.argument("url")
@store_option
@event_option
@click.option("--description", default="", help="What it is for, at most 200 characters.")
@json_option
@pass_app
def add(app: App, url: str, store: str, event_types: tuple[str, ...], description: str, as_json: bool) -> None:
    """Register URL; prints its signing secret."""
    endpoint, secret = app.mp.webhooks.create(store, url=url, event_types=list(event_types), description=description)
    if as_json:
        print_json({**_public(endpoint), "secret": secret})
        return
    events = ", ".join(endpoint.event_types) or "no events (only what webhook actions send)"
    _show_secret(
        endpoint, secret, f"created webhook endpoint whe_{endpoint.id} for {endpoint.url}, receiving {events}:"
    )


@webhooks.command("list")
@store_option
@json_option
@pass_app
def list_endpoints(app: App, store: str, as_json: bool) -> None:
    """The store's webhook endpoints, oldest first."""
    found = _every_endpoint(app, store)
    if as_json:
        print_json([_public(e) for e in found])
        return
    tz = app.mp.stores.get(store).timezone
    rows = (
        (f"whe_{e.id}", e.url, ", ".join(e.event_types) or "-", _state(e), e.description or "-", when(e.created_at, tz))
        for e in found
    )
    console().print(
        table(f"Webhook endpoints of {store}", ("id", "url", "events", "state", "description", "created"), rows)
    )


def _every_endpoint(app: App, store: str, page: int = 1000) -> list[Endpoint]:
    found: list[Endpoint] = []
    batch: list[Endpoint] | None = None
    while batch is None or len(batch) == page:
        batch = app.mp.webhooks.list(store, after_id=found[-1].id if found else None, limit=page)
        found += batch
    return found


@webhooks.command("show")
@id_argument
@store_option
@json_option
@pass_app
def show(app: App, endpoint_id: str, store: str, as_json: bool) -> None:
    """One endpoint (ID like whe_4 or 4); never its secret."""
    e = app.mp.webhooks.get(store, _number(endpoint_id))
    if as_json:
        print_json(_public(e))
        return
    tz = app.mp.stores.get(store).timezone
    rows = [
        ("url", e.url),
        ("events", ", ".join(e.event_types) or "-"),
        ("state", _state(e)),
        ("description", e.description or "-"),
        ("created", when(e.created_at, tz)),
        ("updated", when(e.updated_at, tz)),
    ]
    console().print(table(f"Webhook endpoint whe_{e.id}", ("", ""), rows))


@webhooks.command("update")
@id_argument
@store_option
@click.option("--url", help="A new URL (refused while an order count event's webhook action sends to the old one).")
@event_option
@click.option("--no-events", is_flag=True, help="Receive no internal events (only what webhook actions send).")
@click.option("--description")
@click.option("--enable/--disable", "enabled", default=None, help="Enabling leaves its dead deliveries dead.")
@json_option
@pass_app
def update(
    app: App,
    endpoint_id: str,
    store: str,
    url: str | None,
    event_types: tuple[str, ...],
    no_events: bool,
    description: str | None,
    enabled: bool | None,
    as_json: bool,
) -> None:
    """Change endpoint ID; --event flags replace its events."""
    if event_types and no_events:
        raise click.UsageError("give --event or --no-events, not both")
    e = app.mp.webhooks.update(
        store,
        _number(endpoint_id),
        url=url,
        event_types=list(event_types) if event_types else [] if no_events else None,
        description=description,
        enabled=enabled,
    )
    if as_json:
        print_json(_public(e))
        return
    click.echo(f"updated webhook endpoint whe_{e.id}: {e.url}, {_state(e)}, events: {', '.join(e.event_types) or '-'}")


@webhooks.command("rotate-secret")
@id_argument
@store_option
@json_option
@pass_app
def rotate_secret(app: App, endpoint_id: str, store: str, as_json: bool) -> None:
    """A new signing secret; the old one keeps signing too for 24 hours."""
    e, secret = app.mp.webhooks.rotate_secret(store, _number(endpoint_id))
    if as_json:
        print_json({**_public(e), "secret": secret})
        return
    _show_secret(e, secret, f"new signing secret of whe_{e.id} (the previous one also signs for 24 hours):")


@webhooks.command("secret")
@id_argument
@store_option
@json_option
@pass_app
def secret(app: App, endpoint_id: str, store: str, as_json: bool) -> None:
    """Print the current signing secret alone, for scripts."""
    number = _number(endpoint_id)
    found = app.mp.webhooks.secret(store, number)
    if as_json:
        print_json({"id": f"whe_{number}", "secret": found})
        return
    click.echo(found)


@webhooks.command("delete")
@id_argument
@store_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_app
def delete(app: App, endpoint_id: str, store: str, yes: bool) -> None:
    """Delete endpoint ID; its pending deliveries are parked as dead."""
    e = app.mp.webhooks.get(store, _number(endpoint_id))
    if not yes:
        click.confirm(f"delete webhook endpoint whe_{e.id} ({e.url})?", abort=True)
    app.mp.webhooks.delete(store, e.id)
    click.echo(f"deleted webhook endpoint whe_{e.id} ({e.url})")
