"""The `milepost` command: the CLI entrypoint. Commands only translate
arguments into calls of the Python API and its answers into text or JSON."""

from __future__ import annotations

import signal
import threading
from typing import Any

import click

from milepost.entrypoints import demo as demo_data
from milepost.entrypoints.cli_events import events
from milepost.entrypoints.cli_ingest import ingest
from milepost.entrypoints.cli_reports import alerts, credit, customers, milestones
from milepost.entrypoints.cli_stores import stores, templates
from milepost.entrypoints.context import App, MilepostGroup, pass_app
from milepost.entrypoints.output import actions_text, console, table
from milepost.runtime import tune_gc


@click.group(cls=MilepostGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--database-url",
    envvar=None,
    metavar="URL",
    help="SQLAlchemy URL of the database. Default: MILEPOST_DATABASE_URL, else the SQLite file in MILEPOST_DATA_DIR.",
)
@click.version_option(package_name="milepost")
@click.pass_context
def cli(ctx: click.Context, database_url: str | None) -> None:
    """Milepost: customer milestones (order count events) that fire exactly once."""
    app = App(database_url)
    ctx.obj = app
    ctx.call_on_close(app.close)


@cli.command()
@pass_app
def migrate(app: App) -> None:
    """Create or upgrade the database schema."""
    app.mp  # noqa: B018 - opening Milepost runs the migrations
    click.echo(f"database {app.safe_url} is up to date")


@cli.command()
@pass_app
def demo(app: App) -> None:
    """Seed the demo store (idempotent: a second run changes nothing)."""
    seeded = demo_data.seed(app.mp)
    if seeded.changed:
        click.echo(f"seeded the demo store in {app.safe_url}:")
        click.echo(f"  store created: {'yes' if seeded.store_created else 'no (it existed)'}")
        click.echo(f"  templates saved: {', '.join(seeded.templates_saved) or 'none'}")
        click.echo(f"  order count events created: {', '.join(seeded.events_created) or 'none'}")
        click.echo(f"  events accepted: {seeded.accepted}, milestones fired: {seeded.milestones}")
    else:
        click.echo(f"the demo store is already seeded in {app.safe_url}: nothing changed")
    show_demo(app)


def show_demo(app: App) -> None:
    mp, out = app.mp, console()
    currency = mp.store(demo_data.STORE).currency
    out.print(
        table(
            "Order count events in the demo store",
            ("id", "count", "name", "actions"),
            (
                (d.rule.id, d.rule.threshold, d.rule.name, actions_text(d.rule.actions, currency))
                for d in mp.order_count_events(demo_data.STORE)
            ),
        )
    )
    rows = []
    for cid, *_ in demo_data.CUSTOMERS:
        c = mp.customer(demo_data.STORE, cid)
        rows.append((cid, c.name, c.order_count, ", ".join(c.tags) or "-", len(c.milestones)))
    out.print(table("Demo customers", ("id", "name", "orders", "tags", "milestones"), rows))
    click.echo(f"open alerts: {len(mp.alerts(demo_data.STORE))}")
    click.echo("look closer:  milepost customers show ada --store demo")
    click.echo("              milepost milestones log --store demo")
    click.echo("              milepost alerts list --store demo")


@cli.command()
@click.option("--demo", "with_demo", is_flag=True, help="Seed the demo store first if it is missing.")
@pass_app
def serve(app: App, with_demo: bool) -> None:
    """Run Milepost until Ctrl-C or SIGTERM (the HTTP API comes in the next release)."""
    stop = _stop_on_signals()
    mp = app.mp
    if with_demo:
        names = {s.key for s in mp.stores()}
        if demo_data.STORE in names:
            click.echo("demo store found: left as it is")
        else:
            demo_data.seed(mp)
            click.echo("demo store seeded")
    click.echo(f"Milepost is running on {app.safe_url}")
    stores_found = mp.stores()
    for store in stores_found:
        count = len(mp.order_count_events(store.key))
        click.echo(f"  store {store.key!r} ({store.name}, {store.currency}): {count} order count events")
    if not stores_found:
        click.echo("  no stores yet: try `milepost serve --demo` or `milepost stores create`")
    if with_demo or demo_data.STORE in {s.key for s in stores_found}:
        click.echo("  see the demo customer: milepost customers show ada --store demo")
    s = app.settings
    click.echo(
        f"The HTTP API (http://{s.host}:{s.port}/api/v1) comes in the next release; "
        "until then use the CLI and the Python API."
    )
    click.echo("Press Ctrl-C to stop.")
    app.close()
    tune_gc()
    while not stop.wait(3600):
        pass
    click.echo("stopped")


def _stop_on_signals() -> threading.Event:
    """An event set by Ctrl-C (SIGINT) or SIGTERM, so `serve` ends cleanly with exit code 0."""
    stop = threading.Event()

    def _handler(signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _handler)
    signal.signal(signal.SIGINT, _handler)
    return stop


for group in (stores, templates, events, customers, milestones, alerts, credit):
    cli.add_command(group)
cli.add_command(ingest)


def main() -> None:
    cli(prog_name="milepost")


if __name__ == "__main__":
    main()
