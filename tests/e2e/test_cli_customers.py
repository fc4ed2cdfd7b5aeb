"""`milepost customers list` and `milepost customers tag` through the real command (support/cli.py) on SQLite and
PostgreSQL: the list searched and filtered, as a table and as JSON, a page at a time; tags
added and removed by hand; bad input is one `error:` line and exit 2."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from support.cli import MilepostCli as Milepost


@pytest.fixture
def shop(database_url: str, tmp_path: Path) -> tuple[Milepost, str]:
    """ada (Ada Lovelace, 2 orders, $50.00), grace (1 order, $10.00) and LIN (no order)."""
    mp = Milepost(tmp_path / "data", MILEPOST_DATABASE_URL=database_url)
    store = f"s-{uuid.uuid4().hex}"
    mp("stores", "create", store, "--name", "Shop")
    events = [
        {"id": "p1", "type": "customer.created", "customer_id": "ada", "name": "Ada Lovelace", "email": "Ada@X.com"},
        {"id": "p2", "type": "customer.created", "customer_id": "LIN", "name": "Linus"},
        {"id": "e1", "type": "order.paid", "customer_id": "ada", "order_id": "o1", "total": 2500},
        {"id": "e2", "type": "order.paid", "customer_id": "ada", "order_id": "o2", "total": 2500},
        {"id": "e3", "type": "order.paid", "customer_id": "grace", "order_id": "o3", "total": 1000},
    ]
    (tmp_path / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    mp("ingest", str(tmp_path / "events.jsonl"), "--store", store)
    return mp, store


def test_customers_list_searches_filters_and_pages(shop: tuple[Milepost, str]) -> None:
    milepost, store = shop

    def ids(*args: str) -> list[str]:
        return [c["customer_id"] for c in milepost.json("customers", "list", "--store", store, *args)["customers"]]

    assert ids() == ["LIN", "ada", "grace"]
    assert ids("-q", "LOVELACE") == ["ada"]
    assert ids("--search", "x.com") == ["ada"]
    # amounts as people write them, as every money option of the CLI takes them
    assert ids("--min-orders", "1", "--max-spent", "10") == ["grace"]
    assert ids("--min-orders", "1", "--max-spent", "1000c") == ids(
        "--max-spent", "1000", "--minor-units", "--min-orders", "1"
    )
    assert ids("--min-spent", "49.99") == ["ada"]
    assert ids("--max-orders", "0") == ["LIN"]

    first = milepost.json("customers", "list", "--store", store, "--limit", "2")
    assert [c["customer_id"] for c in first["customers"]] == ["LIN", "ada"] and first["next_after"] == "ada"
    assert ids("--after", "ada") == ["grace"]
    ada = first["customers"][1]
    assert (ada["order_count"], ada["amount_spent"], ada["currency"], ada["name"]) == (2, 5000, "USD", "Ada Lovelace")

    table = milepost("customers", "list", "--store", store, "--limit", "2").stdout
    assert "Ada Lovelace" in table and "$50.00" in table and "More: --after ada" in table


def test_customers_tag_adds_and_removes(shop: tuple[Milepost, str]) -> None:
    milepost, store = shop

    added = milepost("customers", "tag", "ada", "--store", store, "--add", "VIP", "--add", "Wholesale")
    assert added.stdout.strip() == "ada: VIP, Wholesale"
    assert [
        c["customer_id"] for c in milepost.json("customers", "list", "--store", store, "--tag", "VIP")["customers"]
    ] == ["ada"]

    changed = milepost.json(
        "customers", "tag", "ada", "--store", store, "--remove", "Wholesale", "--add", "Gold", "--by", "Ops Grace"
    )
    assert changed == {"customer_id": "ada", "tags": ["Gold", "VIP"]}
    assert milepost.json("customers", "show", "ada", "--store", store)["tags"] == ["Gold", "VIP"]


def test_bad_input_is_one_error_line(shop: tuple[Milepost, str]) -> None:
    milepost, store = shop
    for args, message in (
        (("customers", "tag", "ada", "--store", store), "error: give a tag to add"),
        (("customers", "tag", "nobody", "--store", store, "--add", "X"), "error: no customer 'nobody'"),
        (("customers", "tag", "ada", "--store", store, "--add", " "), "error: add: a tag is 1 to 100 characters"),
        (("customers", "list", "--store", store, "--min-orders", "3", "--max-orders", "1"), "error: max_orders"),
    ):
        done = milepost(*args, expect=2)
        assert done.stderr.startswith(message), done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
