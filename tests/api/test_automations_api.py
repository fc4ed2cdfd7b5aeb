"""Automations over HTTP, on both backends: the first-purchase anniversary of the OpenAPI
document's example, created with templates, a pool and customers all set up through the
API, its day run (`POST /api/v1/daily-runs`), its run log read page by page over HTTP and
with `milepost automations run-log`; definitions refused with each problem's field path;
replaced, changed in part and deleted by key."""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from admin_kit import assert_problem, walk
from fastapi.testclient import TestClient

from support.cli import CLI, cli_env

POOL = "1year_anniversary_discount"
KEY = "first_purchase_anniversary"
PATH = f"/api/v1/automations/{KEY}"
DAY = "2026-03-01"


def example(client: TestClient) -> dict[str, Any]:
    """The definition the OpenAPI document gives as its example."""
    found: dict[str, Any] = client.get("/openapi.json").json()["components"]["schemas"]["AutomationDefinition"]
    return found["example"]


def call(client: TestClient, keys: Any, method: str, path: str, body: Any = None, status: int = 200) -> Any:
    r = client.request(method, path, json=body, headers=keys.auth())
    assert r.status_code == status, r.text
    return r.json() if r.content else None


@pytest.fixture
def shop(client: TestClient, keys: Any) -> Any:
    """Templates, the anniversary's pool with two codes, and its aggregate (`orders_365d`), through the API."""
    for key, subject, body in (
        ("anniversary_gift", "A year already!", "Your gift: {{ reward.coupon_code }}"),
        ("anniversary_thanks", "Thank you", "Thanks, {{ customer.name }}"),
    ):
        call(client, keys, "PUT", f"/api/v1/templates/{key}", {"subject": subject, "body_text": body}, 201)
    pool = {"key": POOL, "name": "Anniversary", "discount": {"kind": "percentage", "percent": 15}}
    call(client, keys, "POST", "/api/v1/pools", pool, 201)
    call(client, keys, "POST", f"/api/v1/pools/{POOL}/codes", ["ANNIV-0001-CODE", "ANNIV-0002-CODE"])
    aggregate = {"key": "orders_365d", "name": "Orders in a year", "source": "orders", "window_days": 365}
    call(client, keys, "POST", "/api/v1/aggregates", aggregate, 201)
    return keys


def send(client: TestClient, keys: Any, *events: dict[str, Any]) -> None:
    r = client.post("/api/v1/events", json={"events": list(events)}, headers=keys.auth("ingest"))
    assert r.status_code == 200 and r.json()["rejected"] == 0, r.text


def customer(cid: str) -> dict[str, Any]:
    return {
        "id": uuid.uuid4().hex,
        "type": "customer.created",
        "customer_id": cid,
        "email": f"{cid}@example.com",
        "email_consent": True,
        "occurred_at": "2024-01-01T00:00:00Z",
    }


def paid(cid: str, order: str, at: str) -> dict[str, Any]:
    event = {"id": uuid.uuid4().hex, "type": "order.paid", "customer_id": cid, "order_id": order, "total": 1000}
    return {**event, "occurred_at": at}


def test_the_anniversary_runs_its_day_and_its_log_reads_over_http_and_the_cli(
    client: TestClient, shop: Any, database_url: str
) -> None:
    # Given three one-time buyers of a year ago and one who bought three times
    send(client, shop, *(customer(c) for c in ("ann", "bob", "cy", "dee")))
    send(client, shop, *(paid(c, f"{c}-1", "2025-03-01T10:00:00Z") for c in ("ann", "bob", "cy", "dee")))
    send(client, shop, paid("dee", "dee-2", "2025-06-01T10:00:00Z"), paid("dee", "dee-3", "2026-01-10T10:00:00Z"))
    created = call(client, shop, "POST", "/api/v1/automations", example(client), 201)
    assert created["key"] == KEY and created["active"] is True
    assert call(client, shop, "GET", "/api/v1/automations")["data"] == [created]

    # When the store runs that day
    ran = call(client, shop, "POST", "/api/v1/daily-runs", {"date": DAY})

    (day,) = ran["days"]
    (tally,) = day["automations"]
    assert (day["date"], tally["key"], tally["audience"], tally["fired"]) == (DAY, KEY, 4, 4)
    assert tally["branches"] == {"1-2 orders": 3, "3+ orders": 1}
    assert call(client, shop, "POST", "/api/v1/daily-runs", {"date": DAY})["days"] == []  # done already
    (run,) = call(client, shop, "GET", f"{PATH}/runs")["data"]
    assert (run["date"], run["candidates"], run["audience"], run["fired"], run["skipped"]) == (DAY, 4, 4, 4, 0)
    assert run["branches"] == {"1-2 orders": 3, "3+ orders": 1}
    fired = walk(client, f"{PATH}/runs/{DAY}", shop.auth(), limit=1)
    by_customer = {c["customer_id"]: c for c in fired}
    assert {c: f["branch"] for c, f in by_customer.items()} == {
        "ann": "1-2 orders",
        "bob": "1-2 orders",
        "cy": "1-2 orders",
        "dee": "3+ orders",
    }
    given = [c for c in ("ann", "bob", "cy") if by_customer[c]["actions"][0]["status"] == "done"]
    assert len(given) == 2  # two codes in the pool: the third customer's account manager is told instead
    (empty,) = {"ann", "bob", "cy"} - set(given)
    assert [a["status"] for a in by_customer[empty]["actions"]][:4] == ["skipped"] * 4
    assert all(f["milestone_id"].startswith("mst_") for f in fired)

    # And the CLI reads the same log from the same database
    log = _cli(database_url, "automations", "run-log", KEY, "--date", DAY, "--store", shop.store, "--json")
    assert {c["customer_id"]: c["branch"] for c in log} == {c: f["branch"] for c, f in by_customer.items()}
    (listed,) = _cli(database_url, "automations", "runs", KEY, "--store", shop.store, "--json")
    assert (listed["date"], listed["fired"], listed["branches"]) == (DAY, 4, run["branches"])


def _cli(database_url: str, *args: str) -> Any:
    """`milepost --database-url URL ARGS...` as a subprocess: its JSON."""
    command = [*CLI, "--database-url", database_url, *args]
    done = subprocess.run(command, capture_output=True, text=True, env=cli_env(Path("unused")), timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


BAD = [
    ("unknown template", ("branches", 1, "actions", 0, "template"), "nope", "branches[1].actions[0].template"),
    ("unknown pool", ("branches", 0, "actions", 0, "pool"), "nope", "branches[0].actions[0].pool"),
    ("unknown aggregate", ("branches", 0, "when", "field"), "aggregate.nope", "branches[0].when.field"),
    ("bad op", ("audience", "all", 0, "op"), "is-like", "audience.all[0].op"),
]


def _with(definition: dict[str, Any], where: tuple[Any, ...], value: Any) -> dict[str, Any]:
    changed = json.loads(json.dumps(definition))
    target = changed
    for step in where[:-1]:
        target = target[step]
    target[where[-1]] = value
    return changed


@pytest.mark.parametrize(("what", "where", "value", "path"), BAD, ids=[b[0] for b in BAD])
def test_a_definition_naming_what_the_store_lacks_is_refused_with_its_field_path(
    client: TestClient, shop: Any, what: str, where: tuple[Any, ...], value: Any, path: str
) -> None:
    bad = _with(example(client), where, value)

    body = assert_problem(client.post("/api/v1/automations", json=bad, headers=shop.auth()), 422, path)

    assert body["type"].endswith("/invalid-request") and path in body["detail"]
    assert call(client, shop, "GET", "/api/v1/automations")["data"] == []
    assert_problem(client.put(PATH, json=bad, headers=shop.auth()), 422, path)
    call(client, shop, "POST", "/api/v1/automations", example(client), 201)
    assert_problem(client.put(PATH, json=bad, headers=shop.auth()), 422, path)
    assert_problem(client.patch(PATH, json={key: bad[key] for key in where[:1]}, headers=shop.auth()), 422, path)
    assert call(client, shop, "GET", PATH)["branches"] == example(client)["branches"]  # nothing changed


def test_an_automation_is_switched_off_renamed_replaced_and_deleted(client: TestClient, shop: Any) -> None:
    definition = example(client)
    call(client, shop, "POST", "/api/v1/automations", definition, 201)
    assert_problem(client.post("/api/v1/automations", json=definition, headers=shop.auth()), 409)

    assert call(client, shop, "PATCH", PATH, {"active": False})["active"] is False
    renamed = call(client, shop, "PATCH", PATH, {"name": "A year with us"})
    assert (renamed["name"], renamed["active"]) == ("A year with us", False)
    assert_problem(client.patch(PATH, json={"key": "other"}, headers=shop.auth()), 422, "key")
    without_key = {k: v for k, v in definition.items() if k != "key"}
    replaced = call(client, shop, "PUT", PATH, {**without_key, "send_at_local_hour": None})
    assert (replaced["name"], replaced["active"], replaced["send_at_local_hour"]) == (definition["name"], True, None)
    assert_problem(client.put(PATH, json={**definition, "key": "other"}, headers=shop.auth()), 422, "key")
    r = client.put("/api/v1/automations/second", json=without_key, headers=shop.auth())
    assert (r.status_code, r.headers["location"]) == (201, "/api/v1/automations/second")

    call(client, shop, "DELETE", PATH, status=204)

    assert_problem(client.get(PATH, headers=shop.auth()), 404)
    assert_problem(client.get(f"{PATH}/runs", headers=shop.auth()), 404)
    assert [a["key"] for a in call(client, shop, "GET", "/api/v1/automations")["data"]] == ["second"]
    call(client, shop, "POST", "/api/v1/automations", definition, 201)  # its key may be used again


def test_a_daily_run_takes_a_date_or_runs_today(client: TestClient, shop: Any) -> None:
    assert_problem(client.post("/api/v1/daily-runs", json={"date": "2026-02-30"}, headers=shop.auth()), 422, "date")
    assert_problem(client.post("/api/v1/daily-runs", json={"date": "0001-01-01"}, headers=shop.auth()), 422, "date")

    ran = call(client, shop, "POST", "/api/v1/daily-runs", {})

    assert ran["date"] == DAY and [d["date"] for d in ran["days"]] == [DAY]  # the frozen clock's day
    later = call(client, shop, "POST", "/api/v1/daily-runs", {"date": "2026-03-03"})
    assert [d["date"] for d in later["days"]] == ["2026-03-02", "2026-03-03"]  # the day missed, caught up
    far = client.post("/api/v1/daily-runs", json={"date": "2027-03-05"}, headers=shop.auth())
    assert "would run 367 days, from 2026-03-04 on" in assert_problem(far, 422, "date")["detail"]
    assert [d["date"] for d in call(client, shop, "POST", "/api/v1/daily-runs", {"date": "2027-03-04"})["days"]][
        -1:
    ] == ["2027-03-04"]


def test_the_example_and_the_automation_answered_match_their_documented_schemas(client: TestClient, shop: Any) -> None:
    document = client.get("/openapi.json").json()
    created = call(client, shop, "POST", "/api/v1/automations", example(client), 201)

    for name, value in (("AutomationDefinition", example(client)), ("Automation", created)):
        schema = {**document["components"]["schemas"][name], "components": document["components"]}
        validator = jsonschema.Draft202012Validator(schema)
        assert [e.message for e in validator.iter_errors(value)] == [], name


def test_the_customers_a_day_fired_nothing_for_read_over_http_and_the_cli(
    client: TestClient, shop: Any, database_url: str
) -> None:
    # Given three first purchases 30 days before the day, and an automation only VIPs are in a branch of
    send(client, shop, *(customer(c) for c in ("ann", "bob", "vic")))
    send(client, shop, *(paid(c, f"{c}-1", "2026-01-30T10:00:00Z") for c in ("ann", "bob", "vic")))
    call(client, shop, "POST", "/api/v1/customers/vic/tags", {"tag": "vip"})
    vip = {"name": "vip", "when": {"field": "tag", "op": "has", "value": "vip"}}
    definition = {
        "key": "vip_month",
        "name": "VIP month",
        "trigger": {"type": "first_purchase", "days": 30},
        "branches": [{**vip, "actions": [{"type": "add_tag", "tag": "thanked"}]}],
    }
    call(client, shop, "POST", "/api/v1/automations", definition, 201)

    # When the day runs
    call(client, shop, "POST", "/api/v1/daily-runs", {"date": DAY})

    # Then the two in no branch are listed, page by page, by name, with why; the run counts them
    (run,) = call(client, shop, "GET", "/api/v1/automations/vip_month/runs")["data"]
    assert (run["fired"], run["skipped"], run["stopped"]) == (1, 2, 0)
    missed = walk(client, f"/api/v1/automations/vip_month/runs/{DAY}/misses", shop.auth(), limit=1)
    failed = {"branches": [{"name": "vip", "failed": ["tag has vip: has no tags"]}]}
    assert missed == [
        {"customer_id": c, "name": None, "email": f"{c}@example.com", "reason": "no_branch"}
        | {"why": "no branch matched", "detail": failed}
        for c in ("ann", "bob")
    ]
    args = ("automations", "run-log", "vip_month", "--date", DAY, "--store", shop.store)
    assert _cli(database_url, *args, "--missed", "--json") == missed
    assert [c["customer_id"] for c in _cli(database_url, *args, "--json")] == ["vic"]
    command = [*CLI, "--database-url", database_url, *args]
    shown = subprocess.run(command, capture_output=True, text=True, env=cli_env(Path("unused")), timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert "fired nothing for" in shown.stdout and "no branch matched (vip: tag has vip: has no" in shown.stdout
    assert_problem(client.get(f"/api/v1/automations/nope/runs/{DAY}/misses", headers=shop.auth()), 404)
