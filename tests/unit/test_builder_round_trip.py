"""The automation builder's fields and back: any definition the model takes, written as the
builder's fields (`encode`) and read as a posted form (`Builder`), is the same definition:
nested all / any / not groups, attribute values of every JSON type, each pool code's own
on-failure list, the trigger's event properties with their operators (one row each)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from milepost.domain import automations as model
from milepost.domain import event_filters
from milepost.domain.aggregates import METRICS
from milepost.domain.automation_examples import ANNIVERSARY
from milepost.entrypoints.web import automation_forms
from milepost.errors import ValidationError

CURRENCY = "USD"

words = (
    st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), min_size=1, max_size=12)
    .map(str.strip)
    .filter(bool)
)
keys = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
names = st.text(min_size=1, max_size=10)  # a property's: any text, colons, quotes and line breaks too
scalars = st.one_of(
    st.text(max_size=12),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
)

numbers = st.integers(-(10**12), 10**12) | st.floats(allow_nan=False, allow_infinity=False)


def value_of(op: str) -> st.SearchStrategy[Any]:
    """A value an event property's operator takes."""
    if op in ("gt", "gte", "lt", "lte"):
        return numbers
    if op == "exists":
        return st.booleans()
    if op == "in":
        return st.lists(scalars, min_size=1, max_size=3)
    return scalars


operators = st.lists(st.sampled_from(event_filters.OPS), min_size=1, max_size=3, unique=True).flatmap(
    lambda ops: st.fixed_dictionaries({op: value_of(op) for op in ops})
)
wheres = st.dictionaries(names, scalars | operators, max_size=3)


def numeric(f: str) -> st.SearchStrategy[dict[str, Any]]:
    low = 0 if f == "amount_spent" else -(10**9)
    number = st.integers(low, 10**9)
    single = st.builds(
        lambda op, v: {"field": f, "op": op, "value": v}, st.sampled_from(["=", "!=", "<", ">="]), number
    )
    pair = st.lists(number, min_size=2, max_size=2).map(sorted)
    return single | pair.map(lambda v: {"field": f, "op": "between", "value": v})


leaves = st.one_of(
    st.sampled_from([{"field": "email", "op": "valid"}, {"field": "email", "op": "present"}]),
    st.builds(
        lambda f, v: {"field": f, "op": "is", "value": v},
        st.sampled_from(["email_consent", "sms_consent"]),
        st.booleans(),
    ),
    st.builds(lambda op, v: {"field": "tag", "op": op, "value": v}, st.sampled_from(["has", "lacks"]), words),
    st.sampled_from([*METRICS, "aggregate.orders_365d"]).flatmap(numeric),
    st.builds(
        lambda k, op, v: {"field": f"attribute.{k}", "op": op, "value": v}, keys, st.sampled_from(["=", "!="]), scalars
    ),
    st.builds(
        lambda k, v: {"field": f"attribute.{k}", "op": "in", "value": v},
        keys,
        st.lists(scalars, min_size=1, max_size=3),
    ),
    keys.map(lambda k: {"field": f"attribute.{k}", "op": "present"}),
)
conditions = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda items: {"all": items}),
        st.lists(inner, min_size=1, max_size=3).map(lambda items: {"any": items}),
        inner.map(lambda c: {"not": c}),
    ),
    max_leaves=8,
)
failures = st.one_of(
    st.builds(lambda m: {"type": "alert", "message": m}, words.filter(lambda m: "{" not in m and "}" not in m)),
    st.builds(lambda t: {"type": "add_tag", "tag": t}, words),
    st.builds(
        lambda a, s, b: {"type": "internal_email", "to_attribute": a, "subject": s, "body": b}, keys, words, words
    ),
)
plain_actions = st.one_of(
    st.builds(lambda t: {"type": "add_tag", "tag": t}, words),
    st.builds(lambda t: {"type": "send_email", "template": t}, keys),
    st.builds(lambda n: {"type": "credit", "amount": n}, st.integers(1, 10**7)),
    st.builds(
        lambda e, p: {"type": "record_event", "event": e, "properties": p},
        words,
        st.dictionaries(names, st.text(max_size=12), min_size=1, max_size=2),
    ),
    st.builds(lambda d: {"type": "wait", "days": d}, st.integers(1, 365)),
)
pool_codes = st.builds(
    lambda pool, fails: {"type": "pool_code", "pool": pool} | ({"on_failure": fails} if fails else {}),
    keys,
    st.lists(failures, max_size=2),
)
branches = st.builds(
    lambda name, when, actions: {"name": name, "actions": actions} | ({"when": when} if when else {}),
    words,
    st.none() | conditions,
    st.lists(plain_actions | pool_codes, min_size=1, max_size=4),
)
triggers = st.one_of(
    st.builds(
        lambda t, d: {"type": t, "days": d},
        st.sampled_from(["first_purchase", "signup", "inactive"]),
        st.integers(1, 3660),
    ),
    st.builds(lambda a, d: {"type": "date_attribute", "attribute": a, "days": d}, keys, st.integers(-3660, 3660)),
    keys.map(lambda a: {"type": "date_attribute", "attribute": a, "yearly": True}),
    st.builds(lambda e, w: {"type": "event", "event": e, "where": w}, words, wheres),
    st.just({"type": "milestone", "program": "prg_12"}),
    st.just({"type": "manual"}),
)
definitions = st.builds(
    lambda trigger, audience, bs, hour, active, day: {
        "key": "generated",
        "name": "Generated",
        "trigger": trigger,
        "audience": audience,
        "branches": bs,
        "send_at_local_hour": hour,
        "active": active,
        "active_from": day,
    },
    triggers,
    st.none() | conditions,
    st.lists(branches, min_size=1, max_size=3),
    st.none() | st.integers(0, 23),
    st.booleans(),
    st.none() | st.dates().map(lambda d: d.isoformat()),
)


def through_the_builder(definition: dict[str, Any]) -> dict[str, Any]:
    built = automation_forms.Builder(automation_forms.encode(definition, CURRENCY), CURRENCY)
    assert built.form.errors == {}
    return model.parse(built.definition, CURRENCY).as_dict()


@settings(max_examples=100)
@given(definitions)
def test_any_definition_reads_back_from_its_fields(raw: dict[str, Any]) -> None:
    definition = model.parse(raw, CURRENCY).as_dict()
    assert through_the_builder(definition) == definition


def test_the_shipped_example_reads_back_from_its_fields() -> None:
    definition = model.parse(ANNIVERSARY, CURRENCY).as_dict()
    assert through_the_builder(definition) == definition


def test_event_operators_are_one_row_each_and_read_back() -> None:
    where = {"value": {"gt": 50, "lt": 100}, "plan": "gold", " spaced": {"in": ["a, b", "10", 10], "ne": True}}
    raw = ANNIVERSARY | {"trigger": {"type": "event", "event": "order.paid", "where": where}}
    definition = model.parse(raw, CURRENCY).as_dict()
    fields = automation_forms.encode(definition, CURRENCY)
    rows = {(fields[f"where-{r}-property"], fields[f"where-{r}-op"], fields[f"where-{r}-value"]) for r in range(5)}
    assert rows == {
        ('" spaced"', "ne", "true"),
        ('" spaced"', "in", '"a, b", "10", 10'),
        ("plan", "eq", "gold"),
        ("value", "gt", "50"),
        ("value", "lt", "100"),
    }
    assert "where-5-property" not in fields
    assert through_the_builder(definition) == definition


def test_a_problem_deep_in_a_group_is_shown_at_its_row() -> None:
    nested = {
        "any": [
            {"field": "tag", "op": "has", "value": "vip"},
            {"not": {"all": [{"field": "email", "op": "valid"}, {"field": "order_count", "op": "=", "value": 1}]}},
        ]
    }
    data = automation_forms.encode(model.parse(ANNIVERSARY, CURRENCY).as_dict() | {"audience": nested}, CURRENCY)
    data["audience-1-1-value"] = "7"
    data["audience-1-1-op"] = "has"  # not an operator of order_count
    built = automation_forms.Builder(data, CURRENCY)
    try:
        model.parse(built.definition, CURRENCY)
    except ValidationError as e:
        built.add_problems(e)
    assert built.form.errors == {"audience-1-1-op": "must be one of =, !=, <, <=, >, >=, between for order_count"}


def test_a_branch_with_more_actions_than_the_page_offers_keeps_them_all() -> None:
    many = [{"type": "add_tag", "tag": f"t{i}"} for i in range(25)]
    definition = model.parse(ANNIVERSARY | {"branches": [{"name": "many", "actions": many}]}, CURRENCY).as_dict()
    assert through_the_builder(definition) == definition
