"""`milepost keys ...`: a store's API keys, shown once when created."""

from __future__ import annotations

import click

from milepost.domain.ids import format_id
from milepost.domain.records import ApiKey
from milepost.entrypoints.cli.context import App, Id, json_option, pass_app, store_option
from milepost.entrypoints.cli.output import console, print_json, table, when
from milepost.service.keys import SCOPES


def _public(key: ApiKey) -> dict[str, object]:
    return {
        "id": format_id("api_key", key.id),
        "name": key.name,
        "scope": key.scope,
        "prefix": key.prefix,
        "created_at": key.created_at,
        "revoked_at": key.revoked_at,
    }


@click.group()
def keys() -> None:
    """Create, list and revoke a store's API keys."""


@keys.command("create")
@store_option
@click.option(
    "--scope",
    type=click.Choice(SCOPES),
    required=True,
    help="ingest: may only send events. read: may read everything (every GET), change nothing. "
    "admin: may do everything.",
)
@click.option("--name", default="", help="What the key is for, like 'Shopify webhooks'.")
@json_option
@pass_app
def create_key(app: App, store: str, scope: str, name: str, as_json: bool) -> None:
    """Create a key. Its secret is printed this once: Milepost keeps only a hash."""
    key, secret = app.mp.keys.create(store, scope, name)
    if as_json:
        print_json({**_public(key), "secret": secret})
        return
    click.echo(f"created {key.scope} key key_{key.id} ({key.name}) for store {store!r}:")
    click.echo(f"\n    {secret}\n")
    click.echo("Copy it now: it is not stored and cannot be shown again.")
    click.echo("Send it as `Authorization: Bearer <key>`, or as a Segment write key.")


@keys.command("list")
@store_option
@json_option
@pass_app
def list_keys(app: App, store: str, as_json: bool) -> None:
    """The store's keys (prefixes only), revoked ones included."""
    found = app.mp.keys.list(store)
    if as_json:
        print_json([_public(k) for k in found])
        return
    rows = [
        (
            format_id("api_key", k.id),
            k.name,
            k.scope,
            k.prefix + "…",
            when(k.created_at),
            when(k.revoked_at) if k.revoked_at else "",
        )
        for k in found
    ]
    console().print(table("API keys", ("id", "name", "scope", "prefix", "created", "revoked"), rows))


@keys.command("revoke")
@click.argument("key_id", metavar="ID", type=Id("api_key"))
@store_option
@pass_app
def revoke_key(app: App, key_id: int, store: str) -> None:
    """Revoke a key (by its id, like key_3, or 3): it stops working at once."""
    app.mp.keys.revoke(store, key_id)
    click.echo(f"revoked {format_id('api_key', key_id)}")
