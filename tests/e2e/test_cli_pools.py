"""`milepost pools create|list|import|generate|threshold` as real subprocesses on a SQLite
file: a pool is filled from a CSV (all or nothing, bad rows named by their line) or by
pattern, and a `pool_code` action gives its codes out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from support.cli import MilepostCli as Milepost

STORE = "shop"


@pytest.fixture
def milepost(tmp_path: Path) -> Milepost:
    mp = Milepost(tmp_path / "data")
    mp("stores", "create", STORE, "--name", "Shop")
    mp("pools", "create", "--store", STORE, "spring", "--name", "Spring sale", "--amount", "5", "--low-threshold", "2")
    return mp


def first_order_takes_a_code(milepost: Milepost, tmp_path: Path) -> dict[str, Any]:
    """An event gives a code of pool spring on a first order; ada's first order: her code."""
    action = json.dumps({"type": "pool_code", "pool": "spring"})
    milepost("events", "create", "--store", STORE, "--count", "1", "--name", "Welcome", "--action", action)
    order = {"id": "e1", "type": "order.paid", "customer_id": "ada", "order_id": "o1", "total": 2000}
    (tmp_path / "orders.jsonl").write_text(json.dumps(order) + "\n")
    milepost("ingest", str(tmp_path / "orders.jsonl"), "--store", STORE)
    [found] = milepost.json("codes", "list", "--store", STORE, "ada")
    return dict(found)


def test_a_pool_is_filled_from_a_csv_and_listed(milepost: Milepost, tmp_path: Path) -> None:
    (tmp_path / "codes.csv").write_text("code\nspr-0001\nSPR-0002\nSPR-0003\n")

    done = milepost("pools", "import", "--store", STORE, "spring", str(tmp_path / "codes.csv"))

    assert done.stdout.strip() == "pool spring filled: 3 codes, 0 assigned, 3 left"
    [listed] = milepost.json("pools", "list", "--store", STORE)
    assert (listed["key"], listed["total"], listed["left"], listed["low_threshold"]) == ("spring", 3, 3, 2)
    assert listed["discount"] == {"kind": "fixed_amount", "amount": 500, "currency": "USD"}
    table = milepost("pools", "list", "--store", STORE).stdout
    assert "Spring sale" in table and "$5.00 off" in table


def test_a_csv_with_bad_rows_imports_nothing_and_names_the_lines(milepost: Milepost, tmp_path: Path) -> None:
    (tmp_path / "codes.csv").write_text("code\nSPR-0001\nSPR-0001\nno way\n")

    refused = milepost("pools", "import", "--store", STORE, "spring", str(tmp_path / "codes.csv"), expect=2)

    (line,) = refused.stderr.strip().splitlines()
    assert line.startswith("error: nothing imported: 2 bad row(s): line 3: SPR-0001 is a duplicate of line 2")
    assert "line 4: a code may hold only letters" in line
    assert milepost.json("pools", "list", "--store", STORE)[0]["total"] == 0


def test_generated_codes_go_to_customers_through_an_event(milepost: Milepost, tmp_path: Path) -> None:
    filled = milepost.json("pools", "generate", "--store", STORE, "spring", "3", "--pattern", "SPR-XXXX-XXXX")
    assert filled["total"] == 3

    found = first_order_takes_a_code(milepost, tmp_path)

    assert found["code"]["code"].startswith("SPR-") and found["status"] == "valid"
    assert milepost.json("pools", "threshold", "--store", STORE, "spring")["low_threshold"] is None


def test_a_pool_needs_exactly_one_discount(milepost: Milepost) -> None:
    refused = milepost(
        "pools", "create", "--store", STORE, "x", "--name", "X", "--percent", "5", "--gift", "g", expect=2
    )
    assert refused.stderr.strip() == "error: give exactly one of --percent, --amount, --free-shipping, --gift"


def test_a_pool_code_is_checked_and_redeemed_at_checkout(milepost: Milepost, tmp_path: Path) -> None:
    # Given a pool of two codes, one given to ada by her first order
    milepost("pools", "import", "--store", STORE, "spring", "-", stdin="SPR-0001\nSPR-0002\n")
    given = first_order_takes_a_code(milepost, tmp_path)["code"]["code"]
    kept = ({"SPR-0001", "SPR-0002"} - {given}).pop()

    # Then the code still in the pool is unknown, and hers is worth the pool's $5, once
    assert milepost("codes", "validate", "--store", STORE, kept, "ada").stdout.startswith("unknown:")
    assert milepost("codes", "validate", "--store", STORE, given, "ada").stdout.strip() == "valid: $5.00 off"
    redeem = ("codes", "redeem", "--store", STORE, given, "ada", "--order", "o-9")
    assert "redeemed on order o-9" in milepost(*redeem, "--key", "k1").stdout
    assert milepost(*redeem[:-1], "o-10", "--key", "k2", expect=2).stderr.startswith("error: the code was redeemed")


def test_expiring_codes_are_imported_generated_removed_and_the_pool_deleted(milepost: Milepost, tmp_path: Path) -> None:
    (tmp_path / "codes.csv").write_text("code,expires_at\nSPR-0001,2099-01-31\nSPR-0002,\n")
    done = milepost("pools", "import", "--store", STORE, "spring", str(tmp_path / "codes.csv"))
    assert done.stdout.strip() == "pool spring filled: 2 codes, 0 assigned, 2 left"
    (tmp_path / "bad.csv").write_text("code,expires_at\nSPR-0003,2001-01-01\n")
    refused = milepost("pools", "import", "--store", STORE, "spring", str(tmp_path / "bad.csv"), expect=2)
    assert "line 2: expires_at 2001-01-02T00:00:00+00:00 is past already" in refused.stderr
    filled = milepost.json("pools", "generate", "--store", STORE, "spring", "3", "--expires", "2099-06-30")
    assert (filled["total"], filled["expired"]) == (5, 0)

    milepost("pools", "remove", "--store", STORE, "spring", expect=2)  # neither codes nor --all
    removed = milepost.json("pools", "remove", "--store", STORE, "spring", "spr-0001", "SPR-0002")
    assert (removed["removed"], removed["pool"]["total"]) == (2, 3)
    assert "lost 3 code(s)" in milepost("pools", "remove", "--store", STORE, "spring", "--all").stdout
    assert milepost("pools", "delete", "--store", STORE, "spring").stdout.strip() == "pool spring deleted"
    assert milepost.json("pools", "list", "--store", STORE) == []
