"""`milepost events names [--json]` through the real command: the store's event catalogue."""

from __future__ import annotations

import json
from pathlib import Path

from support.cli import MilepostCli as Milepost


def test_events_names_lists_the_catalogue(tmp_path: Path) -> None:
    milepost = Milepost(tmp_path / "data")
    milepost("stores", "create", "shop", "--name", "Shop")
    events = [
        {"id": "o1", "type": "order.paid", "customer_id": "ada", "order_id": "A", "total": 1000},
        {"id": "w1", "type": "custom", "customer_id": "ada", "name": "cart_abandoned", "properties": {"value": 60}},
    ]
    (tmp_path / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    milepost("ingest", str(tmp_path / "events.jsonl"), "--store", "shop")

    found = {(e["name"], e["internal"]): e["count"] for e in milepost.json("events", "names", "--store", "shop")}
    table = milepost("events", "names", "--store", "shop")

    assert found == {
        ("cart_abandoned", False): 1,
        ("order.paid", False): 1,
        ("order.paid", True): 1,
        ("order.created", True): 1,
        ("customer.created", True): 1,
    }
    assert "cart_abandoned" in table.stdout and "internal" in table.stdout and "received" in table.stdout
