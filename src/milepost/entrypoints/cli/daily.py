"""`milepost run-daily`: the daily work (automations, inactivity programs, points expiry) as of a
store-local date, with catch-up of the days missed since each store's last run; and
`milepost scheduler`, which runs it on a clock, just after each store's local midnight."""

from __future__ import annotations

import signal
import threading
from datetime import datetime
from typing import Any

import click

from milepost.entrypoints.cli.context import App, json_option, pass_app
from milepost.entrypoints.cli.output import plain, print_json
from milepost.scheduler.daily import DailyRun


@click.command("run-daily")
@click.option("--store", "stores", multiple=True, metavar="KEY", help="Only this store (repeatable; default all).")
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The store-local date to run (default: today in each store's time zone).",
)
@json_option
@pass_app
def run_daily(app: App, stores: tuple[str, ...], day: datetime | None, as_json: bool) -> None:
    """Run the automations, inactivity programs and points expiry as of the start of a store-local date, past
    or future, and the days missed since each store's last run, oldest first. A date at or
    before a store's last run adds nothing; running twice does nothing twice."""
    runs = app.mp.sweeps.run_daily(list(stores) or None, day.date() if day else None)
    if as_json:
        print_json([_run_dict(run) for run in runs])
        return
    for run in runs:
        if not run.days:
            click.echo(f"{run.store}: nothing to run, {run.day} is done already")
        _echo_days(run)


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Run the stores whose day changed, then exit.")
@click.option(
    "--poll",
    type=click.FloatRange(1, 86_400),
    default=300,
    show_default=True,
    help="Seconds between looks at most (sooner at a store's midnight).",
)
@pass_app
def scheduler(app: App, once: bool, poll: float) -> None:
    """Run each store's daily work just after its local midnight, until Ctrl-C or SIGTERM:
    the day that just began there, with catch-up of the days missed while it was down. On PostgreSQL only one
    scheduler acts at a time (a database lock); the others wait their turn."""
    stop = threading.Event()
    if not once:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    click.echo(f"scheduler on {app.safe_url}: the daily runs, after each store's local midnight")
    if once:
        runs = app.mp.sweeps.run_daily_due()
        if runs is None:
            click.echo("another scheduler holds the lock: nothing run")
        for run in runs or []:
            _echo_days(run)
        return
    app.mp.sweeps.scheduler(poll, _echo_days).run(stop)
    click.echo("stopped")


def _echo_days(run: DailyRun) -> None:
    for d in run.days:
        click.echo(f"{run.store}: {d.day}: {d.fired} milestones fired, {d.expired} points expired")
        for t in d.automations:
            branches = "".join(f", {name}: {n}" for name, n in t.branches.items())
            stopped = f", {t.stopped} stopped after a wait" if t.stopped else ""
            counts = f"{t.fired} fired{branches}, {t.skipped} in no branch{stopped}"
            click.echo(f"{run.store}: {d.day}: automation {t.key}: {counts}")


def _run_dict(run: DailyRun) -> dict[str, Any]:
    days = [
        {
            "date": d.day.isoformat(),
            "fired": d.fired,
            "points_expired": d.expired,
            "automations": [{**plain(t), "branches": dict(t.branches)} for t in d.automations],
        }
        for d in run.days
    ]
    return {"store": run.store, "date": run.day.isoformat(), "days": days}
