"""`milepost aggregates create|list|show|delete` and `milepost customers aggregates ID` as
real subprocesses on each backend: an aggregate defined, a customer's values as of a day."""

from __future__ import annotations

import json

from support.cli import MilepostCli

STORE = "shop"


def _paid(order: str, at: str) -> str:
    event = {"id": order, "type": "order.paid", "customer_id": "ann", "order_id": order, "total": 1200}
    return json.dumps({**event, "occurred_at": at})


def test_an_aggregate_is_defined_and_a_customer_s_values_read(fresh: MilepostCli) -> None:
    fresh("stores", "create", STORE, "--name", "Shop", "--timezone", "Europe/Paris")
    created = fresh.json(
        "aggregates", "create", "orders_365d", "--store", STORE, "--name", "Orders in a year",
        "--source", "orders", "--window-days", "365", "--json",
    )  # fmt: skip
    fresh("aggregates", "create", "spend", "--store", STORE, "--name", "Spend", "--source", "orders",
          "--function", "sum")  # fmt: skip
    events = "\n".join([_paid("o1", "2025-03-01T23:30:00Z"), _paid("o2", "2026-02-27T10:00:00Z")])
    fresh("ingest", "-", "--store", STORE, stdin=events + "\n")

    values = fresh.json("customers", "aggregates", "ann", "--store", STORE, "--date", "2026-03-02", "--json")

    assert created["window_days"] == 365 and created["source"] == "orders"
    # o1 was paid on 2025-03-02 at 00:30 in Paris: the first of the 365 days before 2026-03-02
    assert values == {"customer_id": "ann", "date": "2026-03-02", "values": {"orders_365d": 2, "spend": 2400}}
    later = fresh.json("customers", "aggregates", "ann", "--store", STORE, "--date", "2026-03-03", "--json")
    assert later["values"] == {"orders_365d": 1, "spend": 2400}
    assert [a["key"] for a in fresh.json("aggregates", "list", "--store", STORE, "--json")] == ["orders_365d", "spend"]
    assert "Orders in a year" in fresh("aggregates", "show", "orders_365d", "--store", STORE).stdout
    assert "365 days" in fresh("aggregates", "list", "--store", STORE).stdout
    fresh("aggregates", "delete", "spend", "--store", STORE)
    assert "no aggregate 'spend'" in fresh("aggregates", "show", "spend", "--store", STORE, expect=2).stderr
    bad = fresh("aggregates", "create", "Bad Key", "--store", STORE, "--name", "X", "--source", "orders", expect=2)
    assert "key" in bad.stderr
