"""Sequential journeys: milestones whose steps must happen in order.

A journey is a list of steps, each "the metric grew by N", for example 1st order ->
1st review -> 1st referral. A step only counts what happens after the previous step
was completed: a review written before the first order does not complete the review
step. So when a step completes, the journey notes the next step's metric value as its
**baseline**; the next step completes once the metric reached baseline + N. The first
step's baseline is the customer's value when the journey was armed (not retroactive).

The journey fires (once per customer, like any program) when its last step completes.
One change completes at most one step: the order that completes "1st order" does not
also count toward a following "spend $100" step, whose baseline is the amount spent
after that order.

Pure: the caller keeps each customer's `Progress` and stores what `advance` returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from milepost.domain.aggregates import METRICS, Aggregates
from milepost.errors import ValidationError

MAX_STEPS = 10


@dataclass(frozen=True, slots=True)
class Step:
    metric: str
    count: int = 1  # how much the metric must grow after the previous step

    def as_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "count": self.count}


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a customer is: `step` steps done, the current step's metric `baseline`."""

    step: int = 0
    baseline: int = 0
    done: bool = False


def parse_steps(raw: Any) -> tuple[Step, ...]:
    if not isinstance(raw, list) or not 2 <= len(raw) <= MAX_STEPS:
        raise _invalid("steps", f"must be a list of 2 to {MAX_STEPS} steps")
    steps = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise _invalid(f"steps[{i}]", "must be an object with a metric and a count")
        metric, count = item.get("metric"), item.get("count", 1)
        if metric not in METRICS:
            raise _invalid(f"steps[{i}].metric", f"must be one of {', '.join(METRICS)}")
        if count.__class__ is not int or not 1 <= count <= 10**12:
            raise _invalid(f"steps[{i}].count", "must be a positive whole number")
        steps.append(Step(metric, count))
    return tuple(steps)


def start(steps: Sequence[Step], aggregates: Aggregates) -> Progress:
    """A customer's progress when the journey is armed: nothing done, what they already
    have of the first step's metric does not count."""
    return Progress(0, aggregates.metric(steps[0].metric))


def advance(steps: Sequence[Step], progress: Progress, new: Aggregates) -> Progress:
    """Progress after a change of the customer's aggregates to `new`. At most one step
    completes per change: the next step counts from the values after it. A metric that
    went down (a refund) takes back growth of the current step not yet completed;
    completed steps stay completed."""
    if progress.done:
        return progress
    current = steps[progress.step]
    if new.metric(current.metric) < progress.baseline + current.count:
        return progress
    step = progress.step + 1
    if step == len(steps):
        return Progress(step, 0, True)
    return Progress(step, new.metric(steps[step].metric))


def _invalid(field: str, reason: str) -> ValidationError:
    return ValidationError(f"{field} {reason}", {field: reason})
