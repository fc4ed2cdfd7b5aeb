"""The `milepost` command: the CLI entrypoint. Commands only translate
arguments into calls of the Python API and its answers into text or JSON.

This module holds the root group, `migrate`, `demo`, `serve` and `main`. Every other
command is in the module named after its group (`milepost <noun> ...` in `<noun>.py`),
and where the noun alone does not say it all:

    deliveries.py  `deliveries`, `mailbox` and `worker`: the outbox and who sends it
    events.py      `events`: order count events (programs on the number of orders);
                   event_names.py adds `events names`, the store's event catalogue
    ledgers.py     `credit` and `points`: one ledger's commands, made for each unit
    stores.py      `stores`; their email `templates` are in templates.py

What commands share: `context.py` (the App, the common options, errors as one line),
`group.py` (the root group: usage errors worded like the rest, `--help` by task),
`program_commands.py` and `action_flags.py` (for `programs` and `events`),
`demo_store.py` and `demo_history.py` (what `demo` seeds).
`python -m milepost.entrypoints.cli` runs `__main__.py`.
"""

from __future__ import annotations

import os
import secrets
import signal

import click

from milepost.bootstrap import Milepost
from milepost.entrypoints.action_text import actions_text
from milepost.entrypoints.cli import demo_store as demo_data
from milepost.entrypoints.cli.aggregates import aggregates, customer_aggregates
from milepost.entrypoints.cli.alerts import alerts
from milepost.entrypoints.cli.automations import automations
from milepost.entrypoints.cli.codes import codes
from milepost.entrypoints.cli.completion import completion
from milepost.entrypoints.cli.context import App, pass_app
from milepost.entrypoints.cli.customers import customers
from milepost.entrypoints.cli.daily import run_daily, scheduler
from milepost.entrypoints.cli.deliveries import deliveries, mailbox, worker
from milepost.entrypoints.cli.event_names import names as _names  # noqa: F401  (registers `events names`)
from milepost.entrypoints.cli.events import events
from milepost.entrypoints.cli.group import MilepostGroup
from milepost.entrypoints.cli.ingest import ingest
from milepost.entrypoints.cli.keys import keys
from milepost.entrypoints.cli.ledgers import credit, points
from milepost.entrypoints.cli.milestones import milestones
from milepost.entrypoints.cli.output import console, table
from milepost.entrypoints.cli.pools import pools
from milepost.entrypoints.cli.programs import programs
from milepost.entrypoints.cli.segments import segments
from milepost.entrypoints.cli.stores import stores
from milepost.entrypoints.cli.templates import templates
from milepost.entrypoints.cli.users import users
from milepost.entrypoints.cli.webhooks import webhooks


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
    """Seed the demo store: a ladder, a program of each kind, six months of customers,
    the first-purchase anniversary automation, two segments (idempotent: a second run
    changes nothing)."""
    seeded = demo_data.seed(app.mp)
    if seeded.changed:
        click.echo(f"seeded the demo store in {app.safe_url}:")
        click.echo(f"  store created: {'yes' if seeded.store_created else 'no (it existed)'}")
        click.echo(f"  templates saved: {', '.join(seeded.templates_saved) or 'none'}")
        click.echo(f"  order count events created: {', '.join(seeded.events_created) or 'none'}")
        click.echo(f"  milestone programs created: {', '.join(seeded.programs_created) or 'none'}")
        click.echo(f"  events accepted: {seeded.accepted}, milestones fired: {seeded.milestones}")
        click.echo(f"  anniversary automation: {', '.join(seeded.anniversary_created) or 'there already'}")
        click.echo(f"  segments: {', '.join(seeded.segments_created) or 'there already'}")
        click.echo(f"  daily runs: {seeded.daily_runs} day(s), the automation's run log")
    else:
        click.echo(f"the demo store is already seeded in {app.safe_url}: nothing changed")
    show_demo(app)


def show_demo(app: App) -> None:
    mp, out = app.mp, console()
    demo = mp.stores.get(demo_data.STORE)
    out.print(
        table(
            "Order count events in the demo store",
            ("id", "count", "name", "actions"),
            (
                (d.rule.id, d.rule.threshold, d.rule.name, actions_text(d.rule.actions, demo.currency, demo.locale))
                for d in mp.order_count_events.list(demo_data.STORE)
            ),
        )
    )
    rows = []
    for cid, *_ in demo_data.CUSTOMERS:
        c = mp.customers.get(demo_data.STORE, cid)
        rows.append((cid, c.name, c.order_count, ", ".join(c.tags) or "-", len(c.milestones)))
    out.print(table("Demo customers", ("id", "name", "orders", "tags", "milestones"), rows))
    click.echo(f"open alerts: {len(mp.alerts.list(demo_data.STORE))}")
    click.echo("look closer:  milepost customers show ada --store demo")
    click.echo("              milepost milestones log --store demo")
    click.echo("              milepost alerts list --store demo")


@cli.command()
@click.option("--demo", "with_demo", is_flag=True, help="Seed the demo store first if it is missing.")
@click.option("--host", default=None, help="Address to listen on (default: MILEPOST_HOST, 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="Port (default: MILEPOST_PORT, 8000).")
@click.option(
    "--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="Server processes (PostgreSQL)."
)
@click.option(
    "--worker/--no-worker",
    "embedded_worker",
    default=None,
    help="Deliver the outbox in the server too (default: MILEPOST_EMBEDDED_WORKER, on). "
    "Turn it off when `milepost worker` runs on its own.",
)
@click.option(
    "--scheduler/--no-scheduler",
    "embedded_scheduler",
    default=None,
    help="Run the daily runs in the server too (default: MILEPOST_EMBEDDED_SCHEDULER, on). "
    "Turn it off when `milepost scheduler` runs on its own.",
)
@pass_app
def serve(
    app: App,
    with_demo: bool,
    host: str | None,
    port: int | None,
    workers: int,
    embedded_worker: bool | None,
    embedded_scheduler: bool | None,
) -> None:
    """Run the HTTP API (OpenAPI docs at /docs) until Ctrl-C or SIGTERM."""
    import uvicorn

    from milepost.entrypoints.http import access_log

    # Until the server takes over the signals, SIGTERM or Ctrl-C end the command cleanly.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    mp, s = app.mp, app.settings
    host, port = host or s.host, s.port if port is None else port
    if with_demo:
        _seed_demo(mp, f"http://{host}:{port}")
    _describe(app)
    click.echo(f"HTTP API on http://{host}:{port}/api/v1 (docs: http://{host}:{port}/docs); Ctrl-C stops it.")
    click.echo(f"admin UI on http://{host}:{port}/admin (users: milepost users create EMAIL --role administrator)")
    if workers > 1 and mp.db.dialect == "sqlite":
        click.echo("note: SQLite has one writer at a time; extra workers mostly help reads", err=True)
    app.close()
    access_log.configure(s.log_level)
    environment = {"MILEPOST_DATABASE_URL": app.url}
    if embedded_worker is not None:
        environment["MILEPOST_EMBEDDED_WORKER"] = "true" if embedded_worker else "false"
    if embedded_scheduler is not None:
        environment["MILEPOST_EMBEDDED_SCHEDULER"] = "true" if embedded_scheduler else "false"
    if s.embedded_scheduler if embedded_scheduler is None else embedded_scheduler:
        click.echo("running the daily runs in the server, after each store's local midnight")
    if s.embedded_worker if embedded_worker is None else embedded_worker:
        sink = f"SMTP {s.smtp_host}" if s.smtp_host else "the local mailbox (milepost mailbox list)"
        click.echo(f"delivering the outbox in the server: emails to {sink}")
    os.environ.update(environment)  # the server processes read their settings from it
    uvicorn.run(
        "milepost.entrypoints.http:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        log_level=s.log_level,
        proxy_headers=False,
        server_header=False,  # no `server: uvicorn` banner on the answers
    )
    click.echo("stopped")


def _exit_cleanly(_signum: int, _frame: object) -> None:
    raise SystemExit(0)


def _seed_demo(mp: Milepost, base_url: str) -> None:
    if demo_data.STORE in {s.key for s in mp.stores.list()}:
        click.echo("demo store found: left as it is (a new key: milepost keys create --store demo --scope admin)")
        return
    demo_data.seed(mp)
    _key, secret = mp.keys.create(demo_data.STORE, "admin", "demo key")
    click.echo("demo store seeded; its admin API key (shown once):")
    click.echo(f"    {secret}")
    click.echo(f"    try: curl -H 'Authorization: Bearer {secret}' {base_url}/api/v1/customers/ada")
    if not mp.users.list():
        password = secrets.token_urlsafe(12)
        mp.users.create(demo_data.ADMIN_EMAIL, "Demo Administrator", password, "administrator")
        click.echo(f"admin UI: {base_url}/admin; sign in as {demo_data.ADMIN_EMAIL} with this password (shown once):")
        click.echo(f"    {password}")


def _describe(app: App) -> None:
    mp = app.mp
    click.echo(f"Milepost on {app.safe_url}")
    stores_found = mp.stores.list()
    for store in stores_found:
        count = len(mp.order_count_events.list(store.key))
        click.echo(f"  store {store.key!r} ({store.name}, {store.currency}): {count} order count events")
    if not stores_found:
        click.echo("  no stores yet: try `milepost serve --demo` or `milepost stores create`")
    if demo_data.STORE in {s.key for s in stores_found}:
        click.echo("  see the demo customer: milepost customers show ada --store demo")


for group in (
    stores,
    templates,
    events,
    customers,
    milestones,
    alerts,
    credit,
    points,
    codes,
    pools,
    automations,
    aggregates,
    segments,
    keys,
    webhooks,
    deliveries,
    mailbox,
):
    cli.add_command(group)
customers.add_command(customer_aggregates)
cli.add_command(ingest)
cli.add_command(worker)
cli.add_command(run_daily)
cli.add_command(scheduler)
cli.add_command(programs)
cli.add_command(users)
cli.add_command(completion)


def main() -> None:
    cli(prog_name="milepost")
