"""Automations as data: a trigger, an audience, and branches of actions; pure evaluation.

An automation is a rule of kind "automation" (its firings, at-most-once key, effects and
log are the programs' own); this module reads and checks its definition and answers
the questions the daily run asks of one customer on one store-local day D:

- `fires_on`: does the trigger hold on D? Instant triggers (`first_purchase`: the first
  counted order, dated by when it reached the counting status; `signup`; `inactive`:
  the last counted order) hold when the instant's *local date* is D - days. The local
  date is the customer's, in their IANA `timezone` attribute if it names a zone, else
  the store's (`zone_of`). `date_attribute` holds when D = the date + days, or, with
  `yearly`, on the date's month and day each year (29 February: on 28 February in other
  years). Plain date arithmetic: a 365-day span ending on 29 February is one day.
- `candidate_window`: the UTC instants storage must select for the local date D - days
  in *any* zone (local offsets run from -12 h to +14 h): an index range, never a scan;
  `fires_on` then keeps exactly the right customers.
- `holds`: an audience or branch condition (`all`, `any`, `not`, and leaves over the
  profile, tags, the metrics of domain/aggregates.py, attributes and the store's
  aggregates) for one customer's `Profile`.
- `choose_branch`: the first branch whose `when` holds (no `when`: otherwise).
- `starts_on`: does an accepted event start an event-triggered automation? Its type
  (`review.created`, `order.paid`), or a custom event's name, is the trigger's `event`,
  and the event's properties (a custom event's or an activity's `properties`; an order
  event's `order_id`, `total`, `currency`, `refund_amount`) pass each test of `where`
  (domain/event_filters.py: equality, JSON value for JSON value, `"10"` is not `10`; or
  an operator: ne, gt, gte, lt, lte, in, contains, exists).

The occurrence of a daily firing is D's day number (`day_number`: days since
1970-01-01), so (automation, customer, day) fires at most once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from milepost.domain import event_filters
from milepost.domain.action_types import AUTOMATION_ACTION_TYPES
from milepost.domain.actions import Action, validate_actions
from milepost.domain.aggregates import METRICS
from milepost.domain.event_filters import PropertyTest
from milepost.domain.events import Event, TrackEvent
from milepost.domain.pools import check_key
from milepost.domain.users import email_problem
from milepost.errors import ValidationError

DAILY_TRIGGERS = ("first_purchase", "signup", "date_attribute", "inactive")
OTHER_TRIGGERS = ("event", "milestone", "manual")
TRIGGERS = DAILY_TRIGGERS + OTHER_TRIGGERS
NUMERIC_OPS = ("=", "!=", "<", "<=", ">", ">=", "between")
ATTRIBUTE_OPS = ("=", "!=", "present", "in")
MAX_TRIGGER_DAYS = 3660
MAX_NAME = 200
#: The widest local offsets from UTC (Pacific/Kiritimati +14, Etc/GMT+12 -12), with an hour to spare.
_EAST, _WEST = timedelta(hours=15), timedelta(hours=13)
_EPOCH = date(1970, 1, 1)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --- conditions -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Leaf:
    field: str
    op: str
    value: Any = None


@dataclass(frozen=True, slots=True)
class AllOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Condition


Condition = Leaf | AllOf | AnyOf | Not


@dataclass(frozen=True, slots=True)
class Profile:
    """What a condition reads of one customer."""

    email: str | None = None
    email_consent: bool = False
    sms_consent: bool = False
    tags: frozenset[str] = frozenset()
    metrics: Mapping[str, int] = field(default_factory=dict)  # domain/aggregates.py METRICS
    attributes: Mapping[str, Any] = field(default_factory=dict)
    aggregates: Mapping[str, int] = field(default_factory=dict)  # the store's aggregates, as of the day


def holds(condition: Condition | None, p: Profile) -> bool:
    """Whether the condition holds for the customer (no condition: it does)."""
    if condition is None:
        return True
    if isinstance(condition, AllOf):
        return all(holds(c, p) for c in condition.items)
    if isinstance(condition, AnyOf):
        return any(holds(c, p) for c in condition.items)
    if isinstance(condition, Not):
        return not holds(condition.item, p)
    return _leaf(condition, p)


def _leaf(c: Leaf, p: Profile) -> bool:
    f, op, v = c.field, c.op, c.value
    if f == "email":
        return bool(p.email) if op == "present" else bool(p.email) and email_problem(p.email or "") is None
    if f in ("email_consent", "sms_consent"):
        return bool(getattr(p, f)) is v
    if f == "tag":
        return (v in p.tags) is (op == "has")
    if f.startswith("attribute."):
        present = f[10:] in p.attributes and p.attributes[f[10:]] not in (None, "")
        value = p.attributes.get(f[10:])
        if op == "present":
            return present
        if op == "in":
            return present and value in v
        return (present and value == v) is (op == "=")
    number = p.aggregates.get(f[10:], 0) if f.startswith("aggregate.") else p.metrics.get(f, 0)
    return compare(number, op, v)


def compare(number: int, op: str, v: Any) -> bool:
    if op == "between":
        return bool(v[0] <= number <= v[1])
    result: bool = {
        "=": number == v,
        "!=": number != v,
        "<": number < v,
        "<=": number <= v,
        ">": number > v,
        ">=": number >= v,
    }[op]
    return result


# --- triggers and dates -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Trigger:
    type: str
    days: int = 0
    attribute: str | None = None  # date_attribute
    yearly: bool = False  # date_attribute: each year on the date's month and day
    event: str | None = None  # event: an event type or custom event name
    where: tuple[PropertyTest, ...] = ()  # event: property tests (domain/event_filters.py)
    program: str | None = None  # milestone: the program's id

    @property
    def daily(self) -> bool:
        return self.type in DAILY_TRIGGERS

    @property
    def instant(self) -> str | None:
        """The customer's instant an instant trigger dates, as `Facts` names it."""
        return {"first_purchase": "first_order_at", "signup": "created_at", "inactive": "last_order_at"}.get(self.type)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type}
        if self.type in ("first_purchase", "signup", "inactive", "date_attribute"):
            out["days"] = self.days
        if self.type == "date_attribute":
            out["attribute"] = self.attribute
            if self.yearly:
                out["yearly"] = True
        if self.type == "event":
            out["event"] = self.event
            if self.where:
                out["where"] = event_filters.as_dict(self.where)
        if self.type == "milestone":
            out["program"] = self.program
        return out


@dataclass(frozen=True, slots=True)
class Facts:
    """What a daily trigger reads of one customer."""

    first_order_at: datetime | None = None
    last_order_at: datetime | None = None
    created_at: datetime | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)


def day_number(day: date) -> int:
    """A daily firing's occurrence: the day's number, days since 1970-01-01."""
    return (day - _EPOCH).days


def zone_of(attributes: Mapping[str, Any], store_zone: str) -> ZoneInfo:
    """The customer's time zone: their `timezone` attribute if it names an IANA zone, else the store's."""
    name = attributes.get("timezone")
    if isinstance(name, str) and name and "\x00" not in name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    return ZoneInfo(store_zone)


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def candidate_window(local: date) -> tuple[datetime, datetime]:
    """[start, end) in UTC holding every instant whose local date is `local` in some zone."""
    midnight = datetime.combine(local, time(), tzinfo=UTC)
    return midnight - _EAST, midnight + timedelta(days=1) + _WEST


def instant_day(trigger: Trigger, day: date) -> date:
    """The local date an instant trigger's instant must fall on for the trigger to hold on `day`."""
    return day - timedelta(days=trigger.days)


def start_of_day(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of the local `day`, in UTC (a day that begins in a DST gap begins at its end)."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def fires_on(trigger: Trigger, facts: Facts, day: date, store_zone: str) -> bool:
    """Whether the daily trigger holds for the customer on the store-local `day`."""
    name = trigger.instant
    if name is not None:
        instant: datetime | None = getattr(facts, name)
        return instant is not None and local_date(instant, zone_of(facts.attributes, store_zone)) == instant_day(
            trigger, day
        )
    if trigger.type == "date_attribute" and trigger.attribute is not None:
        when = parse_date(facts.attributes.get(trigger.attribute))
        if when is None:
            return False
        if trigger.yearly:
            return yearly_on(when, day)
        return when + timedelta(days=trigger.days) == day
    return False


def starts_on(trigger: Trigger, event: Event) -> bool:
    """Whether an accepted event starts an automation with this (event) trigger."""
    if trigger.type != "event":
        return False
    if isinstance(event, TrackEvent):
        named = event.type == trigger.event or (event.type == "custom" and event.name == trigger.event)
        properties: Mapping[str, Any] = event.properties or {}
    else:
        named = event.type == trigger.event
        properties = {k: v for k, v in event._asdict().items() if k not in _EVENT_FIELDS}
    return named and event_filters.passes(trigger.where, properties)


_EVENT_FIELDS = frozenset({"key", "type", "customer_id", "occurred_at"})


def yearly_on(when: date, day: date) -> bool:
    """A yearly date (a birthday) falls on `day`: same month and day; 29 February falls on
    28 February in years without one."""
    if (when.month, when.day) == (day.month, day.day):
        return True
    return (when.month, when.day) == (2, 29) and (day.month, day.day) == (2, 28) and not _leap(day.year)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def parse_date(value: Any) -> date | None:
    if not isinstance(value, str) or not _DATE.match(value.strip()):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


# --- the definition ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Branch:
    name: str
    when: Condition | None
    actions: tuple[Action, ...]
    on_failure: tuple[tuple[int, tuple[Action, ...]], ...] = ()  # (position of a pool_code action, its list)

    def failure_actions(self, position: int) -> tuple[Action, ...]:
        return dict(self.on_failure).get(position, ())


@dataclass(frozen=True, slots=True)
class Automation:
    key: str
    name: str
    trigger: Trigger
    audience: Condition | None
    branches: tuple[Branch, ...]
    active_from: date | None = None
    send_at_local_hour: int | None = None
    active: bool = True

    def live_on(self, day: date) -> bool:
        return self.active and (self.active_from is None or self.active_from <= day)

    @property
    def waits(self) -> bool:
        """Some branch waits ("wait N days"): the daily run resumes what waited."""
        return any(a.type == "wait" for b in self.branches for a in b.actions)

    def aggregates(self) -> set[str]:
        """The store aggregates its conditions read."""
        conditions = [self.audience, *(b.when for b in self.branches)]
        return {leaf.field[10:] for c in conditions for leaf in leaves(c) if leaf.field.startswith("aggregate.")}

    def as_dict(self) -> dict[str, Any]:
        """The definition, as the API takes and gives it."""
        return {
            "key": self.key,
            "name": self.name,
            "trigger": self.trigger.as_dict(),
            "audience": condition_dict(self.audience),
            "branches": [_branch_dict(b) for b in self.branches],
            "active_from": self.active_from.isoformat() if self.active_from else None,
            "send_at_local_hour": self.send_at_local_hour,
            "active": self.active,
        }


def mentions(definition: Any, field_name: str, value: str) -> bool:
    """Whether a stored definition (JSON) names `value` in `field_name` anywhere: an action's
    `template` or `pool`, a condition's `field` (`aggregate.<key>`)."""
    if isinstance(definition, Mapping):
        return definition.get(field_name) == value or any(mentions(v, field_name, value) for v in definition.values())
    if isinstance(definition, list):
        return any(mentions(v, field_name, value) for v in definition)
    return False


def choose_branch(automation: Automation, profile: Profile) -> Branch | None:
    """The first branch whose `when` holds (a branch with no `when` always does)."""
    for branch in automation.branches:
        if holds(branch.when, profile):
            return branch
    return None


def leaves(condition: Condition | None) -> list[Leaf]:
    if condition is None:
        return []
    if isinstance(condition, Leaf):
        return [condition]
    if isinstance(condition, Not):
        return leaves(condition.item)
    return [leaf for c in condition.items for leaf in leaves(c)]


def condition_dict(condition: Condition | None) -> dict[str, Any] | None:
    if condition is None:
        return None
    if isinstance(condition, AllOf):
        return {"all": [condition_dict(c) for c in condition.items]}
    if isinstance(condition, AnyOf):
        return {"any": [condition_dict(c) for c in condition.items]}
    if isinstance(condition, Not):
        return {"not": condition_dict(condition.item)}
    out: dict[str, Any] = {"field": condition.field, "op": condition.op}
    if condition.value is not None:
        out["value"] = list(condition.value) if isinstance(condition.value, tuple) else condition.value
    return out


def _branch_dict(b: Branch) -> dict[str, Any]:
    failures = dict(b.on_failure)
    actions = []
    for i, a in enumerate(b.actions):
        item = a.as_dict()
        if i in failures:
            item["on_failure"] = [f.as_dict() for f in failures[i]]
        actions.append(item)
    return {"name": b.name, "when": condition_dict(b.when), "actions": actions}


@dataclass(frozen=True, slots=True)
class Known:
    """What a definition may name, as the store has it (None: not checked)."""

    templates: set[str] | None = None
    pools: set[str] | None = None
    users: set[str] | None = None  # active users' emails
    aggregates: set[str] | None = None


def parse(raw: Any, currency: str, known: Known = Known()) -> Automation:
    """The definition, checked: or a ValidationError naming each field's path and reason."""
    problems: dict[str, str] = {}
    if not isinstance(raw, Mapping):
        raise ValidationError("an automation must be an object", {"": "must be an object"})
    for extra in sorted(set(raw) - _TOP):
        problems[extra] = "is not a field of an automation"
    key = _key(raw.get("key"), problems)
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_NAME:
        problems["name"] = f"is required, at most {MAX_NAME} characters"
    trigger = _trigger(raw.get("trigger"), problems)
    audience = _condition(raw.get("audience"), "audience", known, problems, optional=True)
    branches = _branches(raw.get("branches"), currency, known, problems)
    active_from = _active_from(raw.get("active_from"), problems)
    hour = raw.get("send_at_local_hour")
    if hour is not None and (hour.__class__ is not int or not 0 <= hour <= 23):
        problems["send_at_local_hour"] = "must be a whole hour from 0 to 23, or null"
    active = raw.get("active", True)
    if not isinstance(active, bool):
        problems["active"] = "must be true or false"
    if problems:
        raise ValidationError("; ".join(f"{k}: {v}" for k, v in problems.items()), problems)
    assert trigger is not None and isinstance(name, str)
    return Automation(key, name.strip(), trigger, audience, branches, active_from, hour, active)


_TOP = frozenset({"key", "name", "trigger", "audience", "branches", "active_from", "send_at_local_hour", "active"})


def _key(value: Any, problems: dict[str, str]) -> str:
    try:
        return check_key(value)
    except ValidationError:
        problems["key"] = "lowercase letters, digits, '-' or '_', at most 64"
        return ""


def _active_from(value: Any, problems: dict[str, str]) -> date | None:
    if value is None:
        return None
    parsed = parse_date(value)
    if parsed is None:
        problems["active_from"] = "must be a date, YYYY-MM-DD"
    return parsed


def _days(value: Any, default: int, low: int, where: str, problems: dict[str, str]) -> int:
    if value is None:
        return default
    if value.__class__ is not int or not low <= value <= MAX_TRIGGER_DAYS:
        problems[where] = f"must be a whole number of days from {low} to {MAX_TRIGGER_DAYS}"
        return default
    return int(value)


_TRIGGER_FIELDS = {
    "first_purchase": {"days"},
    "signup": {"days"},
    "inactive": {"days"},
    "date_attribute": {"attribute", "days", "yearly"},
    "event": {"event", "where"},
    "milestone": {"program"},
    "manual": set(),
}


def _trigger(raw: Any, problems: dict[str, str]) -> Trigger | None:
    if not isinstance(raw, Mapping) or raw.get("type") not in TRIGGERS:
        problems["trigger.type"] = f"must be one of {', '.join(TRIGGERS)}"
        return None
    kind = raw["type"]
    for extra in sorted(set(raw) - _TRIGGER_FIELDS[kind] - {"type"}):
        problems[f"trigger.{extra}"] = f"is not a field of a {kind} trigger"
    if kind in ("first_purchase", "signup", "inactive"):
        return Trigger(kind, _days(raw.get("days"), 365 if kind != "inactive" else 90, 1, "trigger.days", problems))
    if kind == "date_attribute":
        return _date_trigger(raw, problems)
    if kind == "event":
        event = raw.get("event")
        if not isinstance(event, str) or not event.strip() or len(event) > 100:
            problems["trigger.event"] = "must name an event type or custom event, at most 100 characters"
        where = event_filters.parse(raw.get("where"), "trigger.where", problems)
        return Trigger(kind, event=str(event).strip(), where=where)
    if kind == "milestone":
        program = raw.get("program")
        if not isinstance(program, str) or not program.strip():
            problems["trigger.program"] = "must name a program"
        return Trigger(kind, program=str(program).strip())
    return Trigger(kind)


def _date_trigger(raw: Mapping[str, Any], problems: dict[str, str]) -> Trigger:
    attribute = raw.get("attribute")
    if not isinstance(attribute, str) or not re.match(r"^[A-Za-z0-9_.-]{1,100}$", attribute):
        problems["trigger.attribute"] = "must name a customer attribute holding a date, YYYY-MM-DD"
    days = raw.get("days", 0)
    if days.__class__ is not int or abs(days) > MAX_TRIGGER_DAYS:
        problems["trigger.days"] = f"must be a whole number of days from -{MAX_TRIGGER_DAYS} to {MAX_TRIGGER_DAYS}"
        days = 0
    yearly = raw.get("yearly", False)
    if not isinstance(yearly, bool):
        problems["trigger.yearly"] = "must be true or false"
        yearly = False
    if yearly and days:
        problems["trigger.days"] = "must be 0 for a yearly date (a birthday)"
    return Trigger("date_attribute", int(days), str(attribute), yearly)


def _condition(
    raw: Any, where: str, known: Known, problems: dict[str, str], optional: bool = False
) -> Condition | None:
    if raw is None and optional:
        return None
    if not isinstance(raw, Mapping):
        problems[where] = "must be a condition: {all: [...]}, {any: [...]}, {not: ...} or {field, op, value}"
        return None
    for group, cls in (("all", AllOf), ("any", AnyOf)):
        if group in raw:
            items = raw[group]
            if set(raw) != {group} or not isinstance(items, list) or not items:
                problems[where] = f"{group!r} must be the only field, with a non-empty list"
                return None
            parsed = [_condition(c, f"{where}.{group}[{i}]", known, problems) for i, c in enumerate(items)]
            return cls(tuple(c for c in parsed if c is not None))
    if "not" in raw:
        if set(raw) != {"not"}:
            problems[where] = "'not' must be the only field"
            return None
        inner = _condition(raw["not"], f"{where}.not", known, problems)
        return Not(inner) if inner is not None else None
    return _leaf_condition(raw, where, known, problems)


def _leaf_condition(raw: Mapping[str, Any], where: str, known: Known, problems: dict[str, str]) -> Leaf | None:
    f, op, value = raw.get("field"), raw.get("op"), raw.get("value")
    for extra in sorted(set(raw) - {"field", "op", "value"}):
        problems[f"{where}.{extra}"] = "is not a field of a condition"
    if not isinstance(f, str):
        problems[f"{where}.field"] = "is required"
        return None
    ops, reason = _field_ops(f, known)
    if reason:
        problems[f"{where}.field"] = reason
        return None
    if op not in ops:
        problems[f"{where}.op"] = f"must be one of {', '.join(ops)} for {f}"
        return None
    bad = _value_problem(f, op, value)
    if bad:
        problems[f"{where}.value"] = bad
        return None
    return Leaf(f, op, tuple(value) if isinstance(value, list) else value)


def _field_ops(f: str, known: Known) -> tuple[tuple[str, ...], str | None]:
    if f == "email":
        return ("valid", "present"), None
    if f in ("email_consent", "sms_consent"):
        return ("is",), None
    if f == "tag":
        return ("has", "lacks"), None
    if f in METRICS:
        return NUMERIC_OPS, None
    if f.startswith("attribute.") and re.match(r"^[A-Za-z0-9_.-]{1,100}$", f[10:]):
        return ATTRIBUTE_OPS, None
    if f.startswith("aggregate.") and f[10:]:
        if known.aggregates is not None and f[10:] not in known.aggregates:
            return (), f"no aggregate with the key {f[10:]!r}"
        return NUMERIC_OPS, None
    fields = ", ".join(
        ["email", "email_consent", "sms_consent", "tag", *METRICS, "attribute.<name>", "aggregate.<key>"]
    )
    return (), f"must be one of {fields}"


_FIELDS = ("email", "email_consent", "sms_consent", "tag", *METRICS, "attribute.<name>", "aggregate.<key>")


def _value_problem(f: str, op: str, value: Any) -> str | None:
    if op in ("valid", "present"):
        return None if value is None else "takes no value"
    if op == "is":
        return None if isinstance(value, bool) else "must be true or false"
    if f == "tag":
        return None if isinstance(value, str) and value.strip() else "must be a tag"
    if op == "in":
        return None if isinstance(value, list) and value else "must be a non-empty list"
    if f.startswith("attribute."):
        return None if isinstance(value, str | int | float | bool) else "must be a string, number or boolean"
    if op == "between":
        ok = isinstance(value, list) and len(value) == 2 and all(_int(v) for v in value) and value[0] <= value[1]
        return None if ok else "must be [low, high], whole numbers, low <= high"
    return None if _int(value) else "must be a whole number"


def _int(v: Any) -> bool:
    return v.__class__ is int


def _branches(raw: Any, currency: str, known: Known, problems: dict[str, str]) -> tuple[Branch, ...]:
    if not isinstance(raw, list) or not raw:
        problems["branches"] = "at least one branch"
        return ()
    out = []
    for b, item in enumerate(raw):
        where = f"branches[{b}]"
        if not isinstance(item, Mapping):
            problems[where] = "must be an object with 'actions'"
            continue
        for extra in sorted(set(item) - {"name", "when", "actions"}):
            problems[f"{where}.{extra}"] = "is not a field of a branch"
        name = item.get("name") or f"branch {b + 1}"
        if not isinstance(name, str) or len(name) > MAX_NAME:
            problems[f"{where}.name"] = f"must be text, at most {MAX_NAME} characters"
            name = f"branch {b + 1}"
        when = _condition(item.get("when"), f"{where}.when", known, problems, optional=True)
        actions, failures = _actions(item.get("actions"), f"{where}.actions", currency, known, problems)
        out.append(Branch(name.strip(), when, actions, failures))
    return tuple(out)


def _actions(
    raw: Any, where: str, currency: str, known: Known, problems: dict[str, str]
) -> tuple[tuple[Action, ...], tuple[tuple[int, tuple[Action, ...]], ...]]:
    if not isinstance(raw, list) or not raw:
        problems[where] = "at least one action"
        return (), ()
    plain = [{k: v for k, v in a.items() if k != "on_failure"} if isinstance(a, Mapping) else a for a in raw]
    actions = _checked(plain, where, currency, known, problems)
    failures = []
    for i, a in enumerate(raw):
        if isinstance(a, Mapping) and "on_failure" in a:
            if a.get("type") != "pool_code":
                problems[f"{where}[{i}].on_failure"] = "only a pool_code action has an on_failure list"
                continue
            inner = a["on_failure"]
            if not isinstance(inner, list) or not inner:
                problems[f"{where}[{i}].on_failure"] = "must be a non-empty list of actions"
                continue
            nested = [k for k, f in enumerate(inner) if isinstance(f, Mapping) and f.get("type") in _NOT_ON_FAILURE]
            if nested:
                problems[f"{where}[{i}].on_failure[{nested[0]}].type"] = "an on_failure list takes no pool_code or wait"
                continue
            failures.append((i, _checked(inner, f"{where}[{i}].on_failure", currency, known, problems)))
    return actions, tuple(failures)


_NOT_ON_FAILURE = ("pool_code", "wait")


def _checked(raw: list[Any], where: str, currency: str, known: Known, problems: dict[str, str]) -> tuple[Action, ...]:
    """The actions, by the programs' own validation, then what they name checked against the store."""
    try:
        actions = validate_actions(raw, currency, known.templates, AUTOMATION_ACTION_TYPES)
    except ValidationError as exc:
        problems.update({where + k.removeprefix("actions"): v for k, v in exc.problems.items()})
        return ()
    for i, a in enumerate(actions):
        for name, reason in _unknown(a, known):
            problems[f"{where}[{i}].{name}"] = reason
    return actions


def _unknown(a: Action, known: Known) -> list[tuple[str, str]]:
    out = []
    if a.type == "pool_code" and known.pools is not None and a.kw["pool"] not in known.pools:
        out.append(("pool", f"no coupon pool with the key {a.kw['pool']!r}"))
    for name in ("assignee", "to"):
        user = a.kw.get(name)
        if user and known.users is not None and user not in known.users:
            out.append((name, f"no active user has the email {user}"))
    return out
