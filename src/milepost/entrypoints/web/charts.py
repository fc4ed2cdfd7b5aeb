"""Bar charts drawn on the server as inline SVG: no script, no library, readable
without colours (each bar carries its value in a tooltip and the chart a caption)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from markupsafe import Markup, escape

from milepost import formatting

WIDTH, HEIGHT, TOP, BOTTOM = 600, 180, 26, 30  # the viewBox; the chart scales to its box


def bars(
    title: str,
    days: Sequence[date],
    values: Sequence[float | None],
    shown: Callable[[float], str] = lambda v: f"{v:,.0f}",
    ceiling: float | None = None,
) -> Markup:
    """One bar per day; None draws no bar (no data that day). `ceiling` fixes the scale's
    top (100 for a percentage); otherwise the largest value sets it."""
    highest = max((v for v in values if v is not None), default=0)
    top = ceiling or highest or 1
    step = WIDTH / max(len(days), 1)
    plot = HEIGHT - TOP - BOTTOM
    parts = [
        Markup('<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}">').format(WIDTH, HEIGHT, title),
        Markup('<line class="axis" x1="0" y1="{0}" x2="{1}" y2="{0}"/>').format(HEIGHT - BOTTOM, WIDTH),
    ]
    if highest or (ceiling and any(v is not None for v in values)):
        parts.append(Markup('<text class="scale" x="2" y="18">{}</text>').format(shown(top)))
    else:
        parts.append(Markup('<text class="none" x="{}" y="{}">nothing yet</text>').format(WIDTH / 2, HEIGHT / 2))
    for i, (day, value) in enumerate(zip(days, values, strict=True)):
        if value is None:
            continue
        h = max(plot * value / top, 1.0 if value else 0.0)
        parts.append(
            Markup(
                '<rect class="bar" x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}"><title>{}: {}</title></rect>'
            ).format(i * step + step * 0.15, HEIGHT - BOTTOM - h, step * 0.7, h, day.isoformat(), shown(value))
        )
    if days:
        parts.append(Markup('<text class="day" x="0" y="{}">{}</text>').format(HEIGHT - 6, _short(days[0])))
        parts.append(
            Markup('<text class="day end" x="{}" y="{}">{}</text>').format(WIDTH, HEIGHT - 6, _short(days[-1]))
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def _short(day: date) -> str:
    return escape(formatting.day(day))
