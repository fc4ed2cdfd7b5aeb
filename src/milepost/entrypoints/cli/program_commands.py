"""What `milepost programs ...` and `milepost events ...` share: order count events are
the milestone programs on the number of orders, created, edited, listed, shown and
deleted alike. Each group is described by a `ProgramCommands`, which adds its `list`,
`show` and `delete` commands; the group's module keeps what differs (its options,
words, columns and creation commands). The options both take are here too."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import click

from milepost.domain.ids import format_id
from milepost.domain.records import Store
from milepost.entrypoints.action_text import action_text, actions_text, conditions_text
from milepost.entrypoints.cli.action_flags import ActionCommand, action_options
from milepost.entrypoints.cli.context import App, Id, json_option, pass_app, store_option
from milepost.entrypoints.cli.output import console, print_json, table, when
from milepost.entrypoints.program_collections import ProgramCollection
from milepost.service.rules import RuleDetails

name_option = click.option("--name", required=True, help="A name the log and the alerts show.")
inactive_option = click.option("--inactive", is_flag=True, help="Create it switched off.")


class AwareTime(click.ParamType):  # type: ignore[type-arg, unused-ignore]  # generic from click 8.4
    """An ISO 8601 time with its UTC offset (2026-06-01T00:00:00Z), as an aware UTC datetime."""

    name = "ISO-TIME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 time like 2026-06-01T00:00:00Z", param, ctx)
        if parsed.tzinfo is None:
            self.fail(f"{value!r} needs its UTC offset, like 2026-06-01T00:00:00Z or +02:00", param, ctx)
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            self.fail(f"{value!r} is out of range", param, ctx)


def update_command(group: click.Group, kind: str, *options: Callable[[Any], Any]) -> Callable[[Any], click.Command]:
    """`update`: --store, the ID (of `kind`: domain/ids.py), `options` then --name, the action and condition flags and
    --clear-conditions, then the options stacked below, then --json."""

    def decorate(f: Callable[..., Any]) -> click.Command:
        decorators: tuple[Callable[[Any], Any], ...] = (
            store_option,
            click.argument("rule_id", metavar="ID", type=Id(kind)),
            *options,
            click.option("--name"),
            action_options,
            click.option("--clear-conditions", is_flag=True, help="Remove every tag condition."),
        )
        for option in reversed(decorators):
            f = option(f)
        return group.command("update", cls=ActionCommand)(f)

    return decorate


def active_text(d: RuleDetails) -> str:
    """The `active` column of a list."""
    return "deleted" if d.deleted_at else "yes" if d.rule.active else "no"


@dataclass(frozen=True, slots=True, kw_only=True)
class ProgramCommands:
    """A group of commands over one collection of programs, and what differs between groups."""

    group: click.Group
    collection: ProgramCollection
    word: str  # "program", in the help: "Show program ID ..."
    json_head: Callable[[RuleDetails], dict[str, Any]]  # for --json: what comes before the actions
    describe: Callable[[App, str, RuleDetails, str], list[str]]  # what a change says: (app, store, d, verb)
    list_help: str
    columns: Sequence[str]
    row: Callable[[RuleDetails, Store], Sequence[Any]]  # of the list
    head: Callable[[RuleDetails, Store], list[tuple[str, Any]]]  # of `show`, before the state

    def as_dict(self, d: RuleDetails) -> dict[str, Any]:
        """A program for --json: its head first, then its actions, conditions and times."""
        r = d.rule
        return {
            **self.json_head(d),
            "actions": [a.as_dict() for a in r.actions],
            "conditions": [c.as_dict() for c in r.conditions],
            "created_at": d.created_at,
            "updated_at": d.updated_at,
            "deleted_at": d.deleted_at,
        }

    def report(self, app: App, store: str, d: RuleDetails, verb: str, as_json: bool) -> None:
        """What a change did: the program with `excluded`, or a few lines for people, its
        actions second with money as the store's currency writes it (credit $5.00)."""
        if as_json:
            print_json({**self.as_dict(d), "excluded": d.excluded})
            return
        lines = self.describe(app, store, d, verb)
        if d.rule.actions:
            s = app.mp.stores.get(store)
            lines.insert(1, f"  actions: {actions_text(d.rule.actions, s.currency, s.locale)}")
        for line in lines:
            click.echo(line)

    def add_commands(self) -> None:
        """`list`, `show` and `delete`."""
        self._add_list()
        self._add_show()
        self._add_delete()

    def _add_list(self) -> None:
        @self.group.command("list", help=self.list_help)
        @store_option
        @click.option("--deleted", is_flag=True, help=f"Include deleted {self.word}s.")
        @json_option
        @pass_app
        def list_command(app: App, store: str, deleted: bool, as_json: bool) -> None:
            found = self.collection.find_all(app.mp, store, include_deleted=deleted)
            if as_json:
                print_json([self.as_dict(d) for d in found])
                return
            s = app.mp.stores.get(store)
            console().print(table(None, self.columns, (self.row(d, s) for d in found)))

    def _add_show(self) -> None:
        @self.group.command("show", help=f"Show {self.word} ID with its actions in order.")
        @store_option
        @click.argument("rule_id", metavar="ID", type=Id(self.collection.kind))
        @json_option
        @pass_app
        def show_command(app: App, store: str, rule_id: int, as_json: bool) -> None:
            d = self.collection.find(app.mp, store, rule_id)
            if as_json:
                print_json(self.as_dict(d))
                return
            s, r = app.mp.stores.get(store), d.rule
            rows = [
                *self.head(d, s),
                ("state", "deleted" if d.deleted_at else "on" if r.active else "off"),
                ("version", r.version),
                ("for", conditions_text(r)),
                ("created", when(d.created_at, s.timezone)),
                ("updated", when(d.updated_at, s.timezone)),
            ]
            rows += [(f"action {i + 1}", action_text(a, s.currency, s.locale)) for i, a in enumerate(r.actions)]
            shown = format_id(self.collection.kind, r.id)
            console().print(table(f"{self.collection.noun.capitalize()} {shown}", ("", ""), rows))

    def _add_delete(self) -> None:
        @self.group.command("delete", help=f"Delete {self.word} ID for good; its past milestones stay in the log.")
        @store_option
        @click.argument("rule_id", metavar="ID", type=Id(self.collection.kind))
        @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
        @pass_app
        def delete_command(app: App, store: str, rule_id: int, yes: bool) -> None:
            d, shown = self.collection.find(app.mp, store, rule_id), format_id(self.collection.kind, rule_id)
            if not yes:
                click.confirm(f"delete {self.collection.noun} {shown} {d.rule.name!r}?", abort=True)
            self.collection.delete(app.mp, store, rule_id)
            click.echo(f"deleted {self.collection.noun} {shown} {d.rule.name!r}")
