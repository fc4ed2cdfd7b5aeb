"""`milepost codes list|validate|redeem|rollback|void` through the real command (support/cli.py) on a SQLite file:
a program's code action issues a code, the checkout's questions are answered, a redemption
is idempotent by key, refusals exit 2 with one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.cli import MilepostCli as Milepost

STORE = "shop"
ACTION = {"type": "code", "discount": {"kind": "fixed_amount", "amount": 1000}, "pattern": "GIFT-XXXX-XXXX"}


@pytest.fixture
def milepost(tmp_path: Path) -> Milepost:
    """ada's first order gave her a $10.00 code."""
    mp = Milepost(tmp_path / "data")
    mp("stores", "create", STORE, "--name", "Shop")
    common = ("--store", STORE, "--name", "Gift", "--metric", "order_count", "--threshold", "1")
    mp("programs", "create", *common, "--action", json.dumps(ACTION))
    order = {"id": "e1", "type": "order.paid", "customer_id": "ada", "order_id": "o1", "total": 2000}
    (tmp_path / "orders.jsonl").write_text(json.dumps(order) + "\n")
    mp("ingest", str(tmp_path / "orders.jsonl"), "--store", STORE)
    return mp


def test_the_checkout_s_questions_from_the_command_line(milepost: Milepost) -> None:
    [found] = milepost.json("codes", "list", "--store", STORE, "ada")
    code = found["code"]["code"]
    assert code.startswith("GIFT-") and found["status"] == "valid"
    assert code in milepost("codes", "list", "--store", STORE, "ada").stdout

    assert milepost("codes", "validate", "--store", STORE, code, "ada").stdout.strip() == "valid: $10.00 off"
    assert milepost("codes", "validate", "--store", STORE, code, "bob").stdout.startswith("not_theirs:")

    redeem = ("codes", "redeem", "--store", STORE, code, "ada", "--order", "o-9")
    assert "redeemed on order o-9" in milepost(*redeem, "--key", "k1").stdout
    assert "redeemed on order o-9" in milepost(*redeem, "--key", "k1").stdout  # the same key: the same answer
    refused = milepost(*redeem, "--key", "k2", expect=2)
    assert refused.stderr.strip() == "error: the code was redeemed on order o-9"

    rollback = milepost("codes", "rollback", "--store", STORE, code, "--order", "o-9", expect=2)
    assert "not been reported refunded" in rollback.stderr
    voided = milepost.json("codes", "void", "--store", STORE, code, "--reason", "fraud")
    assert voided["status"] == "voided" and voided["code"]["void_reason"] == "fraud"
