"""`milepost templates save|list|preview`: the email templates the send_email action uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from milepost.entrypoints.cli.context import App, json_option, pass_app, store_option
from milepost.entrypoints.cli.output import print_json, print_list, when


@click.group()
def templates() -> None:
    """Email templates the send_email action uses."""


@templates.command("save")
@store_option
@click.argument("key")
@click.option("--subject", required=True)
@click.option("--text", "body_text", help="The plain-text body.")
@click.option(
    "--text-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the plain-text body from a file.",
)
@click.option(
    "--html-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read an HTML body from a file.",
)
@click.option("--name", help="A display name (default: the key).")
@pass_app
def save_template(
    app: App,
    store: str,
    key: str,
    subject: str,
    body_text: str | None,
    text_file: Path | None,
    html_file: Path | None,
    name: str | None,
) -> None:
    """Create or replace the template KEY."""
    if (body_text is None) == (text_file is None):
        raise click.UsageError("give the body with exactly one of --text or --text-file")
    text = body_text if body_text is not None else text_file.read_text(encoding="utf-8")  # type: ignore[union-attr]
    html = html_file.read_text(encoding="utf-8") if html_file else None
    app.mp.templates.save(store, key, subject=subject, body_text=text, name=name, body_html=html)
    click.echo(f"saved template {key!r} in store {store!r}")


@templates.command("list")
@store_option
@json_option
@pass_app
def list_templates(app: App, store: str, as_json: bool) -> None:
    """List the store's templates."""
    found = app.mp.templates.list(store)
    tz = app.mp.stores.get(store).timezone

    def row(t: dict[str, Any]) -> tuple[Any, ...]:
        return (t["key"], t["name"], t["subject"], "yes" if t.get("body_html") else "no", when(t["updated_at"], tz))

    print_list(found, as_json, ("key", "name", "subject", "html", "updated"), row)


@templates.command("preview")
@click.argument("key")
@store_option
@click.option("--customer", "customer_id", required=True, metavar="ID", help="The customer to render it for.")
@json_option
@pass_app
def preview_template(app: App, key: str, store: str, customer_id: str, as_json: bool) -> None:
    """Show the template KEY as the customer would get it."""
    out = app.mp.templates.preview(store, key, customer_id)
    if as_json:
        print_json({"subject": out.subject, "text": out.text, "html": out.html})
        return
    click.echo(f"Subject: {out.subject}\n\n{out.text}")
    if out.html is not None:
        click.echo(f"\n--- HTML ---\n{out.html}")
