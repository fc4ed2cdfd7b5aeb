"""The root `milepost` group: every error one way (`error: ...` on stderr, exit code 2),
usage errors included, and its commands listed by the task they serve."""

from __future__ import annotations

from typing import Any

import click

from milepost.entrypoints.cli.context import Failure, describe
from milepost.errors import MilepostError

# `milepost --help` lists the commands under these headings, in this order; a command
# not named here is listed under "Other".
TASKS: dict[str, tuple[str, ...]] = {
    "Run": ("serve", "worker", "ingest", "migrate"),
    "Configure": (
        "stores",
        "events",
        "programs",
        "automations",
        "segments",
        "pools",
        "templates",
        "webhooks",
        "keys",
        "users",
    ),
    "Customers": ("customers", "credit", "points", "codes"),
    "Watch": ("milestones", "deliveries", "alerts", "mailbox"),
    "Other": ("demo", "completion"),
}


def usage_message(error: click.UsageError) -> str:
    """Click's usage error as one line in Milepost's words, pointing at the command's --help."""
    if isinstance(error, click.NoSuchOption):
        message = f"no such option: {error.option_name}{_did_you_mean(error.possibilities)}"
    elif isinstance(error, click.exceptions.NoSuchCommand):
        message = f"no such command: {error.command_name}{_did_you_mean(error.possibilities)}"
    else:
        message = " ".join(error.format_message().split()).rstrip(".")
        if message[:2].istitle():  # "Missing option", not an acronym like "SMTP"
            message = message[0].lower() + message[1:]
    if error.ctx is not None:
        message = f"{message} (see {error.ctx.command_path} --help)"
    return message


def _did_you_mean(possibilities: list[str] | None) -> str:
    return f"; did you mean {' or '.join(sorted(possibilities))}?" if possibilities else ""


class MilepostGroup(click.Group):
    """The root group: Milepost's errors and click's usage errors become `Failure`s,
    whatever command raised them."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as exc:
            raise Failure(usage_message(exc)) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MilepostError as exc:
            raise Failure(describe(exc)) from None
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as exc:
            raise Failure(usage_message(exc)) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands under the task they serve (`TASKS`), each with its short help."""
        names = [n for n in self.list_commands(ctx) if not self.commands[n].hidden]
        if not names:
            return
        width = max(map(len, names))  # one column for every section
        limit = formatter.width - 6 - width
        listed = {n for task in TASKS.values() for n in task}
        for task, members in TASKS.items():
            rows = [n for n in members if n in names]
            if task == "Other":
                rows += [n for n in names if n not in listed]
            if rows:
                with formatter.section(task):
                    formatter.write_dl([(n.ljust(width), self.commands[n].get_short_help_str(limit)) for n in rows])
