"""What the commands that take a definition (automations, segments) share: the JSON
object read from --file (`-` for stdin), and a refusal printed one problem a line, by its
field path, exiting 2."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any, TypeVar

import click
import orjson

from milepost.entrypoints.cli.context import Failure
from milepost.errors import ValidationError

T = TypeVar("T")

definition_file = click.option(
    "--file",
    "file",
    type=click.File("rb"),
    required=True,
    help="The definition, a JSON object (- for stdin).",
)


def read_definition(file: IO[bytes]) -> Any:
    try:
        return orjson.loads(file.read())
    except orjson.JSONDecodeError as exc:
        raise Failure(f"{getattr(file, 'name', '<stdin>')} is not JSON: {exc}") from None  # stdin may have no name


def checked(save: Callable[[], T], noun: str) -> T:
    """What `save` returns; a refused definition is a failure listing each problem by its field path."""
    try:
        return save()
    except ValidationError as exc:
        if not exc.problems:
            raise
        lines = "".join(f"\n  {field or 'definition'}: {reason}" for field, reason in exc.problems.items())
        raise Failure(f"the {noun} is refused:{lines}") from None
