"""`milepost users create|list|update`: who may sign in to the admin UI (/admin)."""

from __future__ import annotations

import sys

import click

from milepost.domain.users import ROLES, User
from milepost.entrypoints.cli.context import App, Failure, json_option, pass_app
from milepost.entrypoints.cli.output import print_json, print_list, when


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


def _find(app: App, who: str) -> User:
    for u in app.mp.users.list():
        if u.email == who.strip().lower() or str(u.id) == who:
            return u
    raise Failure(f"no user {who!r}")


def _row(u: User) -> tuple[str, ...]:
    signed_in = when(u.last_login_at, "UTC") if u.last_login_at else "never"
    return (str(u.id), u.email, u.name, u.role_name, signed_in, "disabled" if u.disabled_at else "active")


@click.group()
def users() -> None:
    """Who may sign in to the admin UI: Administrators change configuration, Agents work
    with customers and alerts."""


@users.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(ROLES), default="agent", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
@json_option
@pass_app
def create(app: App, email: str, name: str, role: str, password_stdin: bool, as_json: bool) -> None:
    """Create a user who signs in with EMAIL (the password is asked for, never an option)."""
    user = app.mp.users.create(email, name, _password(password_stdin), role)
    if as_json:
        print_json(user)
    else:
        click.echo(f"created {user.role_name} {user.email} (user {user.id}); sign in at /admin")


@users.command("list")
@json_option
@pass_app
def list_users(app: App, as_json: bool) -> None:
    """Every user, by email."""
    found = app.mp.users.list()
    print_list(found, as_json, ("id", "email", "name", "role", "last sign-in", "status"), _row, title="Users")


@users.command("update")
@click.argument("who", metavar="EMAIL|ID")
@click.option("--name")
@click.option("--role", type=click.Choice(ROLES))
@click.option("--disable/--enable", "disabled", default=None, help="A disabled user cannot sign in.")
@click.option("--password-stdin", is_flag=True, help="A new password, from the first line of standard input.")
@json_option
@pass_app
def update(
    app: App,
    who: str,
    name: str | None,
    role: str | None,
    disabled: bool | None,
    password_stdin: bool,
    as_json: bool,
) -> None:
    """Change a user; a new password or --disable signs them out everywhere."""
    user = _find(app, who)
    password = _password(True) if password_stdin else None
    if name is None and role is None and disabled is None and password is None:
        raise Failure("nothing to change: give at least one option (see --help)")
    user = app.mp.users.update(user.id, name=name, role=role, disabled=disabled, password=password)
    if as_json:
        print_json(user)
    else:
        click.echo(f"updated {user.email}: {user.role_name}, {'disabled' if user.disabled_at else 'active'}")
