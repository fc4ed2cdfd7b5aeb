"""`milepost automations ...` as real subprocesses on each backend: an automation created
from a file, its day run by `run-daily --date`, its runs and run log read as tables and
JSON; switched off and on, replaced, deleted; a refused definition printing each problem
by its field path and exiting 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from support.cli import MilepostCli

STORE = "shop"
KEY = "first-anniversary"

#: A year after the first purchase: a tag for one- and two-time buyers, an email for the rest.
DEFINITION: dict[str, Any] = {
    "key": KEY,
    "name": "A year with us",
    "trigger": {"type": "first_purchase", "days": 365},
    "audience": {"field": "email", "op": "valid"},
    "branches": [
        {
            "name": "few orders",
            "when": {"field": "order_count", "op": "between", "value": [1, 2]},
            "actions": [{"type": "add_tag", "tag": "year-one"}],
        },
        {"name": "loyal", "actions": [{"type": "send_email", "template": "thanks"}]},
    ],
}


def _file(tmp_path: Path, name: str, definition: dict[str, Any]) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(definition))
    return str(path)


def _shop(fresh: MilepostCli, tmp_path: Path) -> None:
    fresh("stores", "create", STORE, "--name", "Shop")
    fresh("templates", "save", "--store", STORE, "thanks", "--subject", "Thank you", "--text", "Thanks!")
    events = [
        {"id": f"c-{c}", "type": "customer.created", "customer_id": c, "email": f"{c}@example.com"}
        for c in ("ann", "bob")
    ]
    for i, at in enumerate(("2025-03-01T10:00:00Z", "2025-04-01T10:00:00Z", "2025-05-01T10:00:00Z")):
        events.append({"id": f"b{i}", "type": "order.paid", "customer_id": "bob", "order_id": f"b{i}", "total": 900})
        events[-1]["occurred_at"] = at
    events.append({"id": "a0", "type": "order.paid", "customer_id": "ann", "order_id": "a0", "total": 900})
    events[-1]["occurred_at"] = "2025-03-01T18:00:00Z"
    (tmp_path / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    fresh("ingest", str(tmp_path / "events.jsonl"), "--store", STORE)


def test_an_automation_made_from_a_file_runs_its_day_and_shows_its_log(fresh: MilepostCli, tmp_path: Path) -> None:
    _shop(fresh, tmp_path)
    made = fresh("automations", "create", "--store", STORE, "--file", _file(tmp_path, "a.json", DEFINITION))
    assert made.stdout == f"automation {KEY} created (on)\n"
    assert json.loads(fresh("automations", "show", KEY, "--store", STORE).stdout)["branches"][0]["name"] == "few orders"
    [listed] = fresh.json("automations", "list", "--store", STORE)
    assert (listed["key"], listed["active"]) == (KEY, True)
    assert "A year with us" in fresh("automations", "list", "--store", STORE).stdout

    ran = fresh("run-daily", "--store", STORE, "--date", "2026-03-01")

    assert ran.stdout.splitlines()[1:] == [
        f"{STORE}: 2026-03-01: automation {KEY}: 2 fired, few orders: 1, loyal: 1, 0 in no branch"
    ]
    [next_day] = fresh.json("run-daily", "--store", STORE, "--date", "2026-03-02")[0]["days"]
    assert next_day["automations"] == [
        {"key": KEY, "candidates": 0, "audience": 0, "fired": 0, "skipped": 0, "stopped": 0, "branches": {}}
    ]
    [latest, run] = fresh.json("automations", "runs", KEY, "--store", STORE)  # newest first
    assert (latest["date"], latest["fired"]) == ("2026-03-02", 0)
    assert (run["date"], run["audience"], run["fired"], run["branches"]) == (
        "2026-03-01",
        2,
        2,
        {"few orders": 1, "loyal": 1},
    )
    log = fresh.json("automations", "run-log", KEY, "--date", "2026-03-01", "--store", STORE)
    assert {c["customer_id"]: (c["branch"], [a["type"] for a in c["actions"]]) for c in log} == {
        "ann": ("few orders", ["add_tag"]),
        "bob": ("loyal", ["send_email"]),
    }
    table = fresh("automations", "run-log", KEY, "--date", "2026-03-01", "--store", STORE).stdout
    assert "few orders" in table and "add_tag done" in table
    assert "year-one" in fresh.json("customers", "show", "ann", "--store", STORE)["tags"]


def test_an_automation_is_switched_replaced_and_deleted(fresh: MilepostCli, tmp_path: Path) -> None:
    _shop(fresh, tmp_path)
    fresh("automations", "create", "--store", STORE, "--file", _file(tmp_path, "a.json", DEFINITION))

    assert fresh.json("automations", "disable", KEY, "--store", STORE)["active"] is False
    assert fresh("automations", "enable", KEY, "--store", STORE).stdout == f"automation {KEY} enabled (on)\n"
    renamed = {k: v for k, v in DEFINITION.items() if k != "key"} | {"name": "Renamed"}
    updated = fresh.json("automations", "update", KEY, "--store", STORE, "--file", _file(tmp_path, "b.json", renamed))
    assert updated["name"] == "Renamed"
    assert fresh("automations", "delete", KEY, "--store", STORE).stdout == f"automation {KEY} deleted\n"
    assert fresh.json("automations", "list", "--store", STORE) == []
    gone = fresh("automations", "show", KEY, "--store", STORE, expect=2)
    assert gone.stderr == f"error: no automation with the key {KEY!r}\n"


def test_a_refused_definition_prints_each_problem_by_its_field_path(fresh: MilepostCli, tmp_path: Path) -> None:
    _shop(fresh, tmp_path)
    bad = json.loads(json.dumps(DEFINITION))
    bad["branches"][1]["actions"][0]["template"] = "nope"
    bad["branches"][0]["when"]["op"] = "about"
    bad["audience"] = {"field": "aggregate.nope", "op": ">", "value": 1}

    refused = fresh("automations", "create", "--store", STORE, "--file", _file(tmp_path, "bad.json", bad), expect=2)

    lines = refused.stderr.splitlines()
    assert lines[0] == "error: the automation is refused:"
    assert sorted(lines[1:]) == [
        "  audience.field: no aggregate with the key 'nope'",
        "  branches[0].when.op: must be one of =, !=, <, <=, >, >=, between for order_count",
        "  branches[1].actions[0].template: no email template with the key 'nope'",
    ]
    assert fresh.json("automations", "list", "--store", STORE) == []
    not_json = fresh("automations", "create", "--store", STORE, "--file", "-", stdin="{", expect=2)
    assert not_json.stderr.startswith("error: <stdin> is not JSON")


def test_an_automation_started_for_a_customer_from_the_cli(fresh: MilepostCli, tmp_path: Path) -> None:
    # Given a manual automation: a tag for customers with one or two orders, an email for the others
    _shop(fresh, tmp_path)
    manual = {**DEFINITION, "key": "welcome", "trigger": {"type": "manual"}}
    fresh("automations", "create", "--store", STORE, "--file", _file(tmp_path, "m.json", manual))
    start = ("automations", "start", "welcome", "--store", STORE)

    # When it is started for ann (one order), twice with one idempotency key, and for bob as a table
    first = fresh.json(*start, "--customer", "ann", "--idempotency-key", "k1")
    again = fresh.json(*start, "--customer", "ann", "--idempotency-key", "k1")
    shown = fresh(*start, "--customer", "bob").stdout

    # Then ann took her branch once, and bob's start is printed with what each action did
    assert (first["started"], first["branch"], first["repeated"], again["repeated"]) == (
        True,
        "few orders",
        False,
        True,
    )
    assert first["milestone_id"] == again["milestone_id"] and first["milestone_id"].startswith("mst_")
    assert [(a["type"], a["status"]) for a in first["actions"]] == [("add_tag", "done")]
    assert "year-one" in fresh.json("customers", "show", "ann", "--store", STORE)["tags"]
    assert shown.splitlines() == [
        "automation welcome started for bob: branch 'loyal'",
        "  send_email pending: email 'thanks' waiting to be sent",
    ]
    # not started: why, and exit 1; an unknown customer is an error (exit 2)
    fresh("automations", "disable", "welcome", "--store", STORE)
    off = fresh(*start, "--customer", "ann", expect=1)
    assert off.stdout == "automation welcome not started for ann: the automation is switched off\n"
    off_json = json.loads(
        fresh("automations", "start", "welcome", "--store", STORE, "--customer", "ann", "--json", expect=1).stdout
    )
    assert (off_json["started"], off_json["reason"]) == (False, "disabled")
    nobody = fresh(*start, "--customer", "nobody", expect=2)
    assert nobody.stderr == "error: no customer 'nobody' in this store\n"
