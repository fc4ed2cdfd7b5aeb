"""`milepost points spend|adjust|ledger` through the real command (support/cli.py) on a SQLite file in a temporary
directory: a store that earns points per unit, orders ingested from a file, spending that is
idempotent by key, adjustments either way, and refusals that exit 2 with one line."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from support.cli import MilepostCli as Milepost

STORE = "shop"


@pytest.fixture(scope="module")
def milepost(tmp_path_factory: pytest.TempPathFactory) -> Milepost:
    """A store that gives 1 point per dollar."""
    mp = Milepost(tmp_path_factory.mktemp("milepost"))
    mp("stores", "create", STORE, "--name", "Shop", "--points-per-unit", "1")
    return mp


@pytest.fixture
def customer(milepost: Milepost, tmp_path: Path) -> str:
    """A customer who paid 27.50 and 100.00: 127 points earned."""
    who = f"c-{uuid.uuid4().hex[:8]}"
    lines = [
        {"id": f"{who}-e{i}", "type": "order.paid", "customer_id": who, "order_id": f"{who}-o{i}", "total": total}
        for i, total in enumerate((2750, 10000))
    ]
    events = tmp_path / "orders.jsonl"
    events.write_text("".join(json.dumps(line) + "\n" for line in lines))
    milepost("ingest", str(events), "--store", STORE)
    return who


def test_orders_earn_points_and_customers_show_prints_them(milepost: Milepost, customer: str) -> None:
    shown = milepost.json("customers", "show", customer, "--store", STORE)
    assert (shown["points_balance"], shown["points_earned"]) == (127, 127)
    assert "127 (earned 127)" in milepost("customers", "show", customer, "--store", STORE).stdout

    ledger = milepost.json("points", "ledger", "--store", STORE, customer)
    assert ledger["balance"] == 127
    assert [(e["points"], e["reason"]) for e in ledger["ledger"]] == [(27, "earn"), (100, "earn")]


def test_spend_is_idempotent_by_key_and_adjust_takes_negative_points(milepost: Milepost, customer: str) -> None:
    key = uuid.uuid4().hex
    spent = milepost.json("points", "spend", "--store", STORE, customer, "20", "--key", key, "--order", "o-9")
    assert (spent["entry"]["points"], spent["entry"]["order_id"], spent["balance"]) == (-20, "o-9", 107)
    again = milepost("points", "spend", "--store", STORE, customer, "20", "--key", key)
    assert f"{customer} spent 20 points" in again.stdout and "balance 107 points" in again.stdout

    adjusted = milepost(
        "points",
        "adjust",
        "--store",
        STORE,
        customer,
        "-7",
        "--key",
        key,
        "--reason",
        "goodwill reversed",
        "--by",
        "sam",
    )
    assert "lowered by 7" in adjusted.stdout and "balance 100 points" in adjusted.stdout
    raised = milepost("points", "adjust", "--store", STORE, customer, "5", "--key", f"{key}-up", "--reason", "sorry")
    assert "raised by 5" in raised.stdout and "balance 105 points" in raised.stdout

    table = milepost("points", "ledger", "--store", STORE, customer).stdout
    assert "goodwill reversed" in table and "sam" in table and "-20" in table and "balance 105 points" in table


def test_refusals_exit_2_with_one_line(milepost: Milepost, customer: str) -> None:
    key = uuid.uuid4().hex
    too_much = milepost("points", "spend", "--store", STORE, customer, "128", "--key", key, expect=2)
    assert too_much.stderr.startswith("error: ") and "127 points" in too_much.stderr
    milepost("points", "spend", "--store", STORE, customer, "1", "--key", key)
    reused = milepost("points", "spend", "--store", STORE, customer, "2", "--key", key, expect=2)
    assert reused.stderr.startswith("error: ") and "different spend" in reused.stderr
    zero = milepost("points", "adjust", "--store", STORE, customer, "0", "--key", f"{key}-0", "--reason", "x", expect=2)
    assert zero.stderr.startswith("error: ") and "non-zero" in zero.stderr
    nobody = milepost("points", "ledger", "--store", STORE, "nobody", expect=2)
    assert nobody.stderr == "error: no customer 'nobody' in this store\n"


def test_a_store_that_allows_negative_points(milepost: Milepost, tmp_path: Path) -> None:
    store = f"neg-{uuid.uuid4().hex[:8]}"
    milepost("stores", "create", store, "--name", "Lenient")
    shown = milepost.json("stores", "update", store, "--allow-negative-points", "--points-per-unit", "3")
    assert (shown["allow_negative_points"], shown["points_per_unit"]) == (True, 3)
    events = tmp_path / "one.jsonl"
    events.write_text(
        json.dumps({"id": "e1", "type": "order.paid", "customer_id": "x", "order_id": "o1", "total": 100})
    )
    milepost("ingest", str(events), "--store", store)  # $1.00: 3 points

    spent = milepost.json("points", "spend", "--store", store, "x", "10", "--key", "k")

    assert spent["balance"] == -7


def test_points_expiry_is_set_on_the_store_shown_on_the_ledger_and_swept(milepost: Milepost, customer: str) -> None:
    shown = milepost.json("stores", "update", STORE, "--points-expire-days", "365")
    assert shown["points_expire_days"] == 365
    assert "after 365 days" in milepost("stores", "show", STORE).stdout
    try:
        ledger = milepost("points", "ledger", "--store", STORE, customer).stdout
        assert "27 points expire on" in ledger and "100 points expire on" in ledger
        swept = milepost.json("points", "expire", "--store", STORE)
        assert swept["points"] == 0 and swept["stores"] == 0  # nothing can be due for a year
        assert "0 points expired" in milepost("points", "expire").stdout
    finally:
        assert milepost.json("stores", "update", STORE, "--points-expire-days", "0")["points_expire_days"] is None
