"""`milepost codes list|validate|redeem|rollback|void` as real subprocesses on a SQLite file:
a program's code action issues a code, the checkout's questions are answered, a redemption
is idempotent by key, refusals exit 2 with one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

CLI = [sys.executable, "-m", "milepost.entrypoints.cli"]
STORE = "shop"
ACTION = {"type": "code", "discount": {"kind": "fixed_amount", "amount": 1000}, "pattern": "GIFT-XXXX-XXXX"}


class Milepost:
    def __init__(self, data_dir: Path) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("MILEPOST_")}
        self.env.update(MILEPOST_DATA_DIR=str(data_dir), COLUMNS="200")

    def __call__(self, *args: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([*CLI, *args], capture_output=True, text=True, env=self.env, timeout=60)
        assert done.returncode == expect, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr, done.stderr
        return done

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--json").stdout)


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
