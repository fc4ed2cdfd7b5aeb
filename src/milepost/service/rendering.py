"""Email templates rendered with Jinja2 in an immutable sandbox, strict about unknown names.

A template has a subject, a plain-text body and optionally an HTML body (escaped
automatically). Rendering never raises anything but `TemplateProblem`, which names
the part, the line and the reason: a typo, an unknown variable, or template code
that reaches for what the sandbox forbids.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import TracebackType
from typing import Any, NamedTuple

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, pass_context
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from milepost.errors import ValidationError
from milepost.formatting import LOCALE, money

MAX_REPEAT = 100_000  # characters or items one `*` may build
MAX_EXPONENT = 100


class _Bounded(ImmutableSandboxedEnvironment):
    """The sandbox, with `*` and `**` kept from building huge values: an editor's live
    preview renders on every keystroke, so `{{ 'x' * 10**9 }}` must fail, not eat memory."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            too_big = isinstance(right, int | float) and abs(right) > MAX_EXPONENT
            if too_big or (isinstance(left, int) and isinstance(right, int) and left.bit_length() * right > 4096):
                raise SecurityError(f"powers past {MAX_EXPONENT} or 4,096 bits are not allowed in templates")
            return left**right
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, str | list | tuple) and isinstance(times, int) and len(seq) * times > MAX_REPEAT:
                raise SecurityError(f"repeating a value past {MAX_REPEAT:,} characters or items is not allowed")
        return left * right


_TEXT = _Bounded(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
_HTML = _Bounded(undefined=StrictUndefined, autoescape=True, keep_trailing_newline=True)
PARTS = (("subject", _TEXT), ("body_text", _TEXT), ("body_html", _HTML))


@pass_context
def _money(context: Context, minor_units: Any, currency: Any) -> str:
    """`{{ 1050|money("USD") }}` -> "$10.50"; `{{ 500|money("JPY") }}` -> "¥500"; in the
    locale of the context's store (`store.locale`): `{{ 1000|money("EUR") }}` -> "10,00 €" in de_DE."""
    if isinstance(minor_units, bool) or not isinstance(minor_units, int) or not isinstance(currency, str):
        raise TypeError("money needs an integer of minor units and a currency, like x|money(store.currency)")
    store = context.get("store")
    locale = store.get("locale") if isinstance(store, Mapping) else None
    return money(minor_units, currency, locale if isinstance(locale, str) and locale else LOCALE)


for _env in (_TEXT, _HTML):
    _env.filters["money"] = _money


class Rendered(NamedTuple):
    subject: str
    text: str
    html: str | None


class TemplateProblem(ValidationError):
    """A template that does not render; `problems` maps the part to "line N: reason"."""


def render(template: Mapping[str, Any], context: Mapping[str, Any]) -> Rendered:
    """The subject (one line), the text and the HTML of `template` for `context`."""
    out: dict[str, str | None] = {}
    for part, env in PARTS:
        source = template.get(part)
        out[part] = None if source is None else _render_part(part, env, source, context)
    subject = " ".join((out["subject"] or "").split())
    return Rendered(subject, out["body_text"] or "", out["body_html"])


@lru_cache(maxsize=1024)
def _compiled(env: ImmutableSandboxedEnvironment, source: str) -> Template:
    """Compiling is most of a render's cost; a compiled template renders on any thread."""
    return env.from_string(source)


def _render_part(part: str, env: ImmutableSandboxedEnvironment, source: str, context: Mapping[str, Any]) -> str:
    try:
        return _compiled(env, source).render(context)
    except TemplateSyntaxError as exc:
        raise _problem(part, exc.lineno, exc.message or "syntax error") from None
    except (TemplateError, ArithmeticError, TypeError, ValueError, LookupError, OverflowError) as exc:
        # unknown names, sandbox refusals, and errors of the template's own expressions
        raise _problem(part, _template_line(exc.__traceback__), str(exc) or type(exc).__name__) from None


def _problem(part: str, line: int | None, reason: str) -> TemplateProblem:
    where = f"line {line}: " if line else ""
    return TemplateProblem(f"{part}: {where}{reason}", {part: f"{where}{reason}"})


def _template_line(tb: TracebackType | None) -> int | None:
    """The template line the error came from (Jinja maps its frames to `<template>`)."""
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
