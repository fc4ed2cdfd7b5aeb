"""The action and condition flags of `events|programs create|update`, turned into the
action and condition dicts of the Python API, in the order they were typed. `--credit`
takes an amount as people write it (cli/amounts.py); `--action` JSON is the API's, in minor units."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from milepost.entrypoints.cli.amounts import AMOUNT_HELP, Amounts, minor_units_option

#: Action flags -> the parameter that collects them, so their order on the command line is kept.
ACTION_FLAGS = {
    "--action": "action",
    "--add-tag": "add_tag",
    "--remove-tag": "remove_tag",
    "--credit": "credit",
    "--alert": "alert",
    "--email": "email",
    "--workflow": "workflow",
    "--webhook": "webhook",
}
_ORDER_KEY = "milepost.action_order"


class ActionCommand(click.Command):
    """Remembers the order of the action flags as typed, before click groups them by name."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        order = []
        for token in args:
            if token == "--":
                break
            name = ACTION_FLAGS.get(token.split("=", 1)[0])
            if name:
                order.append(name)
        ctx.meta[_ORDER_KEY] = order
        return super().parse_args(ctx, args)


def _one(kind: str, value: Any, amounts: Amounts) -> dict[str, Any]:
    if kind == "action":
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError as exc:
            raise click.BadParameter(f"not valid JSON: {exc.msg}", param_hint="--action") from None
        if not isinstance(parsed, dict):
            raise click.BadParameter(
                'must be a JSON object like {"type": "add_tag", "tag": "VIP"}',
                param_hint="--action",
            )
        return parsed
    if kind == "alert":
        return {"type": "alert", **({"message": value} if value else {})}
    if kind == "credit":
        return {"type": "credit", "amount": amounts.read(value, "--credit")}
    key = {
        "add_tag": ("add_tag", "tag"),
        "remove_tag": ("remove_tag", "tag"),
        "email": ("send_email", "template"),
        "workflow": ("trigger_workflow", "workflow"),
        "webhook": ("webhook", "url"),
    }[kind]
    return {"type": key[0], key[1]: value}


def collect_actions(ctx: click.Context, params: dict[str, tuple[Any, ...]], amounts: Amounts) -> list[dict[str, Any]]:
    """The actions given by flags, in the order they were typed."""
    used = dict.fromkeys(ACTION_FLAGS.values(), 0)
    actions = []
    for kind in ctx.meta.get(_ORDER_KEY, []):
        values = params[kind]
        if used[kind] < len(values):
            actions.append(_one(kind, values[used[kind]], amounts))
            used[kind] += 1
    for kind, values in params.items():  # anything the scan missed (e.g. abbreviated flags)
        actions.extend(_one(kind, v, amounts) for v in values[used[kind] :])
    return actions


def action_options(f: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--action",
            multiple=True,
            metavar="JSON",
            help="Any action as JSON, as the HTTP API takes it (amounts in minor units), "
            'e.g. \'{"type": "credit", "amount": 500}\' for $5.00.',
        ),
        click.option("--add-tag", multiple=True, metavar="TAG", help="Add a tag to the customer."),
        click.option("--remove-tag", multiple=True, metavar="TAG", help="Remove a tag from the customer."),
        click.option(
            "--credit",
            multiple=True,
            metavar="AMOUNT",
            help=f"Credit the account with AMOUNT, {AMOUNT_HELP}.",
        ),
        click.option(
            "--alert",
            multiple=True,
            is_flag=False,
            flag_value="",
            metavar="[MESSAGE]",
            help="Create an admin alert. MESSAGE may use {customer} {count} {milestone} {customer_id} {order_id}.",
        ),
        click.option("--email", multiple=True, metavar="TEMPLATE", help="Send the email template TEMPLATE."),
        click.option("--workflow", multiple=True, metavar="NAME", help="Trigger the workflow NAME."),
        click.option("--webhook", multiple=True, metavar="URL", help="Call the webhook URL."),
        click.option("--if-tag", multiple=True, metavar="TAG", help="Only for customers with this tag."),
        click.option(
            "--unless-tag",
            multiple=True,
            metavar="TAG",
            help="Only for customers without this tag.",
        ),
        minor_units_option,
    ]
    for option in reversed(options):
        f = option(f)
    return f


def split_flags(params: dict[str, Any]) -> tuple[dict[str, tuple[Any, ...]], list[dict[str, Any]]]:
    flags = {kind: tuple(params.pop(kind)) for kind in ACTION_FLAGS.values()}
    conditions = [{"tag": t, "has": True} for t in params.pop("if_tag")]
    conditions += [{"tag": t, "has": False} for t in params.pop("unless_tag")]
    return flags, conditions


def rule_fields(ctx: click.Context, params: dict[str, Any], inactive: bool, amounts: Amounts) -> dict[str, Any]:
    """What the action and condition flags and --inactive of a create command give."""
    flags, conditions = split_flags(params)
    return {"actions": collect_actions(ctx, flags, amounts), "conditions": conditions, "active": not inactive}


def edits(
    ctx: click.Context, params: dict[str, Any], clear_conditions: bool, amounts: Amounts, **options: Any
) -> dict[str, Any]:
    """What an update command is given: the options that are not None, the actions (they
    replace them all) and the conditions the flags give (--clear-conditions: none)."""
    flags, conditions = split_flags(params)
    given = {k: v for k, v in options.items() if v is not None}
    actions = collect_actions(ctx, flags, amounts)
    if actions:
        given["actions"] = actions
    if conditions or clear_conditions:
        given["conditions"] = conditions
    return given
