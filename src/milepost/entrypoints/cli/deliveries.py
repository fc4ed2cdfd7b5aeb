"""`milepost worker`, `milepost deliveries ...` and `milepost mailbox ...`."""

from __future__ import annotations

import signal
import threading
from typing import Any

import click

from milepost.domain.delivery import Delivery, MailboxMessage
from milepost.entrypoints.cli.context import App, id_number, json_option, pass_app, store_option
from milepost.entrypoints.cli.output import console, print_json, table, when


@click.command()
@click.option(
    "--concurrency", type=click.IntRange(1, 256), help="Messages sent at once (MILEPOST_DELIVERY_CONCURRENCY)."
)
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
@click.option("--name", help="This worker's name in the attempt log (default: host:pid:random).")
@click.option("--store", "stores", multiple=True, metavar="KEY", help="Only this store's outbox (repeatable).")
@pass_app
def worker(app: App, concurrency: int | None, once: bool, name: str | None, stores: tuple[str, ...]) -> None:
    """Deliver the outbox (emails, webhooks, texts) until Ctrl-C or SIGTERM.

    Run as many as you like, on as many machines: each message is leased to one."""
    settings = app.settings
    if concurrency is not None:
        settings = settings.model_copy(update={"delivery_concurrency": concurrency})
    w = app.mp.worker(name, settings, list(stores) or None)
    stop = threading.Event()
    if not once:  # before the line below: who reads it may send SIGTERM right after
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    email = f"SMTP {settings.smtp_host}:{settings.smtp_port}" if w.email else "the local mailbox (no SMTP server)"
    sms = "Twilio" if w.sms else "the local mailbox (no SMS provider)"
    click.echo(f"worker {w.name} on {app.safe_url}: emails to {email}, texts to {sms}")
    try:
        if once:
            claimed = w.drain(timeout=3600)
            click.echo(f"claimed {claimed}, delivered {w.delivered}")
            return
        w.run(stop)
        click.echo(f"stopped after delivering {w.delivered}")
    finally:
        w.close()


# -- deliveries ----------------------------------------------------------------------------------


def _delivery_dict(x: Delivery) -> dict[str, Any]:
    return {
        "id": f"dlv_{x.id}",
        "message_id": x.key,
        "channel": x.channel,
        "status": x.status,
        "attempts": x.attempts,
        "customer_id": x.customer_id,
        "webhook_endpoint_id": f"whe_{x.endpoint_id}" if x.endpoint_id else None,
        "created_at": x.created_at,
        "next_attempt_at": x.available_at if x.status == "pending" else None,
        "sent_at": x.sent_at,
        "last_code": x.last_code,
        "last_error": x.last_error,
    }


@click.group()
def deliveries() -> None:
    """Emails, webhooks and texts on their way out: list, inspect, retry."""


@deliveries.command("list")
@store_option
@click.option(
    "--status",
    type=click.Choice(("pending", "failing", "sent", "skipped", "dead")),
    help="failing: pending after a failed attempt; dead: no attempts left.",
)
@click.option("--channel", type=click.Choice(("email", "webhook", "sms")))
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@json_option
@pass_app
def list_deliveries(app: App, store: str, status: str | None, channel: str | None, limit: int, as_json: bool) -> None:
    """Deliveries, newest first."""
    found = app.mp.deliveries.list(store, status=status, channel=channel, limit=limit)
    if as_json:
        print_json([_delivery_dict(x) for x in found])
        return
    tz = app.mp.stores.get(store).timezone
    rows = (
        (
            f"dlv_{x.id}",
            x.channel,
            x.status,
            x.attempts,
            x.customer_id or "-",
            when(x.created_at, tz),
            when(x.available_at, tz) if x.status == "pending" else "-",
            x.last_error or "-",
        )
        for x in found
    )
    columns = ("id", "channel", "status", "attempts", "customer", "created", "next attempt", "last error")
    console().print(table(f"Deliveries of {store}", columns, rows))


@deliveries.command("show")
@click.argument("delivery_id", metavar="ID")
@store_option
@json_option
@pass_app
def show_delivery(app: App, delivery_id: str, store: str, as_json: bool) -> None:
    """One delivery and every attempt made (ID like dlv_12 or 12)."""
    found, attempts = app.mp.deliveries.get(store, id_number(delivery_id, "delivery"))
    if as_json:
        print_json({**_delivery_dict(found), "attempt_log": attempts})
        return
    tz = app.mp.stores.get(store).timezone
    out = console()
    out.print(table(f"Delivery dlv_{found.id}", ("", ""), _delivery_dict(found).items()))
    rows = (
        (a.attempt, when(a.started_at, tz), f"{a.duration_ms} ms", a.outcome, a.code or "-", a.error or "-", a.worker)
        for a in attempts
    )
    out.print(table("Attempts", ("#", "started", "took", "outcome", "code", "error", "worker"), rows))


@deliveries.command("retry")
@click.argument("delivery_id", metavar="[ID]", required=False)
@store_option
@click.option("--all-dead", is_flag=True, help="Retry every dead delivery of the store.")
@pass_app
def retry(app: App, delivery_id: str | None, store: str, all_dead: bool) -> None:
    """Send a dead or failing delivery again now, with a fresh schedule (or --all-dead); a
    skipped one once the customer has the address and consent it lacked."""
    if (delivery_id is None) == (not all_dead):
        raise click.UsageError("give a delivery ID or --all-dead, not both")
    if all_dead:
        count = app.mp.deliveries.retry_dead(store)
        click.echo(f"queued {count:,} dead {'delivery' if count == 1 else 'deliveries'} again")
        return
    found = app.mp.deliveries.retry(store, id_number(delivery_id or "", "delivery"))
    click.echo(f"dlv_{found.id} is due again now")


# -- the local mailbox -----------------------------------------------------------------------------


def _mail_dict(m: MailboxMessage) -> dict[str, Any]:
    return {
        "id": f"msg_{m.id}",
        "delivery_id": f"dlv_{m.delivery_id}",
        "channel": m.channel,
        "message_id": m.message_id,
        "sender": m.sender,
        "recipient": m.recipient,
        "subject": m.subject,
        "body_text": m.body_text,
        "body_html": m.body_html,
        "created_at": m.created_at,
    }


@click.group()
def mailbox() -> None:
    """Emails and texts kept locally because no SMTP server or SMS provider is configured."""


@mailbox.command("list")
@store_option
@click.option("--channel", type=click.Choice(("email", "sms")))
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@json_option
@pass_app
def list_mailbox(app: App, store: str, channel: str | None, limit: int, as_json: bool) -> None:
    """Newest first."""
    found = app.mp.mailbox.list(store, channel=channel, limit=limit)
    if as_json:
        print_json([_mail_dict(m) for m in found])
        return
    tz = app.mp.stores.get(store).timezone
    rows = (
        (f"msg_{m.id}", m.channel, m.recipient, m.subject or m.body_text[:60], when(m.created_at, tz)) for m in found
    )
    console().print(table(f"Mailbox of {store}", ("id", "channel", "to", "subject / text", "kept"), rows))


@mailbox.command("show")
@click.argument("message_id", metavar="ID")
@store_option
@json_option
@pass_app
def show_mail(app: App, message_id: str, store: str, as_json: bool) -> None:
    """One message in full (ID like msg_3 or 3)."""
    m = app.mp.mailbox.get(store, id_number(message_id, "mailbox_message"))
    if as_json:
        print_json(_mail_dict(m))
        return
    click.echo(f"Message-ID: {m.message_id}")
    click.echo(f"From: {m.sender}")
    click.echo(f"To: {m.recipient}")
    if m.subject is not None:
        click.echo(f"Subject: {m.subject}")
    click.echo(f"Kept: {when(m.created_at, app.mp.stores.get(store).timezone)}")
    click.echo("")
    click.echo(m.body_text)
    if m.body_html:
        click.echo("\n--- HTML ---")
        click.echo(m.body_html)
