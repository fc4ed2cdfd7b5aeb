"""What every CLI command shares: settings, a lazily opened Milepost, and the
translation of Milepost's errors into one line on stderr and exit code 2."""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import Any, TypeVar, cast

import click
import pydantic
from alembic.util import exc as alembic_exc
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url

from milepost.bootstrap import Milepost, connect
from milepost.config import Settings
from milepost.domain import ids
from milepost.errors import MilepostError, ValidationError

F = TypeVar("F", bound=Callable[..., Any])


class Failure(click.ClickException):
    """A user-facing failure: `error: ...` on stderr, exit code 2, no traceback."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.message}", err=True)


def describe(error: MilepostError) -> str:
    """One line: the message, and the field problems it does not already name."""
    message = " ".join(str(error).split()) or error.title
    if isinstance(error, ValidationError):
        extra = [
            f"{field}: {reason}"
            for field, reason in error.problems.items()
            if field not in message and reason not in message
        ]
        if extra:
            message = f"{message} ({'; '.join(extra)})"
    return message


class App:
    """Settings from the environment (and --database-url); the Python API, opened on first use."""

    def __init__(self, database_url: str | None) -> None:
        try:
            settings = Settings()
        except pydantic.ValidationError as exc:
            first = exc.errors()[0]
            name = "MILEPOST_" + "_".join(str(part) for part in first["loc"]).upper()
            raise Failure(f"invalid setting {name}: {first['msg']}") from None
        if database_url:
            settings = settings.model_copy(update={"database_url": database_url})
        self.settings = settings
        self._mp: Milepost | None = None

    @property
    def url(self) -> str:
        return self.settings.resolved_database_url()

    @property
    def safe_url(self) -> str:
        try:
            return make_url(self.url).render_as_string(hide_password=True)
        except sa_exc.ArgumentError:
            return self.url

    @property
    def mp(self) -> Milepost:
        if self._mp is None:
            try:
                self._mp = connect(settings=self.settings)
            except (sa_exc.SQLAlchemyError, alembic_exc.CommandError, OSError) as exc:
                first = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
                raise Failure(f"cannot open the database {self.safe_url}: {first}") from None
        return self._mp

    def default_store(self) -> str:
        """The store of a command given no --store: MILEPOST_STORE, else the only store."""
        if self.settings.store:
            return self.settings.store
        keys = sorted(store.key for store in self.mp.stores.list())
        if len(keys) == 1:
            return keys[0]
        there = f"there are {len(keys)} stores ({', '.join(keys)})" if keys else "there is no store yet"
        raise Failure(f"--store is required: {there}; pass --store or set MILEPOST_STORE")

    def close(self) -> None:
        if self._mp is not None:
            self._mp.close()
            self._mp = None


def pass_app(f: F) -> F:
    """Give the command the `App` as its first argument."""

    @click.pass_context
    def new_func(ctx: click.Context, *args: Any, **kwargs: Any) -> Any:
        return ctx.invoke(f, ctx.find_object(App), *args, **kwargs)

    return update_wrapper(new_func, f)  # type: ignore[return-value]


def pass_context(f: F) -> F:
    """`click.pass_context` for the commands that take their action and condition flags
    as `**params`: mypy cannot match a named first parameter followed by `**kwargs`
    to click's `Concatenate`, so the check is left to click."""
    return cast(F, click.pass_context(cast(Callable[..., Any], f)))


def app_of(ctx: click.Context) -> App:
    """The `App` the root group put in the context."""
    app = ctx.find_object(App)
    if app is None:  # only when a command runs outside `milepost`
        raise click.UsageError("run this command through `milepost`")
    return app


def id_number(value: str, kind: str) -> int:
    """The number of an id of `kind` (domain/ids.py) given as `oce_9` or as `9`; anything
    else is a one-line error naming what was expected."""
    try:
        return ids.parse_id(kind, value)
    except ids.BadId as bad:
        raise Failure(str(bad)) from None


class Id(click.ParamType):  # type: ignore[type-arg, unused-ignore]  # generic from click 8.4
    """An argument or option that takes an id of `kind`: `oce_9`, or `9`."""

    name = "id"

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        return value if isinstance(value, int) else id_number(str(value), self.kind)


def store_option(f: F) -> F:
    """`--store KEY`; without it the command gets the default store (`App.default_store`),
    looked up when the command runs: after its arguments are checked, never for --help."""

    def with_store(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("store") is None:
            kwargs["store"] = app_of(click.get_current_context()).default_store()
        return f(*args, **kwargs)

    option = click.option(
        "--store",
        "store",
        metavar="KEY",
        help="The store's key. Default: MILEPOST_STORE, else the only store there is.",
    )
    return option(update_wrapper(with_store, f))  # type: ignore[return-value]


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
